using System;
using NetGen.Kernels;
using NetGen.Tests.Kernels;

namespace NetGen.Tests.Recurrent;

/// <summary>
/// The LSTM kernels against an independent double-precision LSTM written from the equations (batch-first, no shared
/// code): outputs, and every gradient (parameters and inputs) against central differences of the double forward, for
/// the last step only and for every step, at every vector width, from zeros and from a carried (stateful) state.
/// </summary>
[Collection(KernelCollection.Name)]
public class LstmKernelTests
{
    const int Batch = 3, Steps = 5, In = 4, Hidden = 6;

    // The reference: h, c per step from the equations, from zeros or from initial = [h of every row, c of every row];
    // returns the outputs as Forward shapes them, and the final (h, c) in the same layout into final when given.
    static double[] ReferenceForward(double[] x, double[] p, bool sequences, double[]? initial = null, double[]? final = null)
    {
        int h4 = 4 * Hidden, wHh = h4 * In, bIh = wHh + h4 * Hidden, bHh = bIh + h4;
        var output = new double[sequences ? Batch * Steps * Hidden : Batch * Hidden];
        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        for (int n = 0; n < Batch; n++)
        {
            var h = new double[Hidden];
            var c = new double[Hidden];
            if (initial != null)
            {
                Array.Copy(initial, n * Hidden, h, 0, Hidden);
                Array.Copy(initial, (Batch + n) * Hidden, c, 0, Hidden);
            }
            for (int t = 0; t < Steps; t++)
            {
                var a = new double[h4];
                for (int r = 0; r < h4; r++)
                {
                    double s = p[bIh + r] + p[bHh + r];
                    for (int k = 0; k < In; k++) s += p[r * In + k] * x[(n * Steps + t) * In + k];
                    for (int k = 0; k < Hidden; k++) s += p[wHh + r * Hidden + k] * h[k];
                    a[r] = s;
                }
                for (int j = 0; j < Hidden; j++)
                {
                    double i = Sigmoid(a[j]), f = Sigmoid(a[Hidden + j]), g = Math.Tanh(a[2 * Hidden + j]), o = Sigmoid(a[3 * Hidden + j]);
                    c[j] = f * c[j] + i * g;
                    h[j] = o * Math.Tanh(c[j]);
                }
                if (sequences) Array.Copy(h, 0, output, (n * Steps + t) * Hidden, Hidden);
            }
            if (!sequences) Array.Copy(h, 0, output, n * Hidden, Hidden);
            if (final != null)
            {
                Array.Copy(h, 0, final, n * Hidden, Hidden);
                Array.Copy(c, 0, final, (Batch + n) * Hidden, Hidden);
            }
        }
        return output;
    }

    static double Loss(double[] output, float[] weights)
    {
        double s = 0;
        for (int k = 0; k < output.Length; k++) s += output[k] * weights[k];
        return s;
    }

    public static TheoryData<int, bool, bool> Cases()
    {
        var data = new TheoryData<int, bool, bool>();
        foreach (int width in new[] { 512, 256, 128, 0 })
            foreach (bool sequences in new[] { false, true })
                foreach (bool stateful in new[] { false, true })
                    data.Add(width, sequences, stateful);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_and_every_gradient_match_a_double_precision_reference(int width, bool sequences, bool stateful)
    {
        using var simd = new WidthScope(width);
        int parameterCount = (int)LstmKernels.ParameterCount(In, Hidden);
        var x = TestData.Random(Batch * Steps * In, 31);
        var p = TestData.Random(parameterCount, 32, 0.5f);
        int outputs = sequences ? Batch * Steps * Hidden : Batch * Hidden;
        var lossWeights = TestData.Random(outputs, 33);
        var workspace = new float[LstmKernels.WorkspaceSize(Batch, Steps, In, Hidden)];
        var y = new float[outputs];
        // Stateful: (h, c) of a stream's previous batch, well away from zero, which Forward replaces by the final state.
        float[] initial = stateful ? TestData.Random(2 * Batch * Hidden, 34, 0.9f) : [];
        var state = (float[])initial.Clone();
        LstmKernels.Forward(x, p, y, workspace, Batch, Steps, In, Hidden, sequences, state);

        double[] xd = Array.ConvertAll(x, v => (double)v), pd = Array.ConvertAll(p, v => (double)v);
        double[]? initialD = stateful ? Array.ConvertAll(initial, v => (double)v) : null;
        var finalD = new double[2 * Batch * Hidden];
        var expected = ReferenceForward(xd, pd, sequences, initialD, finalD);
        for (int k = 0; k < outputs; k++) Assert.True(Math.Abs(expected[k] - y[k]) < 2e-6, $"output {k}: reference {expected[k]:E6}, kernel {y[k]:E6}");
        if (stateful)
            for (int k = 0; k < state.Length; k++) Assert.True(Math.Abs(finalD[k] - state[k]) < 2e-6, $"final state {k}: reference {finalD[k]:E6}, kernel {state[k]:E6}");

        var dp = new float[parameterCount];
        var dx = new float[x.Length];
        LstmKernels.Backward(lossWeights, p, dp, dx, workspace, Batch, Steps, In, Hidden, sequences);

        const double step = 1e-6;
        for (int k = 0; k < parameterCount; k++)
        {
            double keep = pd[k];
            pd[k] = keep + step; double up = Loss(ReferenceForward(xd, pd, sequences, initialD), lossWeights);
            pd[k] = keep - step; double down = Loss(ReferenceForward(xd, pd, sequences, initialD), lossWeights);
            pd[k] = keep;
            double numeric = (up - down) / (2 * step);
            Assert.True(Math.Abs(numeric - dp[k]) < 1e-4 * Math.Max(1, Math.Abs(numeric)), $"parameter {k} ({Describe(k)}): numeric {numeric:E6}, kernel {dp[k]:E6}");
        }
        for (int k = 0; k < x.Length; k++)
        {
            double keep = xd[k];
            xd[k] = keep + step; double up = Loss(ReferenceForward(xd, pd, sequences, initialD), lossWeights);
            xd[k] = keep - step; double down = Loss(ReferenceForward(xd, pd, sequences, initialD), lossWeights);
            xd[k] = keep;
            double numeric = (up - down) / (2 * step);
            Assert.True(Math.Abs(numeric - dx[k]) < 1e-4 * Math.Max(1, Math.Abs(numeric)), $"input {k}: numeric {numeric:E6}, kernel {dx[k]:E6}");
        }
    }

    static string Describe(int k)
    {
        int h4 = 4 * Hidden;
        if (k < h4 * In) return $"W_ih[{k / In}, {k % In}]";
        k -= h4 * In;
        if (k < h4 * Hidden) return $"W_hh[{k / Hidden}, {k % Hidden}]";
        k -= h4 * Hidden;
        return k < h4 ? $"b_ih[{k}]" : $"b_hh[{k - h4}]";
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Two_stateful_calls_of_T_steps_continue_one_call_of_2T_steps(bool sequences)
    {
        const int batch = 5, steps = 7, inputs = 6, hidden = 24;
        int parameterCount = (int)LstmKernels.ParameterCount(inputs, hidden);
        var x = TestData.Random(batch * 2 * steps * inputs, 35);
        var p = TestData.Random(parameterCount, 36, 0.5f);
        // Every step of the long run; its state carried from a non-zero start, as in the middle of a stream.
        var start = TestData.Random(2 * batch * hidden, 37, 0.5f);
        var whole = new float[batch * 2 * steps * hidden];
        var wholeState = (float[])start.Clone();
        LstmKernels.Forward(x, p, whole, new float[LstmKernels.WorkspaceSize(batch, 2 * steps, inputs, hidden)], batch, 2 * steps, inputs, hidden, true, wholeState);

        var state = (float[])start.Clone();
        var workspace = new float[LstmKernels.WorkspaceSize(batch, steps, inputs, hidden)];
        var half = new float[batch * steps * inputs];
        var y = new float[sequences ? batch * steps * hidden : batch * hidden];
        for (int part = 0; part < 2; part++)
        {
            for (int n = 0; n < batch; n++)
                x.AsSpan((n * 2 * steps + part * steps) * inputs, steps * inputs).CopyTo(half.AsSpan(n * steps * inputs));
            LstmKernels.Forward(half, p, y, workspace, batch, steps, inputs, hidden, sequences, state);
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
    }

    // Rows are split across threads for the whole step loop (forward and backward); every value must come out the same
    // as on one thread. 7 rows split unevenly; 20 units end in a partial block of the packed weights.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Splitting_the_rows_across_threads_changes_no_bit(bool sequences)
    {
        const int batch = 7, steps = 5, inputs = 6, hidden = 20;
        int parameterCount = (int)LstmKernels.ParameterCount(inputs, hidden), outputs = sequences ? batch * steps * hidden : batch * hidden;
        var x = TestData.Random(batch * steps * inputs, 38);
        var p = TestData.Random(parameterCount, 39, 0.5f);
        var above = TestData.Random(outputs, 40);
        (float[] Y, float[] DP, float[] DX, float[] State) Run(bool parallel)
        {
            using var scope = new ParallelScope(parallel);
            var workspace = new float[LstmKernels.WorkspaceSize(batch, steps, inputs, hidden)];
            var state = TestData.Random(2 * batch * hidden, 41, 0.5f);
            var y = new float[outputs];
            var dp = new float[parameterCount];
            var dx = new float[x.Length];
            LstmKernels.Forward(x, p, y, workspace, batch, steps, inputs, hidden, sequences, state);
            LstmKernels.Backward(above, p, dp, dx, workspace, batch, steps, inputs, hidden, sequences);
            return (y, dp, dx, state);
        }
        var one = Run(parallel: false);
        var split = Run(parallel: true);
        TestData.BitIdentical(one.Y, split.Y, "output");
        TestData.BitIdentical(one.State, split.State, "final state");
        TestData.BitIdentical(one.DP, split.DP, "parameter gradient");
        TestData.BitIdentical(one.DX, split.DX, "input gradient");
    }

    // The generator caps a network's training batch from a per-sample workspace figure of its own (RecurrentLayer.
    // ExtraWorkspacePerSample: 2TF + 3T·4H + 2(T+1)H + 2·4H + 2H + T·max(F, H) + 4H); the kernel's workspace must not
    // grow faster with the batch, or a batch at the cap would need more than an array holds.
    [Theory]
    [InlineData(64, 32, 128)]
    [InlineData(28, 28, 128)]
    [InlineData(5, 4, 6)]
    [InlineData(7, 200, 16)]
    public void The_workspace_grows_per_sample_within_the_generators_batch_limit_figure(int steps, int features, int hidden)
    {
        long g = 4L * hidden;
        long figure = 2L * steps * features + 3 * steps * g + 2L * (steps + 1) * hidden + 2 * g + 2L * hidden + (long)steps * Math.Max(features, hidden) + g;
        long perSample = LstmKernels.WorkspaceSize(101, steps, features, hidden) - LstmKernels.WorkspaceSize(100, steps, features, hidden);
        Assert.True(perSample <= figure, $"the workspace grows by {perSample} floats per sample, the generator counts {figure}");
    }

    [Fact]
    public void A_state_of_the_wrong_length_is_refused_naming_both_lengths()
    {
        var workspace = new float[LstmKernels.WorkspaceSize(2, 3, 4, 5)];
        var e = Assert.Throws<ArgumentException>(() => LstmKernels.Forward(new float[2 * 3 * 4], new float[LstmKernels.ParameterCount(4, 5)], new float[10], workspace, 2, 3, 4, 5, false, new float[10]));
        Assert.Contains("state must hold 20 floats, but holds 10", e.Message);
    }

    [Fact]
    public void Wrong_lengths_name_the_span_and_the_expected_size()
    {
        var workspace = new float[LstmKernels.WorkspaceSize(2, 3, 4, 5)];
        var e = Assert.Throws<ArgumentException>(() => LstmKernels.Forward(new float[2 * 3 * 4 - 1], new float[LstmKernels.ParameterCount(4, 5)], new float[10], workspace, 2, 3, 4, 5, false));
        Assert.Contains("input must hold 24 floats, but holds 23", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LstmKernels.Forward(default, default, default, default, 0, 3, 4, 5, false));
    }
}
