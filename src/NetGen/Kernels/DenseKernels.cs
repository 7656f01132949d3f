using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels;

/// <summary>
/// Fully connected layer kernels. Shapes (row-major): input X [batch, inSize], weights W [outSize, inSize]
/// (PyTorch's nn.Linear layout), bias b [outSize], output Y [batch, outSize].
/// The generated code calls these with literal extents; the activation is a type argument, so its
/// application (forward) and its derivative (backward) are fused into the kernel's epilogue.
/// </summary>
/// <remarks>
/// Each kernel is a register-blocked Vector256 loop (4 × 3 tiles of accumulators, FMA where the CPU has it).
/// Every output element is computed by one sequence of operations that depends only on its position, never on
/// the tile or the chunk that happens to hold it, so splitting the work across threads (over samples, or over
/// output rows when the batch is small) gives bit-identical results on any thread count.
/// </remarks>
public static unsafe class DenseKernels
{
    /// <summary>Multiply-adds below which a kernel stays on the calling thread. Tests lower it to force the parallel path.</summary>
    internal static long ParallelThreshold { get; set; } = 256 * 1024;

    const int Lanes = 8;

    /// <summary>Y[n, j] = f(b[j] + Σ_i X[n, i]·W[j, i]). An empty <paramref name="bias"/> means no bias.</summary>
    public static void Forward<TAct>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output, int batch, int inSize, int outSize, float alpha) where TAct : struct, IActivation
    {
        if (!Vector256.IsHardwareAccelerated) { ForwardScalar<TAct>(input, weights, bias, output, batch, inSize, outSize, alpha); return; }
        // Slicing checks every extent once, so the pointer loops below stay inside the spans.
        input = input.Slice(0, batch * inSize);
        weights = weights.Slice(0, outSize * inSize);
        output = output.Slice(0, batch * outSize);
        if (!bias.IsEmpty) bias = bias.Slice(0, outSize);
        fixed (float* x = input, w = weights, b = bias, y = output)
        {
            var args = new DenseArgs { A = x, W = w, B = b, C = y, Batch = batch, In = inSize, Out = outSize, Alpha = alpha };
            int chunks = Split((long)batch * inSize * outSize, batch, 4, outSize, 3, ref args);
            if (chunks <= 1)
            {
                ForwardBlock(&args, 0, batch, 0, outSize);
                ForwardEpilogue<TAct>(&args, 0, batch);
            }
            else
            {
                WorkerPool.Run(&ForwardChunk<TAct>, &args, chunks);
                if (!args.SplitRows) ForwardEpilogue<TAct>(&args, 0, batch);
            }
        }
    }

    /// <summary>
    /// dX[n, i] = (Σ_j dZ[n, j]·W[j, i]) · f'(below[n, i]), where f is the activation of the layer that produced X
    /// (pass <see cref="Identity"/> and an empty <paramref name="below"/> when there is none to fold in).
    /// </summary>
    public static void BackwardInput<TBelow>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> weights, ReadOnlySpan<float> below,
        Span<float> inputGrad, int batch, int inSize, int outSize, float alpha) where TBelow : struct, IActivation
    {
        if (!Vector256.IsHardwareAccelerated) { BackwardInputScalar<TBelow>(outputGrad, weights, below, inputGrad, batch, inSize, outSize, alpha); return; }
        outputGrad = outputGrad.Slice(0, batch * outSize);
        weights = weights.Slice(0, outSize * inSize);
        inputGrad = inputGrad.Slice(0, batch * inSize);
        if (!TBelow.IsIdentity) below = below.Slice(0, batch * inSize);
        fixed (float* dz = outputGrad, w = weights, yb = below, dx = inputGrad)
        {
            var args = new DenseArgs { A = dz, W = w, B = yb, C = dx, Batch = batch, In = inSize, Out = outSize, Alpha = alpha };
            // Columns are split in whole vectors so the vector/scalar-tail choice of an element never depends on the chunk.
            int chunks = Split((long)batch * inSize * outSize, batch, 4, inSize, 3 * Lanes, ref args);
            if (chunks <= 1) BackwardInputBlock<TBelow>(&args, 0, batch, 0, inSize);
            else WorkerPool.Run(&BackwardInputChunk<TBelow>, &args, chunks);
        }
    }

    /// <summary>dW[j, i] = Σ_n dZ[n, j]·X[n, i] and db[j] = Σ_n dZ[n, j], overwriting both. An empty <paramref name="biasGrad"/> means no bias.</summary>
    public static void BackwardWeights(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> input, Span<float> weightGrad, Span<float> biasGrad,
        int batch, int inSize, int outSize)
    {
        if (!Vector256.IsHardwareAccelerated) { BackwardWeightsScalar(outputGrad, input, weightGrad, biasGrad, batch, inSize, outSize); return; }
        outputGrad = outputGrad.Slice(0, batch * outSize);
        input = input.Slice(0, batch * inSize);
        weightGrad = weightGrad.Slice(0, outSize * inSize);
        if (!biasGrad.IsEmpty) biasGrad = biasGrad.Slice(0, outSize);
        fixed (float* dz = outputGrad, x = input, dw = weightGrad, db = biasGrad)
        {
            var args = new DenseArgs { A = dz, W = x, B = db, C = dw, Batch = batch, In = inSize, Out = outSize };
            int chunks = Split((long)batch * inSize * outSize, outSize, 4, inSize, 3 * Lanes, ref args);
            if (chunks <= 1) BackwardWeightsBlock(&args, 0, outSize, 0, inSize);
            else WorkerPool.Run(&BackwardWeightsChunk, &args, chunks);
            // db in a fixed order on the caller: 0.1% of the work, not worth a chunk.
            if (db != null)
                for (int j = 0; j < outSize; j++)
                {
                    float s = 0f;
                    for (int n = 0; n < batch; n++) s += dz[n * outSize + j];
                    db[j] = s;
                }
        }
    }

    // ---- Work splitting ----------------------------------------------------------------------------------

    struct DenseArgs
    {
        public float* A, W, B, C;
        public int Batch, In, Out;
        public float Alpha;
        // The chunking: chunk c covers rows [c·Grain, …) when SplitRows, else columns [c·Grain, …).
        public bool SplitRows;
        public int Grain;
    }

    // Decides the number of chunks: 1 below the threshold; else split the rows in multiples of rowAlign,
    // or, when there are too few rows to feed every thread, the columns in multiples of colAlign.
    static int Split(long work, int rows, int rowAlign, int cols, int colAlign, ref DenseArgs args)
    {
        int degree = WorkerPool.MaxDegreeOfParallelism;
        if (degree <= 1 || work < ParallelThreshold) return 1;
        int target = degree * 2; // two chunks per thread absorb a busy core
        int rowBlocks = (rows + rowAlign - 1) / rowAlign;
        if (rowBlocks >= degree)
        {
            int perChunk = (rowBlocks + target - 1) / target;
            args.SplitRows = true;
            args.Grain = perChunk * rowAlign;
            return (rows + args.Grain - 1) / args.Grain;
        }
        int colBlocks = (cols + colAlign - 1) / colAlign;
        if (colBlocks < 2) return 1;
        int perColChunk = (colBlocks + target - 1) / target;
        args.SplitRows = false;
        args.Grain = perColChunk * colAlign;
        return (cols + args.Grain - 1) / args.Grain;
    }

    static void Range(DenseArgs* a, int chunk, int rows, int cols, out int r0, out int r1, out int c0, out int c1)
    {
        if (a->SplitRows) { r0 = chunk * a->Grain; r1 = Math.Min(rows, r0 + a->Grain); c0 = 0; c1 = cols; }
        else { r0 = 0; r1 = rows; c0 = chunk * a->Grain; c1 = Math.Min(cols, c0 + a->Grain); }
    }

    static void ForwardChunk<TAct>(void* p, int chunk) where TAct : struct, IActivation
    {
        var a = (DenseArgs*)p;
        Range(a, chunk, a->Batch, a->Out, out int n0, out int n1, out int j0, out int j1);
        ForwardBlock(a, n0, n1, j0, j1);
        if (a->SplitRows) ForwardEpilogue<TAct>(a, n0, n1);
    }

    static void BackwardInputChunk<TBelow>(void* p, int chunk) where TBelow : struct, IActivation
    {
        var a = (DenseArgs*)p;
        Range(a, chunk, a->Batch, a->In, out int n0, out int n1, out int i0, out int i1);
        BackwardInputBlock<TBelow>(a, n0, n1, i0, i1);
    }

    static void BackwardWeightsChunk(void* p, int chunk)
    {
        var a = (DenseArgs*)p;
        Range(a, chunk, a->Out, a->In, out int j0, out int j1, out int i0, out int i1);
        BackwardWeightsBlock(a, j0, j1, i0, i1);
    }

    // ---- Primitives ----------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : Vector256.MultiplyAddEstimate(a, b, c);

    // A fixed reduction order: (lo + hi) of the halves, then pairs.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float HorizontalSum(Vector256<float> v)
    {
        var s = v.GetLower() + v.GetUpper();
        s += Vector128.Shuffle(s, Vector128.Create(2, 3, 0, 1));
        return s.ToScalar() + s.GetElement(1);
    }

    // The one way a forward dot product ends: the vector part, then the scalar tail in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float FinishDot(Vector256<float> acc, float* x, float* w, int from, int to)
    {
        float s = HorizontalSum(acc);
        for (int i = from; i < to; i++) s += x[i] * w[i];
        return s;
    }

    // ---- Forward: dot-product form, 4 samples × 3 weight rows per tile -------------------------------------

    // Raw sums Y[n, j] = Σ_i X[n, i]·W[j, i] for n in [n0, n1), j in [j0, j1).
    static void ForwardBlock(DenseArgs* a, int n0, int n1, int j0, int j1)
    {
        int inSize = a->In, outSize = a->Out;
        int vecEnd = inSize & ~(Lanes - 1);
        float* X = a->A, W = a->W, Y = a->C;
        int n = n0;
        for (; n + 4 <= n1; n += 4)
        {
            float* x0 = X + (long)n * inSize, x1 = x0 + inSize, x2 = x1 + inSize, x3 = x2 + inSize;
            float* y0 = Y + (long)n * outSize, y1 = y0 + outSize, y2 = y1 + outSize, y3 = y2 + outSize;
            int j = j0;
            for (; j + 3 <= j1; j += 3)
            {
                float* w0 = W + (long)j * inSize, w1 = w0 + inSize, w2 = w1 + inSize;
                Vector256<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
                Vector256<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
                for (int i = 0; i < vecEnd; i += Lanes)
                {
                    var v0 = Vector256.Load(w0 + i); var v1 = Vector256.Load(w1 + i); var v2 = Vector256.Load(w2 + i);
                    var u = Vector256.Load(x0 + i); a00 = MulAdd(u, v0, a00); a01 = MulAdd(u, v1, a01); a02 = MulAdd(u, v2, a02);
                    u = Vector256.Load(x1 + i); a10 = MulAdd(u, v0, a10); a11 = MulAdd(u, v1, a11); a12 = MulAdd(u, v2, a12);
                    u = Vector256.Load(x2 + i); a20 = MulAdd(u, v0, a20); a21 = MulAdd(u, v1, a21); a22 = MulAdd(u, v2, a22);
                    u = Vector256.Load(x3 + i); a30 = MulAdd(u, v0, a30); a31 = MulAdd(u, v1, a31); a32 = MulAdd(u, v2, a32);
                }
                y0[j] = FinishDot(a00, x0, w0, vecEnd, inSize); y0[j + 1] = FinishDot(a01, x0, w1, vecEnd, inSize); y0[j + 2] = FinishDot(a02, x0, w2, vecEnd, inSize);
                y1[j] = FinishDot(a10, x1, w0, vecEnd, inSize); y1[j + 1] = FinishDot(a11, x1, w1, vecEnd, inSize); y1[j + 2] = FinishDot(a12, x1, w2, vecEnd, inSize);
                y2[j] = FinishDot(a20, x2, w0, vecEnd, inSize); y2[j + 1] = FinishDot(a21, x2, w1, vecEnd, inSize); y2[j + 2] = FinishDot(a22, x2, w2, vecEnd, inSize);
                y3[j] = FinishDot(a30, x3, w0, vecEnd, inSize); y3[j + 1] = FinishDot(a31, x3, w1, vecEnd, inSize); y3[j + 2] = FinishDot(a32, x3, w2, vecEnd, inSize);
            }
            for (; j < j1; j++)
            {
                float* w0 = W + (long)j * inSize;
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int i = 0; i < vecEnd; i += Lanes)
                {
                    var v = Vector256.Load(w0 + i);
                    a0 = MulAdd(Vector256.Load(x0 + i), v, a0); a1 = MulAdd(Vector256.Load(x1 + i), v, a1);
                    a2 = MulAdd(Vector256.Load(x2 + i), v, a2); a3 = MulAdd(Vector256.Load(x3 + i), v, a3);
                }
                y0[j] = FinishDot(a0, x0, w0, vecEnd, inSize); y1[j] = FinishDot(a1, x1, w0, vecEnd, inSize);
                y2[j] = FinishDot(a2, x2, w0, vecEnd, inSize); y3[j] = FinishDot(a3, x3, w0, vecEnd, inSize);
            }
        }
        for (; n < n1; n++)
        {
            float* x0 = X + (long)n * inSize, y0 = Y + (long)n * outSize;
            int j = j0;
            for (; j + 3 <= j1; j += 3)
            {
                float* w0 = W + (long)j * inSize, w1 = w0 + inSize, w2 = w1 + inSize;
                Vector256<float> a0 = default, a1 = default, a2 = default;
                for (int i = 0; i < vecEnd; i += Lanes)
                {
                    var u = Vector256.Load(x0 + i);
                    a0 = MulAdd(u, Vector256.Load(w0 + i), a0); a1 = MulAdd(u, Vector256.Load(w1 + i), a1); a2 = MulAdd(u, Vector256.Load(w2 + i), a2);
                }
                y0[j] = FinishDot(a0, x0, w0, vecEnd, inSize); y0[j + 1] = FinishDot(a1, x0, w1, vecEnd, inSize); y0[j + 2] = FinishDot(a2, x0, w2, vecEnd, inSize);
            }
            for (; j < j1; j++)
            {
                float* w0 = W + (long)j * inSize;
                Vector256<float> a0 = default;
                for (int i = 0; i < vecEnd; i += Lanes) a0 = MulAdd(Vector256.Load(x0 + i), Vector256.Load(w0 + i), a0);
                y0[j] = FinishDot(a0, x0, w0, vecEnd, inSize);
            }
        }
    }

    // Y[n, :] = f(Y[n, :] + b) for whole rows: vectors over j, then a scalar tail, the same for every row.
    static void ForwardEpilogue<TAct>(DenseArgs* a, int n0, int n1) where TAct : struct, IActivation
    {
        int outSize = a->Out;
        float* b = a->B;
        if (TAct.IsIdentity && b == null) return;
        int vecEnd = outSize & ~(Lanes - 1);
        var alphaV = Vector256.Create(a->Alpha);
        for (int n = n0; n < n1; n++)
        {
            float* y = a->C + (long)n * outSize;
            int j = 0;
            if (b != null)
            {
                for (; j < vecEnd; j += Lanes) TAct.Apply(Vector256.Load(y + j) + Vector256.Load(b + j), alphaV).Store(y + j);
                for (; j < outSize; j++) y[j] = TAct.Apply(y[j] + b[j], a->Alpha);
            }
            else
            {
                for (; j < vecEnd; j += Lanes) TAct.Apply(Vector256.Load(y + j), alphaV).Store(y + j);
                for (; j < outSize; j++) y[j] = TAct.Apply(y[j], a->Alpha);
            }
        }
    }

    // ---- BackwardInput: outer-product form, 4 samples × 3 vectors of i per tile, loop over j -------------

    static void BackwardInputBlock<TBelow>(DenseArgs* a, int n0, int n1, int i0, int i1) where TBelow : struct, IActivation
    {
        int inSize = a->In, outSize = a->Out;
        float* DZ = a->A, W = a->W, Yb = a->B, DX = a->C;
        var alphaV = Vector256.Create(a->Alpha);
        int vecEnd = Math.Min(i1, inSize & ~(Lanes - 1)); // i0 is a multiple of 8, so [i0, vecEnd) is whole vectors
        int n = n0;
        for (; n + 4 <= n1; n += 4)
        {
            float* g0 = DZ + (long)n * outSize, g1 = g0 + outSize, g2 = g1 + outSize, g3 = g2 + outSize;
            long row = (long)n * inSize;
            int i = i0;
            for (; i + 3 * Lanes <= vecEnd; i += 3 * Lanes)
            {
                Vector256<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
                Vector256<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
                float* w = W + i;
                for (int j = 0; j < outSize; j++, w += inSize)
                {
                    var v0 = Vector256.Load(w); var v1 = Vector256.Load(w + Lanes); var v2 = Vector256.Load(w + 2 * Lanes);
                    var g = Vector256.Create(g0[j]); a00 = MulAdd(g, v0, a00); a01 = MulAdd(g, v1, a01); a02 = MulAdd(g, v2, a02);
                    g = Vector256.Create(g1[j]); a10 = MulAdd(g, v0, a10); a11 = MulAdd(g, v1, a11); a12 = MulAdd(g, v2, a12);
                    g = Vector256.Create(g2[j]); a20 = MulAdd(g, v0, a20); a21 = MulAdd(g, v1, a21); a22 = MulAdd(g, v2, a22);
                    g = Vector256.Create(g3[j]); a30 = MulAdd(g, v0, a30); a31 = MulAdd(g, v1, a31); a32 = MulAdd(g, v2, a32);
                }
                long o = row + i;
                StoreInputGrad<TBelow>(a00, DX, Yb, o, alphaV); StoreInputGrad<TBelow>(a01, DX, Yb, o + Lanes, alphaV); StoreInputGrad<TBelow>(a02, DX, Yb, o + 2 * Lanes, alphaV);
                o += inSize;
                StoreInputGrad<TBelow>(a10, DX, Yb, o, alphaV); StoreInputGrad<TBelow>(a11, DX, Yb, o + Lanes, alphaV); StoreInputGrad<TBelow>(a12, DX, Yb, o + 2 * Lanes, alphaV);
                o += inSize;
                StoreInputGrad<TBelow>(a20, DX, Yb, o, alphaV); StoreInputGrad<TBelow>(a21, DX, Yb, o + Lanes, alphaV); StoreInputGrad<TBelow>(a22, DX, Yb, o + 2 * Lanes, alphaV);
                o += inSize;
                StoreInputGrad<TBelow>(a30, DX, Yb, o, alphaV); StoreInputGrad<TBelow>(a31, DX, Yb, o + Lanes, alphaV); StoreInputGrad<TBelow>(a32, DX, Yb, o + 2 * Lanes, alphaV);
            }
            for (; i < vecEnd; i += Lanes)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                float* w = W + i;
                for (int j = 0; j < outSize; j++, w += inSize)
                {
                    var v = Vector256.Load(w);
                    a0 = MulAdd(Vector256.Create(g0[j]), v, a0); a1 = MulAdd(Vector256.Create(g1[j]), v, a1);
                    a2 = MulAdd(Vector256.Create(g2[j]), v, a2); a3 = MulAdd(Vector256.Create(g3[j]), v, a3);
                }
                long o = row + i;
                StoreInputGrad<TBelow>(a0, DX, Yb, o, alphaV); StoreInputGrad<TBelow>(a1, DX, Yb, o + inSize, alphaV);
                StoreInputGrad<TBelow>(a2, DX, Yb, o + 2 * inSize, alphaV); StoreInputGrad<TBelow>(a3, DX, Yb, o + 3 * inSize, alphaV);
            }
            for (int r = 0; r < 4; r++) BackwardInputTail<TBelow>(a, n + r, Math.Max(i, i0), i1);
        }
        for (; n < n1; n++)
        {
            float* g0 = DZ + (long)n * outSize;
            long row = (long)n * inSize;
            int i = i0;
            for (; i + 3 * Lanes <= vecEnd; i += 3 * Lanes)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default;
                float* w = W + i;
                for (int j = 0; j < outSize; j++, w += inSize)
                {
                    var g = Vector256.Create(g0[j]);
                    a0 = MulAdd(g, Vector256.Load(w), a0); a1 = MulAdd(g, Vector256.Load(w + Lanes), a1); a2 = MulAdd(g, Vector256.Load(w + 2 * Lanes), a2);
                }
                long o = row + i;
                StoreInputGrad<TBelow>(a0, DX, Yb, o, alphaV); StoreInputGrad<TBelow>(a1, DX, Yb, o + Lanes, alphaV); StoreInputGrad<TBelow>(a2, DX, Yb, o + 2 * Lanes, alphaV);
            }
            for (; i < vecEnd; i += Lanes)
            {
                Vector256<float> a0 = default;
                float* w = W + i;
                for (int j = 0; j < outSize; j++, w += inSize) a0 = MulAdd(Vector256.Create(g0[j]), Vector256.Load(w), a0);
                StoreInputGrad<TBelow>(a0, DX, Yb, row + i, alphaV);
            }
            BackwardInputTail<TBelow>(a, n, Math.Max(i, i0), i1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreInputGrad<TBelow>(Vector256<float> sum, float* dx, float* below, long offset, Vector256<float> alpha) where TBelow : struct, IActivation
    {
        if (!TBelow.IsIdentity) sum *= TBelow.Derivative(Vector256.Load(below + offset), alpha);
        sum.Store(dx + offset);
    }

    // The scalar columns [from, to) of one sample (only the last inSize % 8 columns ever land here).
    static void BackwardInputTail<TBelow>(DenseArgs* a, int n, int from, int to) where TBelow : struct, IActivation
    {
        int inSize = a->In, outSize = a->Out;
        float* g = a->A + (long)n * outSize;
        for (int i = from; i < to; i++)
        {
            float s = 0f;
            float* w = a->W + i;
            for (int j = 0; j < outSize; j++, w += inSize) s += g[j] * *w;
            long o = (long)n * inSize + i;
            if (!TBelow.IsIdentity) s *= TBelow.Derivative(a->B[o], a->Alpha);
            a->C[o] = s;
        }
    }

    // ---- BackwardWeights: outer-product form, 4 rows j × 3 vectors of i per tile, loop over n ------------

    static void BackwardWeightsBlock(DenseArgs* a, int j0, int j1, int i0, int i1)
    {
        int inSize = a->In, outSize = a->Out, batch = a->Batch;
        float* DZ = a->A, X = a->W, DW = a->C;
        int vecEnd = Math.Min(i1, inSize & ~(Lanes - 1));
        int i = i0;
        // Column strips outermost: a strip of X (batch × 24 floats) stays in L1 while every row block reads it.
        for (; i + 3 * Lanes <= vecEnd; i += 3 * Lanes)
        {
            int j = j0;
            for (; j + 4 <= j1; j += 4)
            {
                Vector256<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
                Vector256<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
                float* x = X + i;
                float* g = DZ + j;
                for (int n = 0; n < batch; n++, x += inSize, g += outSize)
                {
                    var v0 = Vector256.Load(x); var v1 = Vector256.Load(x + Lanes); var v2 = Vector256.Load(x + 2 * Lanes);
                    var s = Vector256.Create(g[0]); a00 = MulAdd(s, v0, a00); a01 = MulAdd(s, v1, a01); a02 = MulAdd(s, v2, a02);
                    s = Vector256.Create(g[1]); a10 = MulAdd(s, v0, a10); a11 = MulAdd(s, v1, a11); a12 = MulAdd(s, v2, a12);
                    s = Vector256.Create(g[2]); a20 = MulAdd(s, v0, a20); a21 = MulAdd(s, v1, a21); a22 = MulAdd(s, v2, a22);
                    s = Vector256.Create(g[3]); a30 = MulAdd(s, v0, a30); a31 = MulAdd(s, v1, a31); a32 = MulAdd(s, v2, a32);
                }
                float* d = DW + (long)j * inSize + i;
                a00.Store(d); a01.Store(d + Lanes); a02.Store(d + 2 * Lanes); d += inSize;
                a10.Store(d); a11.Store(d + Lanes); a12.Store(d + 2 * Lanes); d += inSize;
                a20.Store(d); a21.Store(d + Lanes); a22.Store(d + 2 * Lanes); d += inSize;
                a30.Store(d); a31.Store(d + Lanes); a32.Store(d + 2 * Lanes);
            }
            for (; j < j1; j++)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default;
                float* x = X + i;
                float* g = DZ + j;
                for (int n = 0; n < batch; n++, x += inSize, g += outSize)
                {
                    var s = Vector256.Create(*g);
                    a0 = MulAdd(s, Vector256.Load(x), a0); a1 = MulAdd(s, Vector256.Load(x + Lanes), a1); a2 = MulAdd(s, Vector256.Load(x + 2 * Lanes), a2);
                }
                float* d = DW + (long)j * inSize + i;
                a0.Store(d); a1.Store(d + Lanes); a2.Store(d + 2 * Lanes);
            }
        }
        for (; i < vecEnd; i += Lanes)
        {
            int j = j0;
            for (; j + 4 <= j1; j += 4)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                float* x = X + i;
                float* g = DZ + j;
                for (int n = 0; n < batch; n++, x += inSize, g += outSize)
                {
                    var v = Vector256.Load(x);
                    a0 = MulAdd(Vector256.Create(g[0]), v, a0); a1 = MulAdd(Vector256.Create(g[1]), v, a1);
                    a2 = MulAdd(Vector256.Create(g[2]), v, a2); a3 = MulAdd(Vector256.Create(g[3]), v, a3);
                }
                float* d = DW + (long)j * inSize + i;
                a0.Store(d); a1.Store(d + inSize); a2.Store(d + 2 * inSize); a3.Store(d + 3 * inSize);
            }
            for (; j < j1; j++)
            {
                Vector256<float> a0 = default;
                float* x = X + i;
                float* g = DZ + j;
                for (int n = 0; n < batch; n++, x += inSize, g += outSize) a0 = MulAdd(Vector256.Create(*g), Vector256.Load(x), a0);
                a0.Store(DW + (long)j * inSize + i);
            }
        }
        // Scalar columns (the last inSize % 8).
        for (i = Math.Max(i, i0); i < i1; i++)
            for (int j = j0; j < j1; j++)
            {
                float s = 0f;
                for (int n = 0; n < batch; n++) s += DZ[(long)n * outSize + j] * X[(long)n * inSize + i];
                DW[(long)j * inSize + i] = s;
            }
    }

    // ---- Scalar reference paths, for CPUs without 256-bit SIMD ---------------------------------------------

    static void ForwardScalar<TAct>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output, int batch, int inSize, int outSize, float alpha) where TAct : struct, IActivation
    {
        for (int n = 0; n < batch; n++)
        {
            var x = input.Slice(n * inSize, inSize);
            var y = output.Slice(n * outSize, outSize);
            for (int j = 0; j < outSize; j++)
            {
                float sum = bias.IsEmpty ? 0f : bias[j];
                var w = weights.Slice(j * inSize, inSize);
                for (int i = 0; i < inSize; i++) sum += x[i] * w[i];
                y[j] = TAct.Apply(sum, alpha);
            }
        }
    }

    static void BackwardInputScalar<TBelow>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> weights, ReadOnlySpan<float> below,
        Span<float> inputGrad, int batch, int inSize, int outSize, float alpha) where TBelow : struct, IActivation
    {
        for (int n = 0; n < batch; n++)
        {
            var dz = outputGrad.Slice(n * outSize, outSize);
            var dx = inputGrad.Slice(n * inSize, inSize);
            dx.Clear();
            for (int j = 0; j < outSize; j++)
            {
                float g = dz[j];
                var w = weights.Slice(j * inSize, inSize);
                for (int i = 0; i < inSize; i++) dx[i] += g * w[i];
            }
            if (!TBelow.IsIdentity)
            {
                var y = below.Slice(n * inSize, inSize);
                for (int i = 0; i < inSize; i++) dx[i] *= TBelow.Derivative(y[i], alpha);
            }
        }
    }

    static void BackwardWeightsScalar(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> input, Span<float> weightGrad, Span<float> biasGrad,
        int batch, int inSize, int outSize)
    {
        for (int j = 0; j < outSize; j++)
        {
            var dw = weightGrad.Slice(j * inSize, inSize);
            dw.Clear();
            float db = 0f;
            for (int n = 0; n < batch; n++)
            {
                float g = outputGrad[n * outSize + j];
                db += g;
                var x = input.Slice(n * inSize, inSize);
                for (int i = 0; i < inSize; i++) dw[i] += g * x[i];
            }
            if (!biasGrad.IsEmpty) biasGrad[j] = db;
        }
    }
}
