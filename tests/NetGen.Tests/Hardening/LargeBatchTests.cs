using System;

namespace NetGen.Tests.Hardening;

// One network per layer kind whose workspace holds 1,024 elements per sample for a 1-element input, so a batch that
// the input spans allow (4,194,305 floats is 16 MB) makes batch × 1,024 wrap around int. Before the bound, the issue's
// batch of 4,194,305 wrapped to a 1,024-element workspace and the kernels wrote far past it.

[Network(Loss.MeanSquaredError)]
[Input(1)]
[Dense(1024, Activation.ReLU)]
[Dense(1)]
public partial class WideDense { }

[Network(Loss.MeanSquaredError)]
[Input(1)]
[Dense(1024, Activation.ReLU)]
[Dropout(0.5)]
[Dense(1)]
public partial class WideDropout { }

[Network(Loss.MeanSquaredError)]
[Input(1, 1, 1)]
[Conv2D(1024, 1, Activation = Activation.ReLU)]
[Flatten]
[Dense(1)]
public partial class WideConvFlatten { }

[Network(Loss.MeanSquaredError)]
[Input(1, 1, 1)]
[Conv2D(1024, 1, Activation = Activation.ReLU)]
[MaxPool2D(1)]
[Dense(1)]
public partial class WideMaxPool { }

[Network(Loss.MeanSquaredError)]
[Input(1, 1, 1)]
[Conv2D(1024, 1, Activation = Activation.ReLU)]
[AvgPool2D(1)]
[Dense(1)]
public partial class WideAvgPool { }

// im2col columns are the largest array here: 3×3 patches of 8×8 positions, 576 per sample against 64 outputs.
[Network(Loss.MeanSquaredError)]
[Input(1, 8, 8)]
[Conv2D(1, 3, Padding = 1)]
[Dense(1)]
public partial class ColumnsDominate { }

public sealed class LargeBatchTests
{
    public static TheoryData<string> WideNetworks => new() { nameof(WideDense), nameof(WideDropout), nameof(WideConvFlatten), nameof(WideMaxPool), nameof(WideAvgPool) };

    private static INetwork Create(string name) => name switch
    {
        nameof(WideDense) => new WideDense(1),
        nameof(WideDropout) => new WideDropout(1),
        nameof(WideConvFlatten) => new WideConvFlatten(1),
        nameof(WideMaxPool) => new WideMaxPool(1),
        nameof(WideAvgPool) => new WideAvgPool(1),
        _ => throw new ArgumentException(name),
    };

    [Fact]
    public void The_training_batch_bound_follows_the_largest_per_sample_array()
    {
        // The generated constants against the rule: Array.MaxLength over the largest per-sample array.
        Assert.Equal(WideDense.MaxTrainingBatchSize, Array.MaxLength / 1024);
        Assert.Equal(WideConvFlatten.MaxTrainingBatchSize, Array.MaxLength / 1024);
        Assert.Equal(ColumnsDominate.MaxTrainingBatchSize, Array.MaxLength / 576);
        // The figure: the course convnet's 14,400 columns per sample overflowed from batch 149,131.
        Assert.Equal(149_130, NetGen.Tests.Networks.LeNetish.MaxTrainingBatchSize);
    }

    [Theory]
    [MemberData(nameof(WideNetworks))]
    public void Batches_whose_workspace_would_wrap_are_refused_before_anything_is_written(string name)
    {
        var net = Create(name);
        var before = net.Parameters.ToArray();
        // 4,194,305 × 1,024 = 2^32 + 1,024 wraps to 1,024; 2,097,153 × 1,024 wraps negative. Both with real, valid spans.
        foreach (int batch in new[] { 4_194_305, 2_097_153, Array.MaxLength / 1024 + 1 })
        {
            var inputs = new float[batch];
            var targets = new float[batch];
            var labels = new int[batch];
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainBatch(inputs, targets, batch));
            Assert.Equal("batchSize", e.ParamName);
            Assert.Contains($"at most {Array.MaxLength / 1024:N0} samples", e.Message);
            Assert.Contains("1,024 elements per sample", e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainBatch(inputs, labels, batch));
        }
        // The int boundaries themselves, with spans that could never match.
        Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainBatch(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainBatch(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, int.MinValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainBatch(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, 0));
        Assert.Equal(before, net.Parameters.ToArray());
        Assert.Equal(0UL, net.TrainingStep);

        // The network still trains at a sane size afterwards.
        float loss = net.TrainBatch(new float[] { 0.5f, -0.5f }, new float[] { 1, 0 }, 2);
        Assert.True(float.IsFinite(loss));
    }

    [Theory]
    [MemberData(nameof(WideNetworks))]
    public void Predict_at_batch_sizes_past_its_chunk_matches_one_sample_at_a_time(string name)
    {
        var net = Create(name);
        const int batch = 600; // three chunks of 256, the last partial
        var inputs = new float[batch];
        for (int i = 0; i < batch; i++) inputs[i] = MathF.Sin(i);
        var outputs = new float[batch];
        net.Predict(inputs, outputs, batch);
        var one = new float[1];
        for (int i = 0; i < batch; i++)
        {
            net.Forward(inputs.AsSpan(i, 1), one);
            Assert.Equal(one[0], outputs[i]);
        }
        // int.MaxValue samples cannot have matching spans: a clean ArgumentException, not an overflow.
        Assert.Throws<ArgumentException>(() => net.Predict(inputs, outputs, int.MaxValue));
    }
}
