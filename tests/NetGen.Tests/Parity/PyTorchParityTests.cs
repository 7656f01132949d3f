using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using NetGen.Data;

namespace NetGen.Tests.Parity;

/// <summary>
/// The same weights and the same batch through PyTorch (torch.nn.functional, float64): NetGen's loss and every gradient
/// must agree. This checks what our own reference cannot: that the parameter layout really is PyTorch's
/// (W[out, in], W[outC, inC, kH, kW], then biases), and that padding, strides and pooling mean what PyTorch means.
/// </summary>
public class PyTorchParityTests
{
    static object Dense(int units, string activation, double alpha = 0, bool bias = true) => new { kind = "Dense", units, activation, alpha, bias };
    static object Conv(int filters, int kh, int kw, int stride, int ph, int pw, string activation, double alpha = 0, bool bias = true) =>
        new { kind = "Conv2D", filters, kh, kw, stride, ph, pw, activation, alpha, bias };
    static object Pool(string kind, int size, int stride) => new { kind, size, stride };
    static object LowRank(int units, int rank, string activation, double alpha = 0, bool bias = true) => new { kind = "LowRankDense", units, rank, activation, alpha, bias };

    [TorchFact]
    public void LeNetMatchesPyTorch() => Check(new ParityLeNet(1), [1, 28, 28], 4,
        Conv(20, 5, 5, 1, 0, 0, "ReLU"), Pool("MaxPool2D", 2, 2), Dense(100, "ReLU"), Dense(10, "Softmax"));

    [TorchFact]
    public void StridedPaddedRectangularConvolutionsAndBothPoolsMatchPyTorch() => Check(new ParityMixedConv(2), [3, 11, 7], 5,
        Conv(4, 3, 3, 2, 1, 1, "Tanh"), Pool("MaxPool2D", 2, 2), Conv(5, 2, 1, 1, 0, 0, "ELU", 1.0, bias: false), Pool("AvgPool2D", 2, 2),
        Dense(6, "LeakyReLU", 0.1), Dense(3, "Softmax"));

    [TorchFact]
    public void BinaryCrossEntropyMatchesPyTorch() => Check(new ParityBce(3), [12], 7, Dense(9, "ELU", 0.5), Dense(4, "Sigmoid"));

    [TorchFact]
    public void SamePaddingFlattenAndSoftmaxWithMseMatchPyTorch() => Check(new ParitySoftmaxMse(4), [2, 4, 4], 3,
        Conv(3, 3, 3, 1, 1, 1, "Sigmoid"), new { kind = "Flatten" }, Dense(5, "Softmax"));

    [TorchFact]
    public void TheMlpFromTheGradientChecksMatchesPyTorch() => Check(new Networks.WideCrossEntropy(5), [40], 6,
        Dense(30, "LeakyReLU", 0.01), Dense(20, "ELU", 1.0), Dense(12, "Sigmoid", bias: false), Dense(10, "Softmax"));

    /// <summary>
    /// Targets that do not sum to 1 (random rows summing to about 2.5, a multi-hot row [1, 1, 0, ...], an all-zero row): the gradient through
    /// softmax is p·Σt − t, not p − t. PyTorch's <c>F.cross_entropy</c> with probability targets is the reference.
    /// </summary>
    [TorchFact]
    public void CrossEntropyWithTargetsThatDoNotSumToOneMatchesPyTorch() => Check(new Networks.WideCrossEntropy(6), [40], 5,
        (targets, classes) =>
        {
            var random = new DeterministicRandom(12);
            for (int i = 0; i < targets.Length; i++) targets[i] = random.NextSingle() * 0.5f;
            targets.AsSpan(0, classes).Clear();
            targets[0] = targets[1] = 1f;                      // multi-hot: Σt = 2
            targets.AsSpan(classes, classes).Clear();          // all zero: Σt = 0, no loss, no gradient
        },
        Dense(30, "LeakyReLU", 0.01), Dense(20, "ELU", 1.0), Dense(12, "Sigmoid", bias: false), Dense(10, "Softmax"));

    /// <summary>Sigmoid + binary cross-entropy with soft targets anywhere in [0, 1], against <c>F.binary_cross_entropy_with_logits</c>.</summary>
    [TorchFact]
    public void BinaryCrossEntropyWithSoftTargetsMatchesPyTorch() => Check(new ParityBce(8), [12], 7,
        (targets, _) => { var random = new DeterministicRandom(13); for (int i = 0; i < targets.Length; i++) targets[i] = random.NextSingle(); },
        Dense(9, "ELU", 0.5), Dense(4, "Sigmoid"));

    [TorchFact]
    public void LowRankDenseIsTwoLinearLayersInPyTorch() => Check(new ParityLowRank(6), [24], 5,
        LowRank(300, 20, "Tanh"), LowRank(18, 7, "LeakyReLU", 0.01, bias: false), LowRank(4, 2, "Softmax"));

    [TorchFact]
    public void LowRankDenseUnderMseMatchesPyTorch() => Check(new ParityLowRankMse(7), [5], 4,
        Dense(6, "Sigmoid"), LowRank(3, 2, "Identity"));

    /// <summary>
    /// The noise layers' draws for the step being checked, computed the way the generated code does (key: the mixed seed
    /// plus the layer's position; step: the network's training step, 0 here) and handed to PyTorch in files.
    /// </summary>
    [TorchFact]
    public void NoiseLayersWithReplayedDrawsMatchPyTorch()
    {
        const int seed = 8, batch = 5;
        ulong key = NetGen.Kernels.SplitMix.Mix((ulong)(uint)seed);
        var noise = new float[batch * 6];
        NetGen.Kernels.NoiseKernels.Gaussian(new float[noise.Length], noise, 0.5f, key + 1, 0);
        var mask = new float[batch * 8];
        NetGen.Kernels.NoiseKernels.Masking(new float[mask.Length], new float[mask.Length], mask, 0.4f, key + 3, 0);
        Assert.Contains(0f, mask);
        Check(new ParityNoise(seed), [6], batch, null, folder =>
            {
                File.WriteAllBytes(Path.Combine(folder, "noise1.f32"), MemoryMarshal.AsBytes(noise.AsSpan()).ToArray());
                File.WriteAllBytes(Path.Combine(folder, "mask3.f32"), MemoryMarshal.AsBytes(mask.AsSpan()).ToArray());
            },
            new { kind = "GaussianNoise", file = "noise1.f32" }, Dense(8, "Tanh"), new { kind = "MaskingNoise", file = "mask3.f32" }, Dense(3, "Softmax"));
    }

    static void Check(INetwork net, int[] inputShape, int batch, params object[] layers) => Check(net, inputShape, batch, (Action<float[], int>?)null, layers);

    static void Check(INetwork net, int[] inputShape, int batch, Action<float[], int>? fillTargets, params object[] layers) =>
        Check(net, inputShape, batch, fillTargets, null, layers);

    /// <param name="prepare">Writes extra files for the script into its folder (the noise layers' draws).</param>
    static void Check(INetwork net, int[] inputShape, int batch, Action<float[], int>? fillTargets, Action<string>? prepare, params object[] layers)
    {
        var random = new DeterministicRandom((ulong)net.ParameterCount);
        var parameters = net.Parameters;
        // Random biases too: every parameter takes part, none sits at zero by construction.
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)(random.NextDouble() * 0.6 - 0.3);
        var inputs = new float[batch * net.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(random.NextDouble() * 2 - 1);

        string folder = Directory.CreateTempSubdirectory("netgen-parity-").FullName;
        try
        {
            float loss;
            var spec = new Dictionary<string, object> { ["batch"] = batch, ["input"] = inputShape, ["loss"] = net.Loss.ToString(), ["layers"] = layers };
            if (fillTargets is not null)
            {
                var targets = new float[batch * net.OutputSize];
                fillTargets(targets, net.OutputSize);
                File.WriteAllBytes(Path.Combine(folder, "targets.f32"), MemoryMarshal.AsBytes(targets.AsSpan()).ToArray());
                loss = net.TrainBatch(inputs, targets, batch);
            }
            else if (net.Loss == Loss.MeanSquaredError)
            {
                var targets = new float[batch * net.OutputSize];
                for (int i = 0; i < targets.Length; i++) targets[i] = random.NextSingle();
                File.WriteAllBytes(Path.Combine(folder, "targets.f32"), MemoryMarshal.AsBytes(targets.AsSpan()).ToArray());
                loss = net.TrainBatch(inputs, targets, batch);
            }
            else if (net.Loss == Loss.BinaryCrossEntropy)
            {
                var targets = new float[batch * net.OutputSize];
                for (int i = 0; i < targets.Length; i++) targets[i] = random.NextDouble() < 0.5 ? 0f : 1f;
                File.WriteAllBytes(Path.Combine(folder, "targets.f32"), MemoryMarshal.AsBytes(targets.AsSpan()).ToArray());
                loss = net.TrainBatch(inputs, targets, batch);
            }
            else
            {
                var labels = new int[batch];
                for (int i = 0; i < batch; i++) labels[i] = random.NextInt(net.OutputSize);
                File.WriteAllBytes(Path.Combine(folder, "labels.i32"), MemoryMarshal.AsBytes(labels.AsSpan()).ToArray());
                spec["labels"] = true;
                loss = net.TrainBatch(inputs, labels, batch);
            }
            File.WriteAllBytes(Path.Combine(folder, "parameters.f32"), MemoryMarshal.AsBytes(net.Parameters).ToArray());
            File.WriteAllBytes(Path.Combine(folder, "inputs.f32"), MemoryMarshal.AsBytes(inputs.AsSpan()).ToArray());
            File.WriteAllText(Path.Combine(folder, "spec.json"), System.Text.Json.JsonSerializer.Serialize(spec));

            prepare?.Invoke(folder);
            RunTorch(folder);
            var result = MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(Path.Combine(folder, "result.f64"))).ToArray();
            Assert.Equal(1 + net.ParameterCount, result.Length);
            Assert.Equal(result[0], loss, 2e-5 * Math.Max(1, Math.Abs(result[0])));

            var expected = result.AsSpan(1).ToArray();
            var actual = net.Gradients.ToArray();
            double scale = expected.Max(Math.Abs) + 1e-3;
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-4 * scale,
                    $"parameter {i} of {expected.Length}: PyTorch {expected[i]:E6}, NetGen {actual[i]:E6}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static void RunTorch(string folder)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Parity", "torch_reference.py");
        var start = new ProcessStartInfo(TorchFactAttribute.Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"torch_reference.py failed ({process.ExitCode}):{Environment.NewLine}{errors}");
    }
}
