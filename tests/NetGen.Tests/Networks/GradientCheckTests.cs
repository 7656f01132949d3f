using System;
using System.Linq;
using NetGen.Data;

namespace NetGen.Tests.Networks;

/// <summary>
/// Every activation and loss pair, both emission paths (unrolled and SIMD kernels), several batch sizes:
/// the generated loss and gradients must match an independent double-precision reference, and the reference
/// itself must match central differences. Tight enough to catch a wrong sign or a missing factor anywhere.
/// </summary>
public class GradientCheckTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in Networks.Keys)
            foreach (var batch in new[] { 1, 3, 16 })
                data.Add(name, batch);
        return data;
    }

    static readonly System.Collections.Generic.Dictionary<string, (Func<INetwork> Create, ReferenceNetwork Reference)> Networks = new()
    {
        ["SigmoidMse"] = (() => new SigmoidMse(11), new(5, Loss.MeanSquaredError, new(7, Activation.Sigmoid), new(3, Activation.Identity))),
        ["TanhMse"] = (() => new TanhMse(12), new(5, Loss.MeanSquaredError, new(7, Activation.Tanh), new(3, Activation.Tanh))),
        ["ReluMse"] = (() => new ReluMse(13), new(5, Loss.MeanSquaredError, new(7, Activation.ReLU), new(3, Activation.Sigmoid))),
        ["LeakyMse"] = (() => new LeakyMse(14), new(5, Loss.MeanSquaredError, new(7, Activation.LeakyReLU, 0.2), new(3, Activation.LeakyReLU, 0.01))),
        ["EluMse"] = (() => new EluMse(15), new(5, Loss.MeanSquaredError, new(7, Activation.ELU, 0.7), new(3, Activation.ELU, 1.0))),
        ["SoftmaxMse"] = (() => new SoftmaxMse(16), new(4, Loss.MeanSquaredError, new(5, Activation.Sigmoid), new(3, Activation.Softmax))),
        ["TanhCrossEntropy"] = (() => new TanhCrossEntropy(17), new(6, Loss.CrossEntropy, new(8, Activation.Tanh), new(4, Activation.Softmax))),
        ["EluBinaryCrossEntropy"] = (() => new EluBinaryCrossEntropy(18), new(4, Loss.BinaryCrossEntropy, new(5, Activation.ELU, 1.0), new(3, Activation.Sigmoid))),
        ["SingleOutputBce"] = (() => new SingleOutputBce(19), new(3, Loss.BinaryCrossEntropy, new(4, Activation.ReLU, 0, Bias: false), new(1, Activation.Sigmoid))),
        ["WideCrossEntropy"] = (() => new WideCrossEntropy(20), new(40, Loss.CrossEntropy, new(30, Activation.LeakyReLU, 0.01), new(20, Activation.ELU, 1.0), new(12, Activation.Sigmoid, 0, Bias: false), new(10, Activation.Softmax))),
        ["WideTanhMse"] = (() => new WideTanhMse(21), new(33, Loss.MeanSquaredError, new(17, Activation.Tanh), new(9, Activation.ReLU))),
        ["ImageFlatten"] = (() => new ImageFlatten(22), new(18, Loss.MeanSquaredError, new(5, Activation.Sigmoid), new(2, Activation.Identity))),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchTheDoublePrecisionReference(string name, int batch)
    {
        var (create, reference) = Networks[name];
        var net = create();
        Assert.Equal(reference.ParameterCount, net.ParameterCount);
        var random = new DeterministicRandom((ulong)(name.Length * 1000 + batch));
        // Random biases too, so no ReLU sits exactly at its kink and every bias gradient path is exercised.
        var parameters = net.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)(random.NextDouble() * 1.2 - 0.6);

        var (inputs, targets, labels) = MakeBatch(net, batch, ref random);
        var reference64 = net.Parameters.ToArray().Select(p => (double)p).ToArray();
        var (expectedLoss, expectedGradient) = reference.LossAndGradient(reference64, inputs, targets, batch);

        // The reference agrees with central differences (in double) before it judges anything.
        var numerical = reference.NumericalGradient(reference64, inputs, targets, batch);
        AssertClose(expectedGradient, numerical, 1e-5, "reference vs central differences");

        float loss = net.TrainBatch(inputs, targets, batch);
        Assert.Equal(expectedLoss, loss, 5e-5 * Math.Max(1, Math.Abs(expectedLoss)));
        AssertClose(expectedGradient, net.Gradients.ToArray().Select(g => (double)g).ToArray(), 2e-4, "generated vs reference (targets)");

        if (labels is not null)
        {
            net.Gradients.Clear();
            float labelLoss = net.TrainBatch(inputs, labels, batch);
            Assert.Equal(expectedLoss, labelLoss, 5e-5 * Math.Max(1, Math.Abs(expectedLoss)));
            AssertClose(expectedGradient, net.Gradients.ToArray().Select(g => (double)g).ToArray(), 2e-4, "generated vs reference (labels)");
        }
    }

    /// <summary>Cross-entropy targets that do not sum to 1 (multi-label, unnormalized): both emission paths against the reference.</summary>
    [Theory]
    [InlineData("TanhCrossEntropy")]
    [InlineData("WideCrossEntropy")]
    public void CrossEntropyWithTargetsThatDoNotSumToOneMatchesTheReference(string name)
    {
        const int batch = 4;
        var (create, reference) = Networks[name];
        var net = create();
        var random = new DeterministicRandom(31);
        var (inputs, targets, _) = MakeBatch(net, batch, ref random);
        for (int i = 0; i < targets.Length; i++) targets[i] = random.NextSingle(); // rows sum to about K/2, not 1
        var parameters = net.Parameters.ToArray().Select(p => (double)p).ToArray();
        var (expectedLoss, expectedGradient) = reference.LossAndGradient(parameters, inputs, targets, batch);
        AssertClose(expectedGradient, reference.NumericalGradient(parameters, inputs, targets, batch), 1e-5, "reference vs central differences");

        float loss = net.TrainBatch(inputs, targets, batch);
        Assert.Equal(expectedLoss, loss, 5e-5 * Math.Max(1, Math.Abs(expectedLoss)));
        AssertClose(expectedGradient, net.Gradients.ToArray().Select(g => (double)g).ToArray(), 2e-4, "generated vs reference");
    }

    [Fact]
    public void FrozenLayersGetNoGradientAndTheRestMatch()
    {
        var net = new FrozenFirst(5);
        var reference = new ReferenceNetwork(10, Loss.MeanSquaredError, new(12, Activation.Tanh), new(6, Activation.Sigmoid), new(3, Activation.Identity));
        var random = new DeterministicRandom(77);
        var (inputs, targets, _) = MakeBatch(net, 8, ref random);
        var (_, expected) = reference.LossAndGradient(net.Parameters.ToArray().Select(p => (double)p).ToArray(), inputs, targets, 8);
        net.TrainBatch(inputs, targets, 8);
        var frozen = net.Layers[0];
        Assert.False(frozen.Trainable);
        var gradients = net.Gradients.ToArray();
        Assert.All(gradients.Skip(frozen.ParameterOffset).Take(frozen.ParameterCount), g => Assert.Equal(0f, g));
        int start = frozen.ParameterCount;
        AssertClose(expected.Skip(start).ToArray(), gradients.Skip(start).Select(g => (double)g).ToArray(), 2e-4, "trainable layers");
    }

    /// <summary>Dropout draws its mask from (seed, layer, step): replaying a step gives the same mask, so central differences work on the generated network itself.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(32)]
    public void DropoutGradientsMatchCentralDifferences(int batch)
    {
        var net = new DropoutCrossEntropy(3);
        var random = new DeterministicRandom(99);
        var (inputs, _, labels) = MakeBatch(net, batch, ref random);
        const ulong step = 41;
        net.TrainingStep = step;
        net.TrainBatch(inputs, labels!, batch);
        var analytic = net.Gradients.ToArray();
        Assert.Contains(analytic, g => g != 0f);

        var parameters = net.Parameters;
        double maxError = 0, norm = 0;
        const float h = 1e-3f;
        // Every 7th parameter keeps the test fast while touching every layer.
        for (int i = 0; i < parameters.Length; i += 7)
        {
            float keep = parameters[i];
            parameters[i] = keep + h; net.TrainingStep = step; double plus = net.TrainBatch(inputs, labels!, batch);
            parameters[i] = keep - h; net.TrainingStep = step; double minus = net.TrainBatch(inputs, labels!, batch);
            parameters[i] = keep;
            double numerical = (plus - minus) / (2 * h);
            maxError = Math.Max(maxError, Math.Abs(numerical - analytic[i]));
            norm = Math.Max(norm, Math.Abs(analytic[i]));
        }
        Assert.True(maxError < 2e-3 + 1e-2 * norm, $"max |numerical − analytic| = {maxError:E3}, largest gradient {norm:E3}");
    }

    [Fact]
    public void DropoutIsTheIdentityAtInferenceAndMasksInTraining()
    {
        var net = new DropoutCrossEntropy(3);
        var random = new DeterministicRandom(5);
        var (inputs, _, labels) = MakeBatch(net, 4, ref random);
        var first = new float[16];
        var second = new float[16];
        net.Predict(inputs, first, 4);
        net.TrainBatch(inputs, labels!, 4); // a training step must not disturb inference
        net.Predict(inputs, second, 4);
        Assert.Equal(first, second);

        net.TrainingStep = 1;
        float a = net.TrainBatch(inputs, labels!, 4);
        net.TrainingStep = 2;
        float b = net.TrainBatch(inputs, labels!, 4);
        Assert.NotEqual(a, b); // different steps draw different masks
    }

    static (float[] Inputs, float[] Targets, int[]? Labels) MakeBatch(INetwork net, int batch, ref DeterministicRandom random)
    {
        var inputs = new float[batch * net.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(random.NextDouble() * 2 - 1);
        var targets = new float[batch * net.OutputSize];
        int[]? labels = null;
        if (net.Loss == Loss.MeanSquaredError)
            for (int i = 0; i < targets.Length; i++) targets[i] = (float)(random.NextDouble() * 2 - 1);
        else if (net.Loss == Loss.CrossEntropy || net.OutputSize == 1)
        {
            labels = new int[batch];
            int classes = net.OutputSize == 1 ? 2 : net.OutputSize;
            for (int n = 0; n < batch; n++)
            {
                labels[n] = random.NextInt(classes);
                if (net.OutputSize == 1) targets[n] = labels[n];
                else targets[n * net.OutputSize + labels[n]] = 1f;
            }
        }
        else
            for (int i = 0; i < targets.Length; i++) targets[i] = random.NextDouble() < 0.5 ? 0f : 1f;
        return (inputs, targets, labels);
    }

    /// <summary>Per element: |a − b| ≤ tolerance·(max|a| + 1e-3); the scale keeps tiny gradients from passing vacuously or failing on noise.</summary>
    static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs) + 1e-3;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            Assert.True(error <= tolerance * scale + 1e-7,
                $"{what}: parameter {i}: expected {expected[i]:E6}, got {actual[i]:E6} (|error| {error:E2}, allowed {tolerance * scale:E2})");
        }
    }
}
