using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Data;

namespace NetGen.Tests.Sequences;

/// <summary>
/// Declared recurrent networks (Embedding, SimpleRNN tanh and ReLU, LSTM, one and two recurrent layers, ReturnSequences
/// both ways, time-distributed and last-step Dense with every activation, the three losses, per-step labels): the
/// generated loss and every gradient must match the independent double-precision <see cref="SequenceReference"/>, which
/// itself must match central differences. Batches of 1 and 3; token ids repeat, so the scatter-add has to sum.
/// </summary>
public class SequenceGradientTests
{
    internal static readonly Dictionary<string, (Func<INetwork> Create, SequenceReference Reference)> Networks = new()
    {
        [nameof(TinyNextToken)] = (() => new TinyNextToken(1), new(7, 0, Loss.CrossEntropy,
            new RefEmbedding(11, 5), new RefLstm(6, Sequences: true), new RefDense(11, Activation.Softmax))),
        [nameof(TinySimpleRnn)] = (() => new TinySimpleRnn(2), new(6, 3, Loss.MeanSquaredError,
            new RefSimpleRnn(5), new RefDense(2))),
        [nameof(TwoLayerLstm)] = (() => new TwoLayerLstm(3), new(5, 4, Loss.CrossEntropy,
            new RefLstm(7, Sequences: true), new RefLstm(6), new RefDense(3, Activation.Softmax))),
        [nameof(MixedSequence)] = (() => new MixedSequence(4), new(4, 3, Loss.MeanSquaredError,
            new RefDense(5, Activation.Tanh), new RefLstm(4, Sequences: true), new RefSimpleRnn(3, Activation.ReLU, Sequences: true), new RefDense(2, Activation.Sigmoid))),
        [nameof(RnnStackMse)] = (() => new RnnStackMse(5), new(5, 3, Loss.MeanSquaredError,
            new RefSimpleRnn(6, Activation.ReLU, Sequences: true), new RefDense(4), new RefSimpleRnn(5),
            new RefDense(4, Activation.LeakyReLU, 0.2), new RefDense(3, Activation.ELU, 0.7))),
        [nameof(PerStepBce)] = (() => new PerStepBce(6), new(6, 2, Loss.BinaryCrossEntropy,
            new RefLstm(5, Sequences: true), new RefDense(4, Activation.ReLU), new RefDense(3, Activation.Sigmoid))),
        [nameof(PerStepSoftmaxMse)] = (() => new PerStepSoftmaxMse(7), new(4, 3, Loss.MeanSquaredError,
            new RefSimpleRnn(5, Sequences: true), new RefDense(6, Activation.ELU, 0.5), new RefDense(5, Activation.LeakyReLU, 0.1, Bias: false),
            new RefDense(3, Activation.Softmax))),
        [nameof(TokenStack)] = (() => new TokenStack(8), new(6, 0, Loss.CrossEntropy,
            new RefEmbedding(5, 3), new RefSimpleRnn(4, Sequences: true), new RefLstm(5), new RefDense(4, Activation.ReLU), new RefDense(3, Activation.Softmax))),
        [nameof(LastStepBce)] = (() => new LastStepBce(9), new(5, 2, Loss.BinaryCrossEntropy,
            new RefLstm(4), new RefDense(3, Activation.Tanh), new RefDense(2, Activation.Sigmoid))),
        [nameof(DeclaredFrozenRnn)] = (() => new DeclaredFrozenRnn(10), new(5, 0, Loss.CrossEntropy,
            new RefEmbedding(7, 3), new RefSimpleRnn(4, Sequences: true), new RefLstm(4), new RefDense(2, Activation.Softmax))),
    };

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in Networks.Keys)
            if (name != nameof(DeclaredFrozenRnn))
                foreach (int batch in new[] { 1, 3 })
                    data.Add(name, batch);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_and_every_gradient_match_the_double_precision_reference(string name, int batch)
    {
        var (create, reference) = Networks[name];
        var net = create();
        Assert.Equal(reference.ParameterCount, net.ParameterCount);
        Assert.Equal(reference.InputSize, net.InputSize);
        Assert.Equal(reference.OutputSize, net.OutputSize);
        var random = new DeterministicRandom((ulong)(name.Length * 1000 + batch));
        SequenceData.Randomize(net.Parameters, ref random, 0.6);
        var data = SequenceData.MakeBatch(net, reference, batch, ref random);
        var parameters = net.Parameters.ToArray().Select(p => (double)p).ToArray();
        var (expectedLoss, expectedGradient) = reference.LossAndGradient(parameters, data.Inputs, data.Targets, batch);

        // The reference agrees with central differences (in double) before it judges anything.
        AssertClose(expectedGradient, reference.NumericalGradient(parameters, data.Inputs, data.Targets, batch), 1e-5, "reference vs central differences");
        // Inference agrees with the reference too.
        var outputs = new float[batch * net.OutputSize];
        net.Predict(data.Inputs, outputs, batch);
        AssertClose(reference.Outputs(parameters, data.Inputs, batch), outputs.Select(v => (double)v).ToArray(), 1e-5, "Predict vs reference outputs");

        float loss = net.TrainBatch(data.Inputs, data.Targets, batch);
        Assert.Equal(expectedLoss, loss, 5e-5 * Math.Max(1, Math.Abs(expectedLoss)));
        AssertClose(expectedGradient, Doubles(net.Gradients), 2e-4, "generated vs reference (targets)");

        if (data.Labels is not null)
        {
            net.Gradients.Fill(float.NaN); // gradients are overwritten, not accumulated
            float labelLoss = net.TrainBatch(data.Inputs, data.Labels, batch);
            Assert.Equal(expectedLoss, labelLoss, 5e-5 * Math.Max(1, Math.Abs(expectedLoss)));
            AssertClose(expectedGradient, Doubles(net.Gradients), 2e-4, "generated vs reference (labels)");
        }

        if (net is ITokenNetwork tokens)
        {
            var ids = data.Inputs.Select(v => (int)v).ToArray();
            net.Gradients.Fill(float.NaN);
            float idLoss = data.Labels is null ? tokens.TrainBatch(ids, data.Targets, batch) : tokens.TrainBatch(ids, data.Labels, batch);
            Assert.Equal(expectedLoss, idLoss, 5e-5 * Math.Max(1, Math.Abs(expectedLoss)));
            AssertClose(expectedGradient, Doubles(net.Gradients), 2e-4, "generated vs reference (int token ids)");
        }
    }

    /// <summary>
    /// SetTrainable("LSTM2", false) on a next-token model: the LSTM's gradients read zero and an optimizer leaves it alone,
    /// while the Embedding below it still receives the reference's gradient (the input gradient flows through the frozen layer).
    /// </summary>
    [Fact]
    public void A_layer_frozen_at_run_time_gets_no_gradient_and_passes_the_input_gradient_on()
    {
        var (create, reference) = Networks[nameof(TinyNextToken)];
        var net = (TinyNextToken)create();
        var random = new DeterministicRandom(404);
        SequenceData.Randomize(net.Parameters, ref random, 0.6);
        var data = SequenceData.MakeBatch(net, reference, 3, ref random);
        var (_, expected) = reference.LossAndGradient(Doubles(net.Parameters), data.Inputs, data.Targets, 3);

        net.SetTrainable("LSTM2", false);
        var lstm = net.Layers[1];
        Assert.Equal("LSTM", lstm.Kind);
        Assert.False(lstm.Trainable);
        net.TrainBatch(data.Inputs, data.Labels!, 3);
        AssertFrozenAndRestMatch(net, lstm, expected);

        var before = net.Parameters.ToArray();
        new Adam(0.1f).Step(net);
        Assert.Equal(before.AsSpan(lstm.ParameterOffset, lstm.ParameterCount).ToArray(), net.Parameters.Slice(lstm.ParameterOffset, lstm.ParameterCount).ToArray());
        Assert.NotEqual(before.AsSpan(0, lstm.ParameterOffset).ToArray(), net.Parameters.Slice(0, lstm.ParameterOffset).ToArray());

        // Unfrozen again, it gets its gradient back.
        net.SetTrainable("LSTM2", true);
        var parameters = Doubles(net.Parameters);
        var (_, thawed) = reference.LossAndGradient(parameters, data.Inputs, data.Targets, 3);
        net.TrainBatch(data.Inputs, data.Labels!, 3);
        AssertClose(thawed, Doubles(net.Gradients), 2e-4, "unfrozen");
    }

    /// <summary>A SimpleRNN declared Trainable = false between a trainable Embedding and LSTM: zeros for it, the reference's gradient for the rest.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_recurrent_layer_declared_frozen_gets_no_gradient_and_passes_the_input_gradient_on(int batch)
    {
        var (create, reference) = Networks[nameof(DeclaredFrozenRnn)];
        var net = create();
        var random = new DeterministicRandom(505);
        SequenceData.Randomize(net.Parameters, ref random, 0.6);
        var data = SequenceData.MakeBatch(net, reference, batch, ref random);
        var (expectedLoss, expected) = reference.LossAndGradient(Doubles(net.Parameters), data.Inputs, data.Targets, batch);
        var frozen = net.Layers[1];
        Assert.Equal("SimpleRNN", frozen.Kind);
        Assert.False(frozen.Trainable);
        net.Gradients.Fill(float.NaN);
        float loss = net.TrainBatch(data.Inputs, data.Labels!, batch);
        Assert.Equal(expectedLoss, loss, 5e-5 * Math.Max(1, expectedLoss));
        AssertFrozenAndRestMatch(net, frozen, expected);
    }

    static void AssertFrozenAndRestMatch(INetwork net, LayerInfo frozen, double[] expected)
    {
        var gradients = Doubles(net.Gradients);
        Assert.All(gradients.Skip(frozen.ParameterOffset).Take(frozen.ParameterCount), g => Assert.Equal(0.0, g));
        bool Outside(int i) => i < frozen.ParameterOffset || i >= frozen.ParameterOffset + frozen.ParameterCount;
        var rest = Enumerable.Range(0, expected.Length).Where(Outside).ToArray();
        // The layer below the frozen one (the Embedding at offset 0) must have a real gradient, not zeros.
        Assert.Contains(gradients.Take(frozen.ParameterOffset), g => g != 0);
        AssertClose(rest.Select(i => expected[i]).ToArray(), rest.Select(i => gradients[i]).ToArray(), 2e-4, "trainable layers");
    }

    internal static double[] Doubles(Span<float> values) => values.ToArray().Select(v => (double)v).ToArray();

    /// <summary>Per element: |a − b| ≤ tolerance·(max|a| + 1e-3); the scale keeps tiny gradients from passing vacuously or failing on noise.</summary>
    internal static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs) + 1e-3;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            Assert.True(error <= tolerance * scale + 1e-7,
                $"{what}: element {i}: expected {expected[i]:E6}, got {actual[i]:E6} (|error| {error:E2}, allowed {tolerance * scale:E2})");
        }
    }
}

/// <summary>Random parameters and batches for the sequence tests.</summary>
internal static class SequenceData
{
    public sealed record Batch(float[] Inputs, float[] Targets, int[]? Labels);

    public static void Randomize(Span<float> parameters, ref DeterministicRandom random, double range)
    {
        // Random biases too, so no ReLU sits exactly at its kink and every bias gradient path is exercised.
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)((random.NextDouble() * 2 - 1) * range);
    }

    /// <summary>
    /// Inputs (token ids as whole floats, with a repeated id in every sample, or values in [−1, 1]) and targets; for
    /// cross-entropy and binary cross-entropy also labels, one per output row (per step for a sequence output), with the
    /// targets their one-hot rows.
    /// </summary>
    public static Batch MakeBatch(INetwork net, SequenceReference reference, int batch, ref DeterministicRandom random)
    {
        var inputs = new float[batch * net.InputSize];
        int vocabulary = (net.Layers[0].Kind == "Embedding") ? VocabularyOf(net) : 0;
        for (int i = 0; i < inputs.Length; i++)
            inputs[i] = vocabulary > 0 ? random.NextInt(vocabulary) : (float)(random.NextDouble() * 2 - 1);
        if (vocabulary > 0)
            for (int n = 0; n < batch; n++) inputs[n * net.InputSize + 2] = inputs[n * net.InputSize]; // the same id twice in every sample

        int classes = net.Layers[^1].OutputShape[^1];
        int rows = net.OutputSize / classes;
        var targets = new float[batch * net.OutputSize];
        int[]? labels = null;
        if (net.Loss == Loss.MeanSquaredError)
            for (int i = 0; i < targets.Length; i++) targets[i] = (float)(random.NextDouble() * 2 - 1);
        else
        {
            labels = new int[batch * rows];
            for (int r = 0; r < labels.Length; r++)
            {
                labels[r] = random.NextInt(classes);
                targets[r * classes + labels[r]] = 1f;
            }
        }
        return new Batch(inputs, targets, labels);
    }

    /// <summary>The Embedding's vocabulary: its parameter count over its output width.</summary>
    public static int VocabularyOf(INetwork net) => net.Layers[0].ParameterCount / net.Layers[0].OutputShape[^1];
}
