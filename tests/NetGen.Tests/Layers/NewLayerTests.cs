using System;
using System.Linq;
using NetGen.Data;

namespace NetGen.Tests.Layers;

[Network(Loss.CrossEntropy)]
[Input(6)]
[GaussianNoise(0.3, Name = "noise")]
[Dense(9, Activation.Tanh)]
[GaussianNoise(0.2)]
[Dense(3, Activation.Softmax)]
public partial class GaussianNoiseNet { }

[Network(Loss.MeanSquaredError)]
[Input(6)]
[MaskingNoise(0.3, Name = "corrupt")]
[Dense(9, Activation.ELU)]
[MaskingNoise(0.25)]
[Dense(6, Activation.Sigmoid)]
public partial class MaskingNoiseNet { }

[Network(Loss.MeanSquaredError)]
[Input(4)]
[LowRankDense(5, 2, Activation.Tanh, Name = "low")]
[Dense(3)]
public partial class LowRankMse { }

[Network(Loss.MeanSquaredError)]
[Input(7)]
[Dense(6, Activation.Tanh, Name = "full")]
public partial class FullDense { }

[Network(Loss.MeanSquaredError)]
[Input(7)]
[LowRankDense(6, 3, Activation.Tanh, Name = "low")]
public partial class LowRank3 { }

[Network(Loss.MeanSquaredError)]
[Input(7)]
[LowRankDense(6, 6, Activation.Tanh, Name = "low")]
public partial class LowRank6 { }

/// <summary>GaussianNoise, MaskingNoise and LowRankDense: gradients, inference, determinism, the SVD helper.</summary>
public class NewLayerTests
{
    static float[] Random(int count, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>Central differences on the network itself, replaying the step so every draw of noise repeats.</summary>
    static void CheckByReplay(INetwork net, float[] inputs, Func<float> train, ulong step)
    {
        net.TrainingStep = step;
        train();
        var analytic = net.Gradients.ToArray();
        Assert.Contains(analytic, g => g != 0f);
        var parameters = net.Parameters;
        double maxError = 0, norm = 0;
        const float h = 1e-3f;
        for (int i = 0; i < parameters.Length; i += 3)
        {
            float keep = parameters[i];
            parameters[i] = keep + h; net.TrainingStep = step; double plus = train();
            parameters[i] = keep - h; net.TrainingStep = step; double minus = train();
            parameters[i] = keep;
            double numerical = (plus - minus) / (2 * h);
            maxError = Math.Max(maxError, Math.Abs(numerical - analytic[i]));
            norm = Math.Max(norm, Math.Abs(analytic[i]));
        }
        Assert.True(maxError < 2e-3 + 1e-2 * norm, $"max |numerical − analytic| = {maxError:E3}, largest gradient {norm:E3}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void GaussianNoise_gradients_match_central_differences(int batch)
    {
        var net = new GaussianNoiseNet(3);
        float[] inputs = Random(batch * 6, 5);
        int[] labels = Enumerable.Range(0, batch).Select(i => i % 3).ToArray();
        CheckByReplay(net, inputs, () => net.TrainBatch(inputs, labels, batch), step: 17);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void MaskingNoise_gradients_match_central_differences(int batch)
    {
        var net = new MaskingNoiseNet(3);
        float[] inputs = Random(batch * 6, 6), targets = Random(batch * 6, 7).Select(t => (t + 1) / 2).ToArray();
        CheckByReplay(net, inputs, () => net.TrainBatch(inputs, targets, batch), step: 23);
    }

    [Fact]
    public void Noise_is_training_only_seeded_and_replayable()
    {
        float[] inputs = Random(4 * 6, 8);
        int[] labels = { 0, 1, 2, 0 };
        var net = new GaussianNoiseNet(3);
        float[] before = new float[12], after = new float[12], noiseOut = new float[24];
        net.Predict(inputs, before, 4);
        net.PredictLayer("noise", inputs, noiseOut, 4);
        Assert.Equal(inputs, noiseOut); // the identity at inference
        net.TrainingStep = 5; float a = net.TrainBatch(inputs, labels, 4);
        net.TrainingStep = 5; float b = net.TrainBatch(inputs, labels, 4);
        net.TrainingStep = 6; float c = net.TrainBatch(inputs, labels, 4);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        net.Predict(inputs, after, 4);
        Assert.Equal(before, after);

        var other = new GaussianNoiseNet(3);
        other.TrainingStep = 5;
        Assert.Equal(a, other.TrainBatch(inputs, labels, 4)); // same seed, same step: same noise

        var masking = new MaskingNoiseNet(4);
        float[] targets = new float[4 * 6];
        masking.TrainingStep = 9; float m1 = masking.TrainBatch(inputs, targets, 4);
        masking.TrainingStep = 9; float m2 = masking.TrainBatch(inputs, targets, 4);
        Assert.Equal(m1, m2);
    }

    [Fact]
    public void Masking_noise_zeroes_about_rate_and_keeps_the_rest_unscaled()
    {
        var input = Enumerable.Repeat(2f, 100_000).ToArray();
        var output = new float[input.Length];
        var mask = new float[input.Length];
        NetGen.Kernels.NoiseKernels.Masking(input, output, mask, 0.3f, seed: 11, step: 2);
        double zeroed = output.Count(v => v == 0f) / (double)output.Length;
        Assert.InRange(zeroed, 0.29, 0.31);
        Assert.All(output, v => Assert.True(v == 0f || v == 2f));

        NetGen.Kernels.NoiseKernels.Gaussian(new float[100_000], output, 0.5f, seed: 11, step: 2);
        double mean = output.Average(v => (double)v), std = Math.Sqrt(output.Average(v => (double)v * v) - mean * mean);
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(std, 0.49, 0.51);
    }

    /// <summary>y = W2·tanh(U·(V·x) + b1) + b2 and ½‖y − t‖² in double, by hand.</summary>
    static (double Loss, double[] Gradient) LowRankReference(double[] p, float[] x, float[] t, int batch)
    {
        const int In = 4, R = 2, H = 5, O = 3;
        int v0 = 0, u0 = R * In, b1 = u0 + H * R, w2 = b1 + H, b2 = w2 + O * H;
        var g = new double[p.Length];
        double loss = 0;
        for (int n = 0; n < batch; n++)
        {
            var h = new double[R]; var a = new double[H]; var y = new double[O];
            for (int r = 0; r < R; r++) for (int i = 0; i < In; i++) h[r] += p[v0 + r * In + i] * x[n * In + i];
            for (int j = 0; j < H; j++) { double z = p[b1 + j]; for (int r = 0; r < R; r++) z += p[u0 + j * R + r] * h[r]; a[j] = Math.Tanh(z); }
            for (int k = 0; k < O; k++) { double z = p[b2 + k]; for (int j = 0; j < H; j++) z += p[w2 + k * H + j] * a[j]; y[k] = z; }
            var dy = new double[O];
            for (int k = 0; k < O; k++) { double e = y[k] - t[n * O + k]; loss += 0.5 * e * e / batch; dy[k] = e / batch; }
            var dz = new double[H];
            for (int k = 0; k < O; k++)
            {
                g[b2 + k] += dy[k];
                for (int j = 0; j < H; j++) { g[w2 + k * H + j] += dy[k] * a[j]; dz[j] += dy[k] * p[w2 + k * H + j]; }
            }
            var dh = new double[R];
            for (int j = 0; j < H; j++)
            {
                dz[j] *= 1 - a[j] * a[j];
                g[b1 + j] += dz[j];
                for (int r = 0; r < R; r++) { g[u0 + j * R + r] += dz[j] * h[r]; dh[r] += dz[j] * p[u0 + j * R + r]; }
            }
            for (int r = 0; r < R; r++) for (int i = 0; i < In; i++) g[v0 + r * In + i] += dh[r] * x[n * In + i];
        }
        return (loss, g);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void LowRankDense_matches_a_double_precision_reference(int batch)
    {
        var net = new LowRankMse(2);
        var p = net.Parameters;
        float[] values = Random(p.Length, 12);
        values.CopyTo(p);
        float[] inputs = Random(batch * 4, 13), targets = Random(batch * 3, 14);
        var (loss, gradient) = LowRankReference(values.Select(v => (double)v).ToArray(), inputs, targets, batch);
        Assert.Equal(loss, net.TrainBatch(inputs, targets, batch), 5e-5 * Math.Max(1, loss));
        double scale = gradient.Max(Math.Abs);
        var actual = net.Gradients.ToArray();
        for (int i = 0; i < gradient.Length; i++)
            Assert.True(Math.Abs(gradient[i] - actual[i]) <= 2e-4 * scale, $"parameter {i}: reference {gradient[i]:E6}, NetGen {actual[i]:E6}");

        Assert.Equal("low (LowRankDense): 4 → 5, 23 parameters at 0", net.Layers[0].ToString());
        net.SetTrainable("low", false);
        net.TrainBatch(inputs, targets, batch);
        Assert.All(net.Gradients.Slice(0, 23).ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Factorize_writes_the_best_rank_r_approximation()
    {
        var dense = new FullDense(4);
        float[] inputs = Random(5 * 7, 15);
        float[] full = new float[5 * 6];
        dense.Predict(inputs, full, 5);

        // Full rank reproduces the layer to rounding.
        var exact = new LowRank6(1);
        double error6 = LowRank.Factorize(dense, "full", exact, "low");
        Assert.True(error6 < 1e-6, $"relative error {error6}");
        float[] output = new float[5 * 6];
        exact.Predict(inputs, output, 5);
        for (int i = 0; i < output.Length; i++) Assert.Equal(full[i], output[i], 4);

        // Rank 3: the error is the tail of the singular values (Eckart–Young), checked against W − U·V directly.
        var low = new LowRank3(1);
        double error3 = LowRank.Factorize(dense, "full", low, "low");
        var w = dense.Parameters.Slice(0, 42).ToArray();
        var q = low.Parameters;
        double diff = 0, norm = 0;
        for (int j = 0; j < 6; j++)
            for (int i = 0; i < 7; i++)
            {
                double uv = 0;
                for (int k = 0; k < 3; k++) uv += q[21 + j * 3 + k] * q[k * 7 + i];
                diff += (w[j * 7 + i] - uv) * (w[j * 7 + i] - uv);
                norm += w[j * 7 + i] * w[j * 7 + i];
            }
        Assert.Equal(Math.Sqrt(diff / norm), error3, 4);
        Assert.InRange(error3, 1e-3, 0.99);
        Assert.Equal(dense.Parameters.Slice(42, 6).ToArray(), q.Slice(39, 6).ToArray()); // the bias, copied

        Assert.Throws<ArgumentException>(() => LowRank.Factorize(dense, "full", new LowRankMse(1), "low"));
        Assert.Throws<ArgumentException>(() => LowRank.Factorize(low, "low", exact, "low"));
    }

    [Fact]
    public void Svd_reconstructs_wide_and_tall_matrices()
    {
        foreach (var (m, n) in new[] { (5, 3), (3, 5), (4, 4), (1, 6) })
        {
            float[] a = Random(m * n, (ulong)(m * 10 + n));
            var (left, sigma, right) = LowRank.Svd(a, m, n);
            int p = Math.Min(m, n);
            Assert.Equal(p, sigma.Length);
            for (int k = 1; k < p; k++) Assert.True(sigma[k - 1] >= sigma[k]);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < p; k++) sum += left[i * p + k] * sigma[k] * right[j * p + k];
                    Assert.Equal(a[i * n + j], sum, 5);
                }
        }
    }

    [Fact]
    public void New_layers_and_a_frozen_layer_train_without_allocating_after_warm_up()
    {
        var net = new GaussianNoiseNet(2);
        var masking = new MaskingNoiseNet(2);
        var low = new LowRankMse(2);
        var inputs = new float[16 * 6];
        var labels = new int[16];
        var targets = new float[16 * 6];
        var adam = new Adam(0.001f);
        var sgd = new Sgd(0.01f, momentum: 0.9f);
        var rms = new RmsProp(0.01f);
        net.SetTrainable("Dense2", false); // the optimizer recomputes its ranges once, on the next step
        for (int i = 0; i < 3; i++)
        {
            net.TrainBatch(inputs, labels, 16); adam.Step(net);
            masking.TrainBatch(inputs, targets, 16); sgd.Step(masking);
            low.TrainBatch(inputs.AsSpan(0, 16 * 4), targets.AsSpan(0, 16 * 3), 16); rms.Step(low);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            net.TrainBatch(inputs, labels, 16); adam.Step(net);
            masking.TrainBatch(inputs, targets, 16); sgd.Step(masking);
            low.TrainBatch(inputs.AsSpan(0, 16 * 4), targets.AsSpan(0, 16 * 3), 16); rms.Step(low);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
