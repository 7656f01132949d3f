using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// A long short-term memory layer over a batch of sequences, forward and backward through time, with PyTorch's
/// <c>nn.LSTM(batch_first=True)</c> layout so that weights move by copying:
/// <list type="bullet">
/// <item>input x [batch, steps, in]; output h [batch, steps, H] (every step) or [batch, H] (the last step);</item>
/// <item>parameters, flat: W_ih [4H, in], then W_hh [4H, H], then b_ih [4H], then b_hh [4H]; gate rows in the order
/// i (input), f (forget), g (cell candidate), o (output);</item>
/// <item>i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o) with a = W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh;
/// c_t = f·c_{t−1} + i·g; h_t = o·tanh(c_t); h_{−1} = c_{−1} = 0, or a carried state (below).</item>
/// </list>
/// Stateful (truncated BPTT over a long stream cut into batches): pass Forward a <c>state</c> span of 2 × batch × H
/// floats, h_{−1} of every row then c_{−1} of every row. Forward starts from it and overwrites it with (h_T, c_T), where
/// the next batch of the stream continues; Backward then cuts the gradient at the batch boundary (none flows into the
/// initial state), which is what makes the truncation.
/// The input projections of all steps are one matrix product (<see cref="DenseKernels"/>); each step then takes one
/// [batch, H]·[H, 4H] product for the recurrence and one fused pass for the gates' nonlinearities and the cell update.
/// Internally every per-step buffer is time-major ([step, batch, ·], so a step's rows are contiguous); the input and
/// output are transposed at the boundary. Backward runs through the whole sequence (full BPTT), accumulating the
/// recurrent products' gradients as two more matrix products over all steps.
/// </summary>
public static class LstmKernels
{
    /// <summary>Parameters of an LSTM from <paramref name="inputSize"/> to <paramref name="hidden"/> units: 4H·(in + H + 2).</summary>
    public static long ParameterCount(int inputSize, int hidden) => 4L * hidden * (inputSize + hidden + 2);

    /// <summary>Floats of workspace <see cref="Forward"/> fills and <see cref="Backward"/> reads and uses as scratch.</summary>
    public static long WorkspaceSize(int batch, int steps, int inputSize, int hidden) => Layout.Create(batch, steps, inputSize, hidden).Total;

    // Where each buffer lives in the workspace (offsets in floats).
    readonly record struct Layout(long XT, long Gates, long Hs, long Cs, long Recurrent, long Bias, long DGates, long Dh, long Dc, long DXT, long Scratch, long Total)
    {
        public static Layout Create(int batch, int steps, int inputSize, int hidden)
        {
            long tb = (long)steps * batch, h4 = 4L * hidden, bh = (long)batch * hidden;
            long xT = 0, gates = xT + tb * inputSize, hs = gates + tb * h4, cs = hs + (steps + 1) * bh, recurrent = cs + (steps + 1) * bh;
            long bias = recurrent + batch * h4, dGates = bias + h4, dh = dGates + tb * h4, dc = dh + bh, dXT = dc + bh, scratch = dXT + tb * inputSize;
            return new Layout(xT, gates, hs, cs, recurrent, bias, dGates, dh, dc, dXT, scratch, scratch + tb * (h4 + Math.Max(inputSize, hidden)));
        }
    }

    /// <summary>
    /// Runs the layer. <paramref name="output"/> is [batch, steps, H] when <paramref name="returnSequences"/>, else [batch, H].
    /// <paramref name="workspace"/> (<see cref="WorkspaceSize"/> floats) keeps what <see cref="Backward"/> needs.
    /// <paramref name="state"/>, unless empty, is [2, batch, H]: (h, c) read as the initial state and overwritten with the
    /// final one; empty starts every sequence from zeros.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, Span<float> output, Span<float> workspace,
        int batch, int steps, int inputSize, int hidden, bool returnSequences, Span<float> state = default)
    {
        SequenceLayout.Check("LSTM", batch, steps, inputSize, hidden, Layout.Create(batch, steps, inputSize, hidden).Total);
        var at = Layout.Create(batch, steps, inputSize, hidden);
        int h4 = 4 * hidden, bh = batch * hidden, rows = steps * batch;
        SequenceLayout.Require(input.Length, (long)batch * steps * inputSize, nameof(input));
        SequenceLayout.Require(parameters.Length, ParameterCount(inputSize, hidden), nameof(parameters));
        SequenceLayout.Require(output.Length, returnSequences ? (long)batch * steps * hidden : bh, nameof(output));
        SequenceLayout.Require(workspace.Length, at.Total, nameof(workspace));
        if (!state.IsEmpty) SequenceLayout.Require(state.Length, 2L * bh, nameof(state));

        ReadOnlySpan<float> wIh = parameters.Slice(0, h4 * inputSize), wHh = parameters.Slice(h4 * inputSize, h4 * hidden);
        ReadOnlySpan<float> bIh = parameters.Slice(h4 * (inputSize + hidden), h4), bHh = parameters.Slice(h4 * (inputSize + hidden + 1), h4);
        Span<float> xT = workspace.Slice((int)at.XT, rows * inputSize), gates = workspace.Slice((int)at.Gates, rows * h4);
        Span<float> hs = workspace.Slice((int)at.Hs, (steps + 1) * bh), cs = workspace.Slice((int)at.Cs, (steps + 1) * bh);
        Span<float> recurrent = workspace.Slice((int)at.Recurrent, batch * h4), bias = workspace.Slice((int)at.Bias, h4);

        SequenceLayout.Transpose(input, xT, batch, steps, inputSize);
        for (int k = 0; k < h4; k++) bias[k] = bIh[k] + bHh[k];
        // Every step's input projection (and both biases) in one product: gates[t, n] = W_ih·x[n, t] + b_ih + b_hh.
        DenseKernels.Forward<Identity>(xT, wIh, bias, gates, rows, inputSize, h4, 0f);
        // The initial state sits in slot 0 of hs and cs, where Backward reads it (c_{−1} in the forget gate's
        // gradient, h_{−1} in dW_hh).
        SequenceLayout.LoadState(state.IsEmpty ? default : state.Slice(0, bh), hs.Slice(0, bh));
        SequenceLayout.LoadState(state.IsEmpty ? default : state.Slice(bh, bh), cs.Slice(0, bh));
        for (int t = 0; t < steps; t++)
        {
            DenseKernels.Forward<Identity>(hs.Slice(t * bh, bh), wHh, default, recurrent, batch, hidden, h4, 0f);
            Cell(gates.Slice(t * batch * h4, batch * h4), recurrent, cs.Slice(t * bh, bh), cs.Slice((t + 1) * bh, bh), hs.Slice((t + 1) * bh, bh), batch, hidden);
        }
        if (returnSequences) SequenceLayout.Transpose(hs.Slice(bh), output, steps, batch, hidden);
        else hs.Slice(steps * bh, bh).CopyTo(output);
        if (!state.IsEmpty)
        {
            hs.Slice(steps * bh, bh).CopyTo(state);
            cs.Slice(steps * bh, bh).CopyTo(state.Slice(bh));
        }
    }

    /// <summary>
    /// Backward through time from <paramref name="outputGrad"/> (shaped as Forward's output). Overwrites
    /// <paramref name="parameterGrads"/> (the layout of the parameters) and, unless it is empty,
    /// <paramref name="inputGrad"/> ([batch, steps, in]). The workspace must hold what Forward left in it, the initial
    /// state included; no gradient flows into that state (truncated BPTT).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> parameters, Span<float> parameterGrads, Span<float> inputGrad,
        Span<float> workspace, int batch, int steps, int inputSize, int hidden, bool returnSequences)
    {
        SequenceLayout.Check("LSTM", batch, steps, inputSize, hidden, Layout.Create(batch, steps, inputSize, hidden).Total);
        var at = Layout.Create(batch, steps, inputSize, hidden);
        int h4 = 4 * hidden, bh = batch * hidden, rows = steps * batch;
        SequenceLayout.Require(outputGrad.Length, returnSequences ? (long)batch * steps * hidden : bh, nameof(outputGrad));
        SequenceLayout.Require(parameters.Length, ParameterCount(inputSize, hidden), nameof(parameters));
        SequenceLayout.Require(parameterGrads.Length, ParameterCount(inputSize, hidden), nameof(parameterGrads));
        if (!inputGrad.IsEmpty) SequenceLayout.Require(inputGrad.Length, (long)batch * steps * inputSize, nameof(inputGrad));
        SequenceLayout.Require(workspace.Length, at.Total, nameof(workspace));

        ReadOnlySpan<float> wIh = parameters.Slice(0, h4 * inputSize), wHh = parameters.Slice(h4 * inputSize, h4 * hidden);
        Span<float> dWIh = parameterGrads.Slice(0, h4 * inputSize), dWHh = parameterGrads.Slice(h4 * inputSize, h4 * hidden);
        Span<float> dBIh = parameterGrads.Slice(h4 * (inputSize + hidden), h4), dBHh = parameterGrads.Slice(h4 * (inputSize + hidden + 1), h4);
        ReadOnlySpan<float> xT = workspace.Slice((int)at.XT, rows * inputSize), gates = workspace.Slice((int)at.Gates, rows * h4);
        ReadOnlySpan<float> hs = workspace.Slice((int)at.Hs, (steps + 1) * bh), cs = workspace.Slice((int)at.Cs, (steps + 1) * bh);
        Span<float> dGates = workspace.Slice((int)at.DGates, rows * h4), dh = workspace.Slice((int)at.Dh, bh), dc = workspace.Slice((int)at.Dc, bh);

        dh.Clear();
        dc.Clear();
        for (int t = steps - 1; t >= 0; t--)
        {
            // dh = the gradient from above at step t, plus what step t + 1 sent back through W_hh (already in dh).
            SequenceLayout.AddGradientFromAbove(outputGrad, dh, t, batch, steps, hidden, returnSequences);
            Span<float> dA = dGates.Slice(t * batch * h4, batch * h4);
            CellBackward(gates.Slice(t * batch * h4, batch * h4), cs.Slice(t * bh, bh), cs.Slice((t + 1) * bh, bh), dh, dc, dA, batch, hidden);
            // What step t sends back to step t − 1: dh = dA·W_hh (dc was carried by CellBackward).
            if (t > 0) DenseKernels.BackwardInput<Identity>(dA, wHh, default, dh, batch, hidden, h4, 0f);
        }
        // The parameters' gradients over all steps at once: dW_ih = Σ dAᵀ·x, dW_hh = Σ dAᵀ·h_{t−1}, db = Σ dA (both biases).
        Span<float> scratch = workspace.Slice((int)at.Scratch, (int)(at.Total - at.Scratch));
        TallProducts.WeightGradient(dGates, xT, dWIh, dBIh, scratch, rows, inputSize, h4);
        TallProducts.WeightGradient(dGates, hs.Slice(0, rows * hidden), dWHh, dBHh, scratch, rows, hidden, h4);
        if (!inputGrad.IsEmpty)
        {
            Span<float> dXT = workspace.Slice((int)at.DXT, rows * inputSize);
            DenseKernels.BackwardInput<Identity>(dGates, wIh, default, dXT, rows, inputSize, h4, 0f);
            SequenceLayout.Transpose(dXT, inputGrad, steps, batch, inputSize);
        }
    }

    // ---- the fused per-step passes ---------------------------------------------------------------------------------

    // gates[n] holds a step's input projections [a_i | a_f | a_g | a_o] (H each); adds the recurrent part, applies the
    // nonlinearities in place (the backward pass reads i, f, g, o) and writes c_t and h_t.
    static void Cell(Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> h, int batch, int hidden)
    {
        int h4 = 4 * hidden, width = Simd.MaxWidth;
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float r = ref MemoryMarshal.GetReference(recurrent);
        ref float cp = ref MemoryMarshal.GetReference(cPrev);
        ref float cn = ref MemoryMarshal.GetReference(c);
        ref float hn = ref MemoryMarshal.GetReference(h);
        for (int n = 0; n < batch; n++)
        {
            ref float gn = ref Unsafe.Add(ref g, n * h4);
            ref float rn = ref Unsafe.Add(ref r, n * h4);
            int o = n * hidden, j = 0;
            if (width >= 512) j = Cell<Width512, Vector512<float>>(ref gn, ref rn, ref Unsafe.Add(ref cp, o), ref Unsafe.Add(ref cn, o), ref Unsafe.Add(ref hn, o), j, hidden);
            if (width >= 256) j = Cell<Width256, Vector256<float>>(ref gn, ref rn, ref Unsafe.Add(ref cp, o), ref Unsafe.Add(ref cn, o), ref Unsafe.Add(ref hn, o), j, hidden);
            if (width >= 128) j = Cell<Width128, Vector128<float>>(ref gn, ref rn, ref Unsafe.Add(ref cp, o), ref Unsafe.Add(ref cn, o), ref Unsafe.Add(ref hn, o), j, hidden);
            Cell<ScalarWidth, float>(ref gn, ref rn, ref Unsafe.Add(ref cp, o), ref Unsafe.Add(ref cn, o), ref Unsafe.Add(ref hn, o), j, hidden);
        }
    }

    static int Cell<V, TVec>(ref float g, ref float r, ref float cPrev, ref float c, ref float h, int j, int hidden)
        where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        TVec none = V.Splat(0f);
        for (; j <= hidden - V.Lanes; j += V.Lanes)
        {
            TVec i = V.Apply<Sigmoid>(V.Add(V.Load(ref g, j), V.Load(ref r, j)), none);
            TVec f = V.Apply<Sigmoid>(V.Add(V.Load(ref g, hidden + j), V.Load(ref r, hidden + j)), none);
            TVec u = V.Apply<Tanh>(V.Add(V.Load(ref g, 2 * hidden + j), V.Load(ref r, 2 * hidden + j)), none);
            TVec o = V.Apply<Sigmoid>(V.Add(V.Load(ref g, 3 * hidden + j), V.Load(ref r, 3 * hidden + j)), none);
            TVec cell = V.MulAdd(f, V.Load(ref cPrev, j), V.Multiply(i, u));
            V.Store(i, ref g, j);
            V.Store(f, ref g, hidden + j);
            V.Store(u, ref g, 2 * hidden + j);
            V.Store(o, ref g, 3 * hidden + j);
            V.Store(cell, ref c, j);
            V.Store(V.Multiply(o, V.Apply<Tanh>(cell, none)), ref h, j);
        }
        return j;
    }

    // From dh and dc at step t (dc: what step t + 1 carried back), writes the gradient at the gates' pre-activations dA
    // and leaves in dc the part carried back to step t − 1 (dc·f). dh is consumed (the caller refills it).
    static void CellBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> c, ReadOnlySpan<float> dh, Span<float> dc,
        Span<float> dA, int batch, int hidden)
    {
        int h4 = 4 * hidden, width = Simd.MaxWidth;
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float cp = ref MemoryMarshal.GetReference(cPrev);
        ref float cn = ref MemoryMarshal.GetReference(c);
        ref float dhn = ref MemoryMarshal.GetReference(dh);
        ref float dcn = ref MemoryMarshal.GetReference(dc);
        ref float da = ref MemoryMarshal.GetReference(dA);
        for (int n = 0; n < batch; n++)
        {
            ref float gn = ref Unsafe.Add(ref g, n * h4);
            ref float dan = ref Unsafe.Add(ref da, n * h4);
            int o = n * hidden, j = 0;
            if (width >= 512) j = CellBackward<Width512, Vector512<float>>(ref gn, ref Unsafe.Add(ref cp, o), ref Unsafe.Add(ref cn, o), ref Unsafe.Add(ref dhn, o), ref Unsafe.Add(ref dcn, o), ref dan, j, hidden);
            if (width >= 256) j = CellBackward<Width256, Vector256<float>>(ref gn, ref Unsafe.Add(ref cp, o), ref Unsafe.Add(ref cn, o), ref Unsafe.Add(ref dhn, o), ref Unsafe.Add(ref dcn, o), ref dan, j, hidden);
            if (width >= 128) j = CellBackward<Width128, Vector128<float>>(ref gn, ref Unsafe.Add(ref cp, o), ref Unsafe.Add(ref cn, o), ref Unsafe.Add(ref dhn, o), ref Unsafe.Add(ref dcn, o), ref dan, j, hidden);
            CellBackward<ScalarWidth, float>(ref gn, ref Unsafe.Add(ref cp, o), ref Unsafe.Add(ref cn, o), ref Unsafe.Add(ref dhn, o), ref Unsafe.Add(ref dcn, o), ref dan, j, hidden);
        }
    }

    static int CellBackward<V, TVec>(ref float g, ref float cPrev, ref float c, ref float dh, ref float dc, ref float dA, int j, int hidden)
        where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        TVec none = V.Splat(0f), one = V.Splat(1f);
        for (; j <= hidden - V.Lanes; j += V.Lanes)
        {
            TVec i = V.Load(ref g, j), f = V.Load(ref g, hidden + j), u = V.Load(ref g, 2 * hidden + j), o = V.Load(ref g, 3 * hidden + j);
            TVec tc = V.Apply<Tanh>(V.Load(ref c, j), none);
            TVec dhv = V.Load(ref dh, j);
            // dc_t = dh·o·(1 − tanh²c) + what step t + 1 carried back.
            TVec dct = V.MulAdd(V.Multiply(dhv, o), V.Subtract(one, V.Multiply(tc, tc)), V.Load(ref dc, j));
            V.Store(V.Multiply(V.Multiply(dct, u), V.Multiply(i, V.Subtract(one, i))), ref dA, j);                              // a_i
            V.Store(V.Multiply(V.Multiply(dct, V.Load(ref cPrev, j)), V.Multiply(f, V.Subtract(one, f))), ref dA, hidden + j);  // a_f
            V.Store(V.Multiply(V.Multiply(dct, i), V.Subtract(one, V.Multiply(u, u))), ref dA, 2 * hidden + j);                 // a_g
            V.Store(V.Multiply(V.Multiply(dhv, tc), V.Multiply(o, V.Subtract(one, o))), ref dA, 3 * hidden + j);                // a_o
            V.Store(V.Multiply(dct, f), ref dc, j);
        }
        return j;
    }
}
