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
/// The input projections of all steps are one matrix product (<see cref="DenseKernels"/>). The recurrence then runs
/// one fused kernel per step: W_hh, packed once per call so that the four gates of 8 units lie side by side, is
/// multiplied into h_{t−1} in registers and the gates' nonlinearities and the cell update are applied before anything
/// is stored (the recurrent product never goes to memory). Rows of the batch are independent through time, so the
/// step loop runs on each thread for its share of the rows from the first step to the last, with no barrier per step.
/// Internally every per-step buffer is time-major ([step, batch, ·], so a step's rows are contiguous); the input and
/// output are transposed at the boundary. Backward runs through the whole sequence (full BPTT) the same way, split by
/// rows, and lays out the transposes the weight gradients need as it goes; those gradients are then two matrix
/// products over all steps.
/// </summary>
public static unsafe class LstmKernels
{
    /// <summary>Units per block of the packed recurrent weights: one Vector256 of each gate.</summary>
    const int UnitBlock = 8;

    /// <summary>Parameters of an LSTM from <paramref name="inputSize"/> to <paramref name="hidden"/> units: 4H·(in + H + 2).</summary>
    public static long ParameterCount(int inputSize, int hidden) => 4L * hidden * (inputSize + hidden + 2);

    /// <summary>Floats of workspace <see cref="Forward"/> fills and <see cref="Backward"/> reads and uses as scratch.</summary>
    public static long WorkspaceSize(int batch, int steps, int inputSize, int hidden) => Layout.Create(batch, steps, inputSize, hidden).Total;

    // Where each buffer lives in the workspace (offsets in floats). Packed: W_hh for the fused step (PackRecurrent).
    // GatesT, HsT, XsT: dA, h_{t−1} and x transposed to [·, step·batch], the operands of the weight gradients; the
    // input gradient dX reuses XsT once they are done. Per sample that is no more than the layout before the fused step
    // (the generator's batch limit counts on it); the packed weights are the one part that does not grow with the batch.
    readonly record struct Layout(long XT, long Gates, long Hs, long Cs, long Packed, long Bias, long DGates, long Dh, long Dc,
        long GatesT, long HsT, long XsT, long Total)
    {
        public static Layout Create(int batch, int steps, int inputSize, int hidden)
        {
            long tb = (long)steps * batch, h4 = 4L * hidden, bh = (long)batch * hidden;
            long packedSize = 4L * UnitBlock * ((hidden + UnitBlock - 1) / UnitBlock) * hidden;
            long xT = 0, gates = xT + tb * inputSize, hs = gates + tb * h4, cs = hs + (steps + 1) * bh, packed = cs + (steps + 1) * bh;
            long bias = packed + packedSize, dGates = bias + h4, dh = dGates + tb * h4, dc = dh + bh;
            long gatesT = dc + bh, hsT = gatesT + tb * h4, xsT = hsT + tb * hidden;
            return new Layout(xT, gates, hs, cs, packed, bias, dGates, dh, dc, gatesT, hsT, xsT, xsT + tb * inputSize);
        }
    }

    // What a thread's share of the step loop needs (spans cannot cross threads; the callers pin and pass pointers).
    struct StepArgs
    {
        public float* Packed, WHh, XT, Gates, Hs, Cs, DGates, Dh, Dc, GatesT, HsT, XsT, OutputGrad;
        public int Batch, Steps, Inputs, Hidden, Chunks, OutputGradLength;
        public bool ReturnSequences;
    }

    // Chunks of rows, one per thread: each runs the whole step loop for its rows. Below DenseKernels' threshold for the
    // whole recurrence, one (the caller).
    static int RowChunks(int batch, int steps, int hidden)
        => WorkerPool.ChunkCount((long)steps * batch * 4 * hidden * hidden, DenseKernels.ParallelThreshold, batch, chunksPerThread: 1);

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
        Span<float> packed = workspace.Slice((int)at.Packed, (int)(at.Bias - at.Packed)), bias = workspace.Slice((int)at.Bias, h4);

        SequenceLayout.Transpose(input, xT, batch, steps, inputSize);
        for (int k = 0; k < h4; k++) bias[k] = bIh[k] + bHh[k];
        // Every step's input projection (and both biases) in one product: gates[t, n] = W_ih·x[n, t] + b_ih + b_hh.
        DenseKernels.Forward<Identity>(xT, wIh, bias, gates, rows, inputSize, h4, 0f);
        // The initial state sits in slot 0 of hs and cs, where Backward reads it (c_{−1} in the forget gate's
        // gradient, h_{−1} in dW_hh).
        SequenceLayout.LoadState(state.IsEmpty ? default : state.Slice(0, bh), hs.Slice(0, bh));
        SequenceLayout.LoadState(state.IsEmpty ? default : state.Slice(bh, bh), cs.Slice(0, bh));
        PackRecurrent(wHh, packed, hidden);
        fixed (float* w = packed, g = gates, h = hs, c = cs)
        {
            var args = new StepArgs { Packed = w, Gates = g, Hs = h, Cs = c, Batch = batch, Steps = steps, Hidden = hidden, Chunks = RowChunks(batch, steps, hidden) };
            if (args.Chunks <= 1) ForwardRows(&args, 0);
            else WorkerPool.Run(&ForwardRows, &args, args.Chunks);
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
        Span<float> xT = workspace.Slice((int)at.XT, rows * inputSize), gates = workspace.Slice((int)at.Gates, rows * h4);
        Span<float> hs = workspace.Slice((int)at.Hs, (steps + 1) * bh), cs = workspace.Slice((int)at.Cs, (steps + 1) * bh);
        Span<float> dGates = workspace.Slice((int)at.DGates, rows * h4), dh = workspace.Slice((int)at.Dh, bh), dc = workspace.Slice((int)at.Dc, bh);
        Span<float> gatesT = workspace.Slice((int)at.GatesT, rows * h4), hsT = workspace.Slice((int)at.HsT, rows * hidden), xsT = workspace.Slice((int)at.XsT, rows * inputSize);

        fixed (float* wHhP = wHh, xTP = xT, g = gates, h = hs, c = cs, dA = dGates, dhP = dh, dcP = dc, gT = gatesT, hT = hsT, xsTP = xsT, above = outputGrad)
        {
            var args = new StepArgs
            {
                WHh = wHhP, XT = xTP, Gates = g, Hs = h, Cs = c, DGates = dA, Dh = dhP, Dc = dcP, GatesT = gT, HsT = hT, XsT = xsTP,
                OutputGrad = above, OutputGradLength = outputGrad.Length, ReturnSequences = returnSequences,
                Batch = batch, Steps = steps, Inputs = inputSize, Hidden = hidden, Chunks = RowChunks(batch, steps, hidden),
            };
            if (args.Chunks <= 1) BackwardRows(&args, 0);
            else WorkerPool.Run(&BackwardRows, &args, args.Chunks);
        }
        // The parameters' gradients over all steps at once, in the dot-product form that reads the long rows of the
        // transposes from L1 (see TallProducts): dW_ih = Σ dAᵀ·x, dW_hh = Σ dAᵀ·h_{t−1}, db = Σ dA (both biases).
        DenseKernels.Forward<Identity>(gatesT, xsT, default, dWIh, h4, rows, inputSize, 0f);
        DenseKernels.Forward<Identity>(gatesT, hsT, default, dWHh, h4, rows, hidden, 0f);
        // The bias gradient adds whole rows of dA, a vector of gates at a time (summing each gate's long row of dAᵀ
        // instead is one dependent add after another); each element still sums over the rows in order.
        dBIh.Clear();
        for (int r = 0; r < rows; r++) ElementwiseKernels.AddInPlace(dGates.Slice(r * h4, h4), dBIh);
        dBIh.CopyTo(dBHh);
        if (!inputGrad.IsEmpty)
        {
            Span<float> dXT = xsT; // xᵀ is done with: the weight gradients are computed
            DenseKernels.BackwardInput<Identity>(dGates, wIh, default, dXT, rows, inputSize, h4, 0f);
            SequenceLayout.Transpose(dXT, inputGrad, steps, batch, inputSize);
        }
    }

    // ---- the fused per-step passes ---------------------------------------------------------------------------------

    // packed[((u·H + k)·4 + gate)·8 + l] = W_hh[gate·H + 8u + l, k], zero past the last unit: for each block u of 8
    // units, row k holds the weights of h_{t−1}[k] into the 4 gates of those units, one Vector256 per gate.
    static void PackRecurrent(ReadOnlySpan<float> wHh, Span<float> packed, int hidden)
    {
        int at = 0;
        for (int u0 = 0; u0 < hidden; u0 += UnitBlock)
            for (int k = 0; k < hidden; k++)
                for (int gate = 0; gate < 4; gate++)
                    for (int l = 0; l < UnitBlock; l++, at++)
                        packed[at] = u0 + l < hidden ? wHh[(gate * hidden + u0 + l) * hidden + k] : 0f;
    }

    // One thread's rows through every step.
    static void ForwardRows(void* p, int chunk)
    {
        var a = (StepArgs*)p;
        WorkerPool.ChunkRange(a->Batch, a->Chunks, chunk, out int n0, out int n1);
        long bh = (long)a->Batch * a->Hidden, bh4 = 4 * bh;
        int width = Simd.MaxWidth;
        for (int t = 0; t < a->Steps; t++)
        {
            float* hPrev = a->Hs + t * bh, h = hPrev + bh, cPrev = a->Cs + t * bh, c = cPrev + bh, gates = a->Gates + t * bh4;
            // 512-bit machines take the 256-bit path: a block is 8 units wide.
            if (width >= 256) Step<Width256, Vector256<float>>(a->Packed, hPrev, gates, cPrev, c, h, n0, n1, a->Hidden);
            else if (width >= 128) Step<Width128, Vector128<float>>(a->Packed, hPrev, gates, cPrev, c, h, n0, n1, a->Hidden);
            else Step<ScalarWidth, float>(a->Packed, hPrev, gates, cPrev, c, h, n0, n1, a->Hidden);
        }
    }

    // One step for rows [n0, n1): gates (time-major, [batch, 4H]) holds the input projections [a_i | a_f | a_g | a_o];
    // adds W_hh·h_{t−1}, applies the nonlinearities in place (the backward pass reads i, f, g, o) and writes c_t, h_t.
    // Each pre-activation is one multiply-add chain over k in order, whatever the width or the rows' chunking, so the
    // results are the same on any thread count. Block by block of units, so the block's weights (H × 32 floats) stay
    // in L1 across the rows; two rows at a time (8 accumulators, the multiply-add latency covered).
    // The sums leave the registers through a small buffer before the cell runs: the cell calls the vector exp, and an
    // accumulator still live across that call would be spilled inside the product loop on every iteration.
    static void Step<V, TVec>(float* packed, float* hPrev, float* gates, float* cPrev, float* c, float* h, int n0, int n1, int hidden)
        where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        int h4 = 4 * hidden, lanes = V.Lanes;
        float* sums = stackalloc float[2 * 4 * UnitBlock];
        for (int u0 = 0; u0 < hidden; u0 += UnitBlock)
        {
            float* block = packed + (long)u0 * 4 * hidden;
            int units = Math.Min(UnitBlock, hidden - u0);
            for (int sub = 0; sub < units; sub += lanes)
            {
                int j = u0 + sub, count = Math.Min(lanes, units - sub);
                int n = n0;
                for (; n + 2 <= n1; n += 2)
                {
                    float* x0 = hPrev + (long)n * hidden, x1 = x0 + hidden, w = block + sub;
                    TVec i0 = V.Splat(0f), f0 = i0, g0 = i0, o0 = i0, i1 = i0, f1 = i0, g1 = i0, o1 = i0;
                    for (int k = 0; k < hidden; k++, w += 4 * UnitBlock)
                    {
                        TVec b0 = V.Splat(x0[k]), b1 = V.Splat(x1[k]);
                        TVec wi = V.Load(w), wf = V.Load(w + UnitBlock), wg = V.Load(w + 2 * UnitBlock), wo = V.Load(w + 3 * UnitBlock);
                        i0 = V.MulAdd(b0, wi, i0); f0 = V.MulAdd(b0, wf, f0); g0 = V.MulAdd(b0, wg, g0); o0 = V.MulAdd(b0, wo, o0);
                        i1 = V.MulAdd(b1, wi, i1); f1 = V.MulAdd(b1, wf, f1); g1 = V.MulAdd(b1, wg, g1); o1 = V.MulAdd(b1, wo, o1);
                    }
                    V.Store(i0, sums); V.Store(f0, sums + UnitBlock); V.Store(g0, sums + 2 * UnitBlock); V.Store(o0, sums + 3 * UnitBlock);
                    V.Store(i1, sums + 4 * UnitBlock); V.Store(f1, sums + 5 * UnitBlock); V.Store(g1, sums + 6 * UnitBlock); V.Store(o1, sums + 7 * UnitBlock);
                    long o = (long)n * hidden + j;
                    Finish<V, TVec>(sums, gates + (long)n * h4 + j, cPrev + o, c + o, h + o, hidden, count);
                    Finish<V, TVec>(sums + 4 * UnitBlock, gates + (long)(n + 1) * h4 + j, cPrev + o + hidden, c + o + hidden, h + o + hidden, hidden, count);
                }
                if (n < n1)
                {
                    float* x0 = hPrev + (long)n * hidden, w = block + sub;
                    TVec i0 = V.Splat(0f), f0 = i0, g0 = i0, o0 = i0;
                    for (int k = 0; k < hidden; k++, w += 4 * UnitBlock)
                    {
                        TVec b0 = V.Splat(x0[k]);
                        i0 = V.MulAdd(b0, V.Load(w), i0); f0 = V.MulAdd(b0, V.Load(w + UnitBlock), f0);
                        g0 = V.MulAdd(b0, V.Load(w + 2 * UnitBlock), g0); o0 = V.MulAdd(b0, V.Load(w + 3 * UnitBlock), o0);
                    }
                    V.Store(i0, sums); V.Store(f0, sums + UnitBlock); V.Store(g0, sums + 2 * UnitBlock); V.Store(o0, sums + 3 * UnitBlock);
                    long o = (long)n * hidden + j;
                    Finish<V, TVec>(sums, gates + (long)n * h4 + j, cPrev + o, c + o, h + o, hidden, count);
                }
            }
        }
    }

    // The cell of `count` units from their recurrent sums (sums[0, 8, 16, 24] for gates i, f, g, o): a whole vector,
    // or the last units of a block lane by lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Finish<V, TVec>(float* sums, float* gates, float* cPrev, float* c, float* h, int hidden, int count)
        where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        if (count == V.Lanes)
            Cell<V, TVec>(V.Load(sums), V.Load(sums + UnitBlock), V.Load(sums + 2 * UnitBlock), V.Load(sums + 3 * UnitBlock), gates, cPrev, c, h, hidden);
        else
            for (int l = 0; l < count; l++)
                Cell<ScalarWidth, float>(sums[l], sums[UnitBlock + l], sums[2 * UnitBlock + l], sums[3 * UnitBlock + l], gates + l, cPrev + l, c + l, h + l, hidden);
    }

    // gates[0], gates[H], gates[2H], gates[3H]: the input projections of a_i, a_f, a_g, a_o (replaced by i, f, g, o).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Cell<V, TVec>(TVec ri, TVec rf, TVec rg, TVec ro, float* gates, float* cPrev, float* c, float* h, int hidden)
        where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        TVec none = V.Splat(0f);
        TVec i = V.Apply<Sigmoid>(V.Add(V.Load(gates), ri), none);
        TVec f = V.Apply<Sigmoid>(V.Add(V.Load(gates + hidden), rf), none);
        TVec u = V.Apply<Tanh>(V.Add(V.Load(gates + 2 * hidden), rg), none);
        TVec o = V.Apply<Sigmoid>(V.Add(V.Load(gates + 3 * hidden), ro), none);
        TVec cell = V.MulAdd(f, V.Load(cPrev), V.Multiply(i, u));
        V.Store(i, gates);
        V.Store(f, gates + hidden);
        V.Store(u, gates + 2 * hidden);
        V.Store(o, gates + 3 * hidden);
        V.Store(cell, c);
        V.Store(V.Multiply(o, V.Apply<Tanh>(cell, none)), h);
    }

    // One thread's rows backward through every step: dh and dc of those rows, dA, dh sent back through W_hh, and the
    // columns t·batch + n of the transposes dAᵀ, h_{t−1}ᵀ and xᵀ (each row of those gets 16-odd consecutive floats per
    // step from this thread: whole cache lines, from a source still in L1).
    static void BackwardRows(void* p, int chunk)
    {
        var a = (StepArgs*)p;
        WorkerPool.ChunkRange(a->Batch, a->Chunks, chunk, out int n0, out int n1);
        int batch = a->Batch, hidden = a->Hidden, h4 = 4 * hidden, count = n1 - n0, inputs = a->Inputs, rows = a->Steps * batch;
        long bh = (long)batch * hidden;
        var dh = new Span<float>(a->Dh, (int)bh);
        var dhRows = dh.Slice(n0 * hidden, count * hidden);
        var dcRows = new Span<float>(a->Dc + n0 * hidden, count * hidden);
        var outputGrad = new ReadOnlySpan<float>(a->OutputGrad, a->OutputGradLength);
        var wHh = new ReadOnlySpan<float>(a->WHh, h4 * hidden);
        dhRows.Clear();
        dcRows.Clear();
        for (int t = a->Steps - 1; t >= 0; t--)
        {
            // dh = the gradient from above at step t, plus what step t + 1 sent back through W_hh (already in dh).
            SequenceLayout.AddGradientFromAbove(outputGrad, dh, t, batch, a->Steps, hidden, a->ReturnSequences, n0, n1);
            long first = (long)t * batch + n0;
            var dA = new Span<float>(a->DGates + first * h4, count * h4);
            CellBackward(new ReadOnlySpan<float>(a->Gates + first * h4, count * h4), new ReadOnlySpan<float>(a->Cs + t * bh + n0 * hidden, count * hidden),
                new ReadOnlySpan<float>(a->Cs + (t + 1) * bh + n0 * hidden, count * hidden), dhRows, dcRows, dA, count, hidden);
            // What step t sends back to step t − 1: dh = dA·W_hh (dc was carried by CellBackward).
            if (t > 0) DenseKernels.BackwardInput<Identity>(dA, wHh, default, dhRows, count, hidden, h4, 0f);
            TransposeInto(a->DGates + first * h4, a->GatesT, count, h4, rows, first);
            TransposeInto(a->Hs + t * bh + n0 * hidden, a->HsT, count, hidden, rows, first);
            TransposeInto(a->XT + first * inputs, a->XsT, count, inputs, rows, first);
        }
    }

    // destination[j·stride + column + r] = source[r·width + j] for r < count: `count` rows become a block of columns.
    static void TransposeInto(float* source, float* destination, int count, int width, int stride, long column)
    {
        for (int j = 0; j < width; j++)
        {
            float* to = destination + (long)j * stride + column;
            for (int r = 0; r < count; r++) to[r] = source[(long)r * width + j];
        }
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
