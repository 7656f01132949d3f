using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using NetGen.Kernels;
using NetGen.Tests.Kernels;
using NetGen.Tests.Parity;

namespace NetGen.Tests.Recurrent;

/// <summary>
/// SimpleRNN against a double-precision reference written from h_t = f(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh)
/// (central differences for every gradient) and against PyTorch's nn.RNN; Embedding's gather and scatter-add.
/// </summary>
[Collection(KernelCollection.Name)]
public class SimpleRnnAndEmbeddingKernelTests
{
    const int Batch = 3, Steps = 6, In = 4, Hidden = 5;

    // From zeros, or from initial (h of every row); the final h goes into final when given.
    static double[] Reference(double[] x, double[] p, bool sequences, bool relu, double[]? initial = null, double[]? final = null)
    {
        int wHh = Hidden * In, bIh = wHh + Hidden * Hidden, bHh = bIh + Hidden;
        var output = new double[sequences ? Batch * Steps * Hidden : Batch * Hidden];
        for (int n = 0; n < Batch; n++)
        {
            var h = new double[Hidden];
            if (initial != null) Array.Copy(initial, n * Hidden, h, 0, Hidden);
            for (int t = 0; t < Steps; t++)
            {
                var next = new double[Hidden];
                for (int j = 0; j < Hidden; j++)
                {
                    double s = p[bIh + j] + p[bHh + j];
                    for (int k = 0; k < In; k++) s += p[j * In + k] * x[(n * Steps + t) * In + k];
                    for (int k = 0; k < Hidden; k++) s += p[wHh + j * Hidden + k] * h[k];
                    next[j] = relu ? Math.Max(0, s) : Math.Tanh(s);
                }
                h = next;
                if (sequences) Array.Copy(h, 0, output, (n * Steps + t) * Hidden, Hidden);
            }
            if (!sequences) Array.Copy(h, 0, output, n * Hidden, Hidden);
            if (final != null) Array.Copy(h, 0, final, n * Hidden, Hidden);
        }
        return output;
    }

    public static TheoryData<int, bool, bool, bool> Cases()
    {
        var data = new TheoryData<int, bool, bool, bool>();
        foreach (int width in new[] { 256, 0 })
            foreach (bool sequences in new[] { false, true })
                foreach (bool relu in new[] { false, true })
                    foreach (bool stateful in new[] { false, true })
                        data.Add(width, sequences, relu, stateful);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_and_gradients_match_a_double_precision_reference(int width, bool sequences, bool relu, bool stateful)
    {
        using var simd = new WidthScope(width);
        int count = (int)SimpleRnnKernels.ParameterCount(In, Hidden), outputs = sequences ? Batch * Steps * Hidden : Batch * Hidden;
        float[] initial = stateful ? TestData.Random(Batch * Hidden, 54, 0.9f) : [];
        var state = (float[])initial.Clone();
        var (y, dp, dx, x, p, weights) = Run(sequences, relu, Batch, Steps, In, Hidden, 51, state);
        double[] xd = Array.ConvertAll(x, v => (double)v), pd = Array.ConvertAll(p, v => (double)v);
        double[]? initialD = stateful ? Array.ConvertAll(initial, v => (double)v) : null;
        var finalD = new double[Batch * Hidden];
        var expected = Reference(xd, pd, sequences, relu, initialD, finalD);
        for (int k = 0; k < outputs; k++) Assert.True(Math.Abs(expected[k] - y[k]) < 2e-6, $"output {k}: reference {expected[k]:E6}, kernel {y[k]:E6}");
        if (stateful)
            for (int k = 0; k < state.Length; k++) Assert.True(Math.Abs(finalD[k] - state[k]) < 2e-6, $"final state {k}: reference {finalD[k]:E6}, kernel {state[k]:E6}");
        double Loss() { var o = Reference(xd, pd, sequences, relu, initialD); double s = 0; for (int k = 0; k < o.Length; k++) s += o[k] * weights[k]; return s; }
        void CheckAll(double[] values, float[] analytic, string what)
        {
            for (int k = 0; k < values.Length; k++)
            {
                double keep = values[k];
                values[k] = keep + 1e-6; double up = Loss();
                values[k] = keep - 1e-6; double down = Loss();
                values[k] = keep;
                double numeric = (up - down) / 2e-6;
                Assert.True(Math.Abs(numeric - analytic[k]) < 1e-4 * Math.Max(1, Math.Abs(numeric)), $"{what} {k}: numeric {numeric:E6}, kernel {analytic[k]:E6}");
            }
        }
        CheckAll(pd, dp, "parameter");
        CheckAll(xd, dx, "input");
    }

    // Forward then Backward; a non-empty state is carried in (and replaced by the final one).
    static (float[] Y, float[] DP, float[] DX, float[] X, float[] P, float[] W) Run(bool sequences, bool relu, int batch, int steps, int inputs, int hidden, ulong seed,
        float[]? state = null)
    {
        int count = (int)SimpleRnnKernels.ParameterCount(inputs, hidden), outputs = sequences ? batch * steps * hidden : batch * hidden;
        var x = TestData.Random(batch * steps * inputs, seed);
        var p = TestData.Random(count, seed + 1, 0.5f);
        var weights = TestData.Random(outputs, seed + 2);
        var workspace = new float[SimpleRnnKernels.WorkspaceSize(batch, steps, inputs, hidden)];
        var y = new float[outputs];
        var dp = new float[count];
        var dx = new float[x.Length];
        if (relu)
        {
            SimpleRnnKernels.Forward<ReLU>(x, p, y, workspace, batch, steps, inputs, hidden, sequences, state);
            SimpleRnnKernels.Backward<ReLU>(weights, p, dp, dx, workspace, batch, steps, inputs, hidden, sequences);
        }
        else
        {
            SimpleRnnKernels.Forward<Tanh>(x, p, y, workspace, batch, steps, inputs, hidden, sequences, state);
            SimpleRnnKernels.Backward<Tanh>(weights, p, dp, dx, workspace, batch, steps, inputs, hidden, sequences);
        }
        return (y, dp, dx, x, p, weights);
    }

    [TorchFact]
    public void Matches_pytorch_rnn_with_tanh_and_relu()
    {
        foreach (bool relu in new[] { false, true })
            foreach (bool sequences in new[] { false, true })
                foreach (bool stateful in new[] { false, true })
                {
                    const int batch = 4, steps = 7, inputs = 6, hidden = 10;
                    // Stateful: PyTorch gets the initial state as h0, and its h_n is compared with the state Forward leaves.
                    float[] initial = stateful ? TestData.Random(batch * hidden, 64, 0.8f) : [];
                    var state = (float[])initial.Clone();
                    var (y, dp, dx, x, p, weights) = Run(sequences, relu, batch, steps, inputs, hidden, 61, state);
                    string folder = Directory.CreateTempSubdirectory("netgen-rnn-").FullName;
                    try
                    {
                        if (stateful) File.WriteAllBytes(Path.Combine(folder, "state.f32"), MemoryMarshal.AsBytes(initial.AsSpan()).ToArray());
                        File.WriteAllBytes(Path.Combine(folder, "x.f32"), MemoryMarshal.AsBytes(x.AsSpan()).ToArray());
                        File.WriteAllBytes(Path.Combine(folder, "parameters.f32"), MemoryMarshal.AsBytes(p.AsSpan()).ToArray());
                        File.WriteAllBytes(Path.Combine(folder, "weights.f32"), MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());
                        File.WriteAllText(Path.Combine(folder, "spec.json"),
                            $"{{\"kind\": \"{(relu ? "rnn_relu" : "rnn_tanh")}\", \"batch\": {batch}, \"steps\": {steps}, \"inputs\": {inputs}, \"hidden\": {hidden}, \"sequences\": {(sequences ? "true" : "false")}}}");
                        var start = new ProcessStartInfo(TorchFactAttribute.Python) { RedirectStandardError = true, RedirectStandardOutput = true };
                        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Recurrent", "torch_recurrent.py"));
                        start.ArgumentList.Add(folder);
                        using (var process = Process.Start(start)!)
                        {
                            string errors = process.StandardError.ReadToEnd();
                            process.WaitForExit();
                            Assert.True(process.ExitCode == 0, $"torch_recurrent.py failed:\n{errors}");
                        }
                        var torch = MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(Path.Combine(folder, "result.f64"))).ToArray();
                        var all = new float[y.Length + dp.Length + dx.Length + state.Length];
                        y.CopyTo(all, 0); dp.CopyTo(all, y.Length); dx.CopyTo(all, y.Length + dp.Length); state.CopyTo(all, y.Length + dp.Length + dx.Length);
                        Assert.Equal(all.Length, torch.Length);
                        double scale = 1e-3;
                        foreach (double v in torch) scale = Math.Max(scale, Math.Abs(v));
                        for (int k = 0; k < all.Length; k++)
                            Assert.True(Math.Abs(torch[k] - all[k]) <= 2e-5 * scale, $"{(relu ? "ReLU" : "tanh")}, sequences {sequences}, stateful {stateful}, value {k}: PyTorch {torch[k]:E6}, NetGen {all[k]:E6}");
                    }
                    finally { Directory.Delete(folder, recursive: true); }
                }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Two_stateful_calls_of_T_steps_continue_one_call_of_2T_steps(bool sequences)
    {
        const int batch = 5, steps = 7, inputs = 6, hidden = 20;
        int count = (int)SimpleRnnKernels.ParameterCount(inputs, hidden);
        var x = TestData.Random(batch * 2 * steps * inputs, 65);
        var p = TestData.Random(count, 66, 0.4f);
        var start = TestData.Random(batch * hidden, 67, 0.5f);
        var whole = new float[batch * 2 * steps * hidden];
        var wholeState = (float[])start.Clone();
        SimpleRnnKernels.Forward<Tanh>(x, p, whole, new float[SimpleRnnKernels.WorkspaceSize(batch, 2 * steps, inputs, hidden)], batch, 2 * steps, inputs, hidden, true, wholeState);

        var state = (float[])start.Clone();
        var workspace = new float[SimpleRnnKernels.WorkspaceSize(batch, steps, inputs, hidden)];
        var half = new float[batch * steps * inputs];
        var y = new float[sequences ? batch * steps * hidden : batch * hidden];
        for (int part = 0; part < 2; part++)
        {
            for (int n = 0; n < batch; n++)
                x.AsSpan((n * 2 * steps + part * steps) * inputs, steps * inputs).CopyTo(half.AsSpan(n * steps * inputs));
            SimpleRnnKernels.Forward<Tanh>(half, p, y, workspace, batch, steps, inputs, hidden, sequences, state);
            for (int n = 0; n < batch; n++)
                for (int t = sequences ? 0 : steps - 1; t < steps; t++)
                    for (int j = 0; j < hidden; j++)
                    {
                        float expected = whole[(n * 2 * steps + part * steps + t) * hidden + j];
                        float actual = y[sequences ? (n * steps + t) * hidden + j : n * hidden + j];
                        Assert.True(Math.Abs(expected - actual) <= 1e-6f, $"part {part}, row {n}, step {t}, unit {j}: one call {expected:R}, two calls {actual:R}");
                    }
        }
        for (int k = 0; k < state.Length; k++) Assert.True(Math.Abs(wholeState[k] - state[k]) <= 1e-6f, $"final state {k}: one call {wholeState[k]:R}, two calls {state[k]:R}");
        var e = Assert.Throws<ArgumentException>(() => SimpleRnnKernels.Forward<Tanh>(half, p, y, workspace, batch, steps, inputs, hidden, sequences, new float[batch * hidden + 1]));
        Assert.Contains($"state must hold {batch * hidden} floats, but holds {batch * hidden + 1}", e.Message);
    }

    [Fact]
    public void Embedding_gathers_rows_and_scatter_adds_gradients_into_the_rows_it_read()
    {
        const int vocabulary = 5, dimension = 3;
        float[] w = [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42];
        int[] ids = [3, 0, 3];
        var y = new float[ids.Length * dimension];
        EmbeddingKernels.Forward(ids, w, y, vocabulary, dimension);
        Assert.Equal(new float[] { 30, 31, 32, 0, 1, 2, 30, 31, 32 }, y);
        var dw = new float[w.Length];
        dw.AsSpan().Fill(99f); // overwritten, not accumulated
        EmbeddingKernels.Backward(ids, new float[] { 1, 2, 3, 4, 5, 6, 10, 20, 30 }, dw, vocabulary, dimension);
        Assert.Equal(new float[] { 4, 5, 6, 0, 0, 0, 0, 0, 0, 11, 22, 33, 0, 0, 0 }, dw);
        var e = Assert.Throws<ArgumentException>(() => EmbeddingKernels.Forward(new[] { 1, 5 }, w, new float[6], vocabulary, dimension));
        Assert.Contains("ids[1] is 5, but token ids must lie in [0, 4]", e.Message);
        Assert.Throws<ArgumentException>(() => EmbeddingKernels.Backward(new[] { -1 }, new float[3], dw, vocabulary, dimension));
    }
}
