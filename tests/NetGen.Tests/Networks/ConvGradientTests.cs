using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Data;

namespace NetGen.Tests.Networks;

/// <summary>
/// Conv2D and pooling: loss and every gradient of the generated network against an independent double-precision
/// reference (direct loops from the definitions), and the reference against central differences.
/// </summary>
public class ConvGradientTests
{
    static readonly Dictionary<string, (Func<INetwork> Create, ConvReference Reference)> Networks = new()
    {
        ["ConvBasic"] = (() => new ConvBasic(1), new((1, 6, 7), Loss.CrossEntropy,
            new RefConv(3, 3, 3, 1, 0, 0, Activation.ReLU), new RefFc(5, Activation.Tanh), new RefFc(3, Activation.Softmax))),
        ["ConvStride2Pad1"] = (() => new ConvStride2Pad1(2), new((3, 7, 9), Loss.MeanSquaredError,
            new RefConv(4, 3, 3, 2, 1, 1, Activation.Tanh), new RefFc(3, Activation.Identity))),
        ["ConvSameRect"] = (() => new ConvSameRect(3), new((3, 7, 9), Loss.CrossEntropy,
            new RefConv(2, 3, 5, 1, 1, 2, Activation.LeakyReLU, 0.1), new RefConv(3, 3, 3, 2, 0, 0, Activation.Sigmoid), new RefFc(4, Activation.Softmax))),
        ["ConvRectStride2"] = (() => new ConvRectStride2(4), new((1, 8, 7), Loss.MeanSquaredError,
            new RefConv(2, 3, 2, 1, 0, 0, Activation.ELU, 0.5), new RefConv(3, 1, 3, 2, 1, 1, Activation.Tanh), new RefFc(2, Activation.Identity))),
        ["ConvMaxPool"] = (() => new ConvMaxPool(5), new((2, 8, 8), Loss.CrossEntropy,
            new RefConv(4, 3, 3, 1, 1, 1, Activation.ReLU), new RefPool(true, 2, 2), new RefFc(6, Activation.ELU, 1.0), new RefFc(3, Activation.Softmax))),
        ["ConvMaxPoolOverlap"] = (() => new ConvMaxPoolOverlap(6), new((2, 7, 7), Loss.BinaryCrossEntropy,
            new RefConv(3, 3, 3, 1, 1, 1, Activation.ELU, 1.0), new RefPool(true, 3, 2), new RefFc(2, Activation.Sigmoid))),
        ["ConvMaxPoolGaps"] = (() => new ConvMaxPoolGaps(7), new((1, 9, 9), Loss.CrossEntropy,
            new RefConv(2, 2, 2, 1, 0, 0, Activation.Sigmoid), new RefPool(true, 2, 3), new RefFc(3, Activation.Softmax))),
        ["ConvAvgPoolOverlap"] = (() => new ConvAvgPoolOverlap(8), new((1, 10, 10), Loss.MeanSquaredError,
            new RefConv(3, 2, 2, 1, 0, 0, Activation.Tanh, Bias: false), new RefPool(false, 3, 2), new RefFc(2, Activation.Identity))),
        ["ConvAvgPoolConv"] = (() => new ConvAvgPoolConv(9), new((3, 8, 6), Loss.MeanSquaredError,
            new RefConv(3, 3, 3, 1, 0, 0, Activation.Tanh), new RefPool(false, 2, 2), new RefConv(2, 2, 2, 1, 0, 0, Activation.ReLU), new RefFc(3, Activation.Identity))),
        ["ConvFrozenMiddle"] = (() => new ConvFrozenMiddle(10), new((1, 7, 7), Loss.MeanSquaredError,
            new RefConv(2, 3, 3, 1, 0, 0, Activation.Tanh), new RefConv(3, 3, 3, 1, 0, 0, Activation.Sigmoid), new RefPool(true, 2, 1), new RefFc(2, Activation.Identity))),
        ["ConvWide"] = (() => new ConvWide(11), new((3, 12, 13), Loss.CrossEntropy,
            new RefConv(9, 3, 3, 1, 1, 1, Activation.ReLU), new RefPool(true, 2, 2), new RefConv(6, 3, 3, 1, 0, 0, Activation.Tanh), new RefFc(5, Activation.Softmax))),
    };

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in Networks.Keys)
            foreach (var batch in new[] { 1, 3, 8 })
                data.Add(name, batch);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchTheDoublePrecisionReference(string name, int batch)
    {
        var (create, reference) = Networks[name];
        var net = create();
        Assert.Equal(reference.ParameterCount, net.ParameterCount);
        Assert.Equal(reference.InputSize, net.InputSize);
        var random = new DeterministicRandom((ulong)(name.Length * 1000 + batch));
        var parameters = net.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)(random.NextDouble() * 1.2 - 0.6);
        bool frozen = net.Layers.Any(l => l.ParameterCount > 0 && !l.Trainable);

        var (inputs, targets, labels) = MakeBatch(net, batch, ref random);
        var p64 = net.Parameters.ToArray().Select(p => (double)p).ToArray();
        var (expectedLoss, expectedGradient) = reference.LossAndGradient(p64, inputs, targets, batch);

        // The reference agrees with central differences (in double) before it judges anything.
        int every = Math.Max(1, p64.Length / 300);
        var numerical = reference.NumericalGradient(p64, inputs, targets, batch, every);
        AssertClose(expectedGradient, numerical, 1e-5, "reference vs central differences");

        // A frozen layer's gradient stays zero; the reference computes it anyway, so blank it out there.
        foreach (var layer in net.Layers.Where(l => l.ParameterCount > 0 && !l.Trainable))
            Array.Clear(expectedGradient, layer.ParameterOffset, layer.ParameterCount);

        float loss = net.TrainBatch(inputs, targets, batch);
        Assert.Equal(expectedLoss, loss, 5e-5 * Math.Max(1, Math.Abs(expectedLoss)));
        AssertClose(expectedGradient, net.Gradients.ToArray().Select(g => (double)g).ToArray(), 2e-4, "generated vs reference (targets)");
        if (frozen)
            foreach (var layer in net.Layers.Where(l => l.ParameterCount > 0 && !l.Trainable))
                Assert.All(net.Gradients.Slice(layer.ParameterOffset, layer.ParameterCount).ToArray(), g => Assert.Equal(0f, g));

        if (labels is not null)
        {
            net.Gradients.Clear();
            float labelLoss = net.TrainBatch(inputs, labels, batch);
            Assert.Equal(expectedLoss, labelLoss, 5e-5 * Math.Max(1, Math.Abs(expectedLoss)));
            AssertClose(expectedGradient, net.Gradients.ToArray().Select(g => (double)g).ToArray(), 2e-4, "generated vs reference (labels)");
        }

        // Inference agrees with the training forward pass's loss inputs: Predict matches the reference outputs through the loss.
        var outputs = new float[batch * net.OutputSize];
        net.Predict(inputs, outputs, batch);
        Assert.All(outputs, o => Assert.True(float.IsFinite(o)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void AFrozenFirstConvGetsNoGradientAndTheRestMatch(int batch)
    {
        var net = new ConvFrozenFirst(12);
        var reference = new ConvReference((1, 6, 6), Loss.MeanSquaredError,
            new RefConv(2, 3, 3, 1, 0, 0, Activation.Tanh), new RefConv(3, 3, 3, 1, 0, 0, Activation.ReLU), new RefFc(2, Activation.Identity));
        var random = new DeterministicRandom(77);
        var parameters = net.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)(random.NextDouble() * 1.2 - 0.6);
        var (inputs, targets, _) = MakeBatch(net, batch, ref random);
        var (_, expected) = reference.LossAndGradient(net.Parameters.ToArray().Select(p => (double)p).ToArray(), inputs, targets, batch);
        net.TrainBatch(inputs, targets, batch);
        var frozen = net.Layers[0];
        Assert.False(frozen.Trainable);
        var gradients = net.Gradients.ToArray();
        Assert.All(gradients.Take(frozen.ParameterCount), g => Assert.Equal(0f, g));
        int start = frozen.ParameterCount;
        AssertClose(expected.Skip(start).ToArray(), gradients.Skip(start).Select(g => (double)g).ToArray(), 2e-4, "trainable layers");
    }

    [Fact]
    public void PredictMatchesTheReferenceForward()
    {
        var net = new ConvMaxPool(21);
        var random = new DeterministicRandom(3);
        var (inputs, _, _) = MakeBatch(net, 5, ref random);
        var outputs = new float[5 * 3];
        net.Predict(inputs, outputs, 5);
        var single = new float[3];
        for (int n = 0; n < 5; n++)
        {
            net.Forward(inputs.AsSpan(n * net.InputSize, net.InputSize), single);
            for (int k = 0; k < 3; k++) Assert.Equal(outputs[n * 3 + k], single[k], 1e-6f);
            Assert.Equal(1f, single.Sum(), 1e-5f);
        }
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        float[] Run()
        {
            var net = new ConvWide(5);
            var adam = new Adam(0.01f);
            var random = new DeterministicRandom(8);
            var (inputs, _, labels) = MakeBatch(net, 8, ref random);
            for (int step = 0; step < 3; step++)
            {
                net.TrainBatch(inputs, labels!, 8);
                adam.Step(net);
            }
            return net.Parameters.ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void LeNetishHasThePyTorchParameterLayout()
    {
        var net = new LeNetish(1);
        Assert.Equal(289_630, net.ParameterCount);
        Assert.Equal(new[] { "Conv2D", "MaxPool2D", "Dense", "Dense" }, net.Layers.Select(l => l.Kind));
        Assert.Equal(new[] { 20, 24, 24 }, net.Layers[0].OutputShape);
        Assert.Equal(520, net.Layers[0].ParameterCount);
        Assert.Equal(new[] { 20, 12, 12 }, net.Layers[1].OutputShape);
        Assert.Equal(520, net.Layers[2].ParameterOffset);
        // He-initialized weights (fan-in 25), zero biases.
        float limit = MathF.Sqrt(6f / 25);
        var parameters = net.Parameters;
        for (int i = 0; i < 500; i++) Assert.InRange(parameters[i], -limit, limit);
        for (int i = 500; i < 520; i++) Assert.Equal(0f, parameters[i]);
    }

    internal static (float[] Inputs, float[] Targets, int[]? Labels) MakeBatch(INetwork net, int batch, ref DeterministicRandom random)
    {
        var inputs = new float[batch * net.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(random.NextDouble() * 2 - 1);
        var targets = new float[batch * net.OutputSize];
        int[]? labels = null;
        if (net.Loss == Loss.MeanSquaredError)
            for (int i = 0; i < targets.Length; i++) targets[i] = (float)(random.NextDouble() * 2 - 1);
        else if (net.Loss == Loss.CrossEntropy)
        {
            labels = new int[batch];
            for (int n = 0; n < batch; n++)
            {
                labels[n] = random.NextInt(net.OutputSize);
                targets[n * net.OutputSize + labels[n]] = 1f;
            }
        }
        else
            for (int i = 0; i < targets.Length; i++) targets[i] = random.NextDouble() < 0.5 ? 0f : 1f;
        return (inputs, targets, labels);
    }

    /// <summary>Per element: |a − b| ≤ tolerance·(max|a| + 1e-3); NaN entries of <paramref name="actual"/> are skipped (unsampled).</summary>
    static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs) + 1e-3;
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(actual[i])) continue;
            double error = Math.Abs(expected[i] - actual[i]);
            Assert.True(error <= tolerance * scale + 1e-7,
                $"{what}: parameter {i}: expected {expected[i]:E6}, got {actual[i]:E6} (|error| {error:E2}, allowed {tolerance * scale:E2})");
        }
    }
}
