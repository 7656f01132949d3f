using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels;

/// <summary>
/// Fully connected layer kernels. Shapes (row-major): input X [batch, inSize], weights W [outSize, inSize]
/// (PyTorch's nn.Linear layout), bias b [outSize], output Y [batch, outSize].
/// The generated code calls these with literal extents; the activation is a type argument, so its
/// application (forward) and its derivative (backward) are fused into the kernel's stores.
/// </summary>
/// <remarks>
/// Each kernel is a register-blocked loop at the widest width <see cref="Simd.MaxWidth"/> allows (512, 256, 128 bits,
/// or scalar), with the one <see cref="Simd.MulAdd(float, float, float)"/>.
/// Every output element is computed by one sequence of operations that depends only on its position, never on
/// the tile, the chunk or the vector width that happens to hold it, so splitting the work across threads (over
/// samples, or over output columns when the batch is small) gives bit-identical results on any thread count, and
/// the 512-, 256- and 128-bit paths give the same bits as each other:
/// <list type="bullet">
/// <item>Forward is a dot product per element: eight partial sums (lane k takes the terms i ≡ k mod 8, in order),
/// reduced by <see cref="Simd.Sum(Vector256{float})"/>, then the last inSize % 8 terms one by one, then the bias,
/// then the activation, in registers, before the one store (no second pass over Y). The 512-bit path keeps two weight
/// rows in one register (eight lanes each), the 128-bit path one row in two, so all three sum in that same order.
/// The activation takes its vector formula for columns below outSize rounded down to 8 and the scalar one beyond, as
/// the former separate epilogue did; the scalar path takes the scalar formula throughout (exp-based activations differ
/// from the vector formula in the last bits, the others not at all).</item>
/// <item>The backward kernels are outer products: each element is one multiply-add chain over j (dX) or n (dW),
/// in order, in one lane of whatever width holds it, the scalar path included.</item>
/// </list>
/// </remarks>
public static unsafe class DenseKernels
{
    /// <summary>Multiply-adds below which a kernel stays on the calling thread. Tests lower it to force the parallel path.</summary>
    internal static long ParallelThreshold { get; set; } = 256 * 1024;

    /// <summary>Partial sums per forward dot product (and the Vector256 width the 512- and 128-bit paths reproduce).</summary>
    const int DotLanes = 8;

    /// <summary>Y[n, j] = f(b[j] + Σ_i X[n, i]·W[j, i]). An empty <paramref name="bias"/> means no bias.</summary>
    public static void Forward<TAct>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output, int batch, int inSize, int outSize, float alpha) where TAct : struct, IActivation
        => Forward<TAct, RuntimeExtents>(input, weights, bias, output, batch, inSize, outSize, alpha);

    /// <summary>
    /// <see cref="Forward{TAct}"/> for a layer whose extents are the constants of <typeparamref name="TExt"/>: the JIT
    /// compiles a body for this one shape, with every loop bound and row stride a literal (what the generated code calls).
    /// </summary>
    public static void Forward<TAct, TExt>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output, int batch, float alpha) where TAct : struct, IActivation where TExt : struct, IDenseExtents
        => Forward<TAct, TExt>(input, weights, bias, output, batch, TExt.In, TExt.Out, alpha);

    /// <summary>
    /// dX[n, i] = (Σ_j dZ[n, j]·W[j, i]) · f'(below[n, i]), where f is the activation of the layer that produced X
    /// (pass <see cref="Identity"/> and an empty <paramref name="below"/> when there is none to fold in).
    /// </summary>
    public static void BackwardInput<TBelow>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> weights, ReadOnlySpan<float> below,
        Span<float> inputGrad, int batch, int inSize, int outSize, float alpha) where TBelow : struct, IActivation
        => BackwardInput<TBelow, RuntimeExtents>(outputGrad, weights, below, inputGrad, batch, inSize, outSize, alpha);

    /// <summary><see cref="BackwardInput{TBelow}"/> compiled for the one shape <typeparamref name="TExt"/>.</summary>
    public static void BackwardInput<TBelow, TExt>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> weights, ReadOnlySpan<float> below,
        Span<float> inputGrad, int batch, float alpha) where TBelow : struct, IActivation where TExt : struct, IDenseExtents
        => BackwardInput<TBelow, TExt>(outputGrad, weights, below, inputGrad, batch, TExt.In, TExt.Out, alpha);

    /// <summary>dW[j, i] = Σ_n dZ[n, j]·X[n, i] and db[j] = Σ_n dZ[n, j], overwriting both. An empty <paramref name="biasGrad"/> means no bias.</summary>
    public static void BackwardWeights(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> input, Span<float> weightGrad, Span<float> biasGrad,
        int batch, int inSize, int outSize)
        => BackwardWeights<RuntimeExtents>(outputGrad, input, weightGrad, biasGrad, batch, inSize, outSize);

    /// <summary><see cref="BackwardWeights"/> compiled for the one shape <typeparamref name="TExt"/>.</summary>
    public static void BackwardWeights<TExt>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> input, Span<float> weightGrad, Span<float> biasGrad,
        int batch) where TExt : struct, IDenseExtents
        => BackwardWeights<TExt>(outputGrad, input, weightGrad, biasGrad, batch, TExt.In, TExt.Out);

    // The shared bodies: TExt is RuntimeExtents (the sizes come in as arguments) or the generated shape, whose sizes the
    // arguments repeat. Below the entry points the blocks read the sizes through InSize/OutSize, constants for a shape.
    static void Forward<TAct, TExt>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output, int batch, int inSize, int outSize, float alpha) where TAct : struct, IActivation where TExt : struct, IDenseExtents
    {
        // Slicing checks every extent once, so the pointer loops below stay inside the spans.
        input = input.Slice(0, batch * inSize);
        weights = weights.Slice(0, outSize * inSize);
        output = output.Slice(0, batch * outSize);
        if (!bias.IsEmpty) bias = bias.Slice(0, outSize);
        fixed (float* x = input, w = weights, b = bias, y = output)
        {
            var args = new DenseArgs { A = x, W = w, B = bias.IsEmpty ? null : b, C = y, Batch = batch, In = inSize, Out = outSize, Alpha = alpha };
            // Columns in blocks of 12: whole tiles of the 3-row (256-bit) and 4-row (512-bit) paths.
            int chunks = Split((long)batch * inSize * outSize, batch, 4, outSize, 12, ref args);
            if (chunks <= 1) ForwardBlock<TAct, TExt>(&args, 0, batch, 0, outSize);
            else WorkerPool.Run(&ForwardChunk<TAct, TExt>, &args, chunks);
        }
    }

    static void BackwardInput<TBelow, TExt>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> weights, ReadOnlySpan<float> below,
        Span<float> inputGrad, int batch, int inSize, int outSize, float alpha) where TBelow : struct, IActivation where TExt : struct, IDenseExtents
    {
        outputGrad = outputGrad.Slice(0, batch * outSize);
        weights = weights.Slice(0, outSize * inSize);
        inputGrad = inputGrad.Slice(0, batch * inSize);
        if (!TBelow.IsIdentity) below = below.Slice(0, batch * inSize);
        fixed (float* dz = outputGrad, w = weights, yb = below, dx = inputGrad)
        {
            var args = new DenseArgs { A = dz, W = w, B = yb, C = dx, Batch = batch, In = inSize, Out = outSize, Alpha = alpha };
            // Columns in whole tiles of the widest path (3 vectors), so no tile straddles two chunks.
            int chunks = Split((long)batch * inSize * outSize, batch, 4, inSize, 3 * Simd.MaxLanes, ref args);
            if (chunks <= 1) BackwardInputBlock<TBelow, TExt>(&args, 0, batch, 0, inSize);
            else WorkerPool.Run(&BackwardInputChunk<TBelow, TExt>, &args, chunks);
        }
    }

    static void BackwardWeights<TExt>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> input, Span<float> weightGrad, Span<float> biasGrad,
        int batch, int inSize, int outSize) where TExt : struct, IDenseExtents
    {
        outputGrad = outputGrad.Slice(0, batch * outSize);
        input = input.Slice(0, batch * inSize);
        weightGrad = weightGrad.Slice(0, outSize * inSize);
        if (!biasGrad.IsEmpty) biasGrad = biasGrad.Slice(0, outSize);
        fixed (float* dz = outputGrad, x = input, dw = weightGrad, db = biasGrad)
        {
            var args = new DenseArgs { A = dz, W = x, B = db, C = dw, Batch = batch, In = inSize, Out = outSize };
            int chunks = Split((long)batch * inSize * outSize, outSize, 4, inSize, 3 * Simd.MaxLanes, ref args);
            if (chunks <= 1) BackwardWeightsBlock<TExt>(&args, 0, outSize, 0, inSize);
            else WorkerPool.Run(&BackwardWeightsChunk<TExt>, &args, chunks);
            // db in a fixed order on the caller: 0.1% of the work, not worth a chunk.
            if (!biasGrad.IsEmpty)
                for (int j = 0; j < outSize; j++)
                {
                    float s = 0f;
                    for (int n = 0; n < batch; n++) s += dz[n * outSize + j];
                    db[j] = s;
                }
        }
    }

    // A layer's extents inside the blocks: the shape's constants when the generated code supplies one (the JIT folds
    // the comparison away, and with it the load), else the run-time sizes in the args.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int InSize<TExt>(DenseArgs* a) where TExt : struct, IDenseExtents => TExt.In > 0 ? TExt.In : a->In;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int OutSize<TExt>(DenseArgs* a) where TExt : struct, IDenseExtents => TExt.Out > 0 ? TExt.Out : a->Out;

    // ---- Work splitting ----------------------------------------------------------------------------------

    struct DenseArgs
    {
        public float* A, W, B, C;
        public int Batch, In, Out;
        public float Alpha;
        // The chunking: chunk c covers a near-equal share of the row blocks when SplitRows, else of the column blocks.
        public bool SplitRows;
        public int Block, Chunks;
    }

    // Splits the rows in blocks of rowBlock, two chunks per thread so that a core busy elsewhere hands its share on. When
    // there are too few row blocks to feed every thread (a batch of one or a few samples), it splits the columns in
    // blocks of colBlock instead, one chunk per thread and at a quarter of the threshold: such a product is bound by
    // reading W, and with one chunk each, chunk k runs on the same core call after call while the workers are awake (the
    // caller takes chunk 0 at once, a spinning worker the next), so each core keeps its part of W in its own L2.
    static int Split(long work, int rows, int rowBlock, int cols, int colBlock, ref DenseArgs args)
    {
        int rowBlocks = (rows + rowBlock - 1) / rowBlock;
        args.SplitRows = rowBlocks >= WorkerPool.MaxDegreeOfParallelism;
        args.Block = args.SplitRows ? rowBlock : colBlock;
        int blocks = args.SplitRows ? rowBlocks : (cols + colBlock - 1) / colBlock;
        return args.Chunks = args.SplitRows
            ? WorkerPool.ChunkCount(work, ParallelThreshold, blocks, chunksPerThread: 2)
            : WorkerPool.ChunkCount(work, ParallelThreshold / 4, blocks, chunksPerThread: 1);
    }

    static void Range(DenseArgs* a, int chunk, int rows, int cols, out int r0, out int r1, out int c0, out int c1)
    {
        if (a->SplitRows) { WorkerPool.BlockRange(rows, a->Block, a->Chunks, chunk, out r0, out r1); c0 = 0; c1 = cols; }
        else { r0 = 0; r1 = rows; WorkerPool.BlockRange(cols, a->Block, a->Chunks, chunk, out c0, out c1); }
    }

    static void ForwardChunk<TAct, TExt>(void* p, int chunk) where TAct : struct, IActivation where TExt : struct, IDenseExtents
    {
        var a = (DenseArgs*)p;
        Range(a, chunk, a->Batch, OutSize<TExt>(a), out int n0, out int n1, out int j0, out int j1);
        ForwardBlock<TAct, TExt>(a, n0, n1, j0, j1);
    }

    static void BackwardInputChunk<TBelow, TExt>(void* p, int chunk) where TBelow : struct, IActivation where TExt : struct, IDenseExtents
    {
        var a = (DenseArgs*)p;
        Range(a, chunk, a->Batch, InSize<TExt>(a), out int n0, out int n1, out int i0, out int i1);
        BackwardInputBlock<TBelow, TExt>(a, n0, n1, i0, i1);
    }

    static void BackwardWeightsChunk<TExt>(void* p, int chunk) where TExt : struct, IDenseExtents
    {
        var a = (DenseArgs*)p;
        Range(a, chunk, OutSize<TExt>(a), InSize<TExt>(a), out int j0, out int j1, out int i0, out int i1);
        BackwardWeightsBlock<TExt>(a, j0, j1, i0, i1);
    }

    // ---- Forward: dot-product form, bias and activation applied to the tile's sums before the store ----------

    // Y[n, j] for n in [n0, n1), j in [j0, j1), at the widest width allowed.
    static void ForwardBlock<TAct, TExt>(DenseArgs* a, int n0, int n1, int j0, int j1) where TAct : struct, IActivation where TExt : struct, IDenseExtents
    {
        int width = Simd.MaxWidth;
        if (width >= 512) ForwardBlock512<TAct, TExt>(a, n0, n1, j0, j1);
        else if (width >= 256) ForwardBlock256<TAct, TExt>(a, n0, n1, j0, j1);
        else if (width >= 128) ForwardBlock128<TAct, TExt>(a, n0, n1, j0, j1);
        else ForwardBlockScalar<TAct, TExt>(a, n0, n1, j0, j1);
    }

    // The one way a forward dot product ends: the eight partial sums reduced, then the scalar tail in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float FinishDot(Vector256<float> acc, float* x, float* w, int from, int to)
    {
        float s = Simd.Sum(acc);
        for (int i = from; i < to; i++) s += x[i] * w[i];
        return s;
    }

    /// <summary>
    /// Four <see cref="FinishDot(Vector256{float}, float*, float*, int, int)"/> of one sample against four rows, as one
    /// Vector128: reduced together in registers when there is no scalar tail (the usual case), one by one otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> FinishDots(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3,
        float* x, float* w0, float* w1, float* w2, float* w3, int from, int to)
    {
        if (from == to) return Simd.Sum4(a0, a1, a2, a3);
        return Vector128.Create(FinishDot(a0, x, w0, from, to), FinishDot(a1, x, w1, from, to), FinishDot(a2, x, w2, from, to), FinishDot(a3, x, w3, from, to));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float FinishDot(Vector128<float> lo, Vector128<float> hi, float* x, float* w, int from, int to)
    {
        float s = Simd.Sum(lo, hi);
        for (int i = from; i < to; i++) s += x[i] * w[i];
        return s;
    }

    /// <summary>The bias of outputs [j, j + count) as one Vector128, zero beyond count (loaded once per tile, shared by its samples).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> LoadBias(float* bias, int count)
    {
        if (bias == null) return default;
        if (count == 4) return Vector128.Load(bias);
        var b = Vector128.CreateScalar(bias[0]);
        if (count > 1) b = b.WithElement(1, bias[1]);
        if (count > 2) b = b.WithElement(2, bias[2]);
        return b;
    }

    /// <summary>
    /// y[k] = f(sums[k] + bias[k]) for k &lt; count ≤ 4 (no add at all without a bias, so a −0 sum stays −0): the bias add
    /// and the activation run on one Vector128 in registers, then only the <paramref name="count"/> outputs are stored.
    /// Outputs from <paramref name="scalarFrom"/> on (those at or past outSize rounded down to 8, relative to y) take the
    /// scalar activation instead, as the separate epilogue pass did: an output's activation depends only on its column,
    /// never on the tile, the chunk or the width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreOutputs<TAct>(float* y, bool hasBias, Vector128<float> bias, int count, int scalarFrom, Vector128<float> sums, Vector128<float> alpha)
        where TAct : struct, IActivation
    {
        if (hasBias) sums += bias;
        var v = TAct.Apply(sums, alpha);
        if (count == 4) v.Store(y);
        else
        {
            y[0] = v.ToScalar();
            if (count > 1) y[1] = v.GetElement(1);
            if (count > 2) y[2] = v.GetElement(2);
        }
        if (!TAct.IsIdentity && scalarFrom < count)
            for (int k = Math.Max(0, scalarFrom); k < count; k++) y[k] = TAct.Apply(sums.GetElement(k), alpha.ToScalar());
    }

    // 256 bits: tiles of 4 samples × 3 weight rows (12 accumulators), then 4 × 1, then single samples.
    static void ForwardBlock256<TAct, TExt>(DenseArgs* a, int n0, int n1, int j0, int j1) where TAct : struct, IActivation where TExt : struct, IDenseExtents
    {
        int inSize = InSize<TExt>(a), outSize = OutSize<TExt>(a);
        int vecEnd = inSize & ~(DotLanes - 1), vectorActivationEnd = outSize & ~(DotLanes - 1);
        float* X = a->A, W = a->W, Y = a->C, B = a->B;
        var alpha = Vector128.Create(a->Alpha);
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
                for (int i = 0; i < vecEnd; i += DotLanes)
                {
                    var v0 = Vector256.Load(w0 + i); var v1 = Vector256.Load(w1 + i); var v2 = Vector256.Load(w2 + i);
                    var u = Vector256.Load(x0 + i); a00 = Simd.MulAdd(u, v0, a00); a01 = Simd.MulAdd(u, v1, a01); a02 = Simd.MulAdd(u, v2, a02);
                    u = Vector256.Load(x1 + i); a10 = Simd.MulAdd(u, v0, a10); a11 = Simd.MulAdd(u, v1, a11); a12 = Simd.MulAdd(u, v2, a12);
                    u = Vector256.Load(x2 + i); a20 = Simd.MulAdd(u, v0, a20); a21 = Simd.MulAdd(u, v1, a21); a22 = Simd.MulAdd(u, v2, a22);
                    u = Vector256.Load(x3 + i); a30 = Simd.MulAdd(u, v0, a30); a31 = Simd.MulAdd(u, v1, a31); a32 = Simd.MulAdd(u, v2, a32);
                }
                // Where column j + 3 is still this block's, store all four lanes: the fourth is junk that the next
                // tile overwrites, and one vector store beats three scalar ones.
                int stored = j + 4 <= j1 ? 4 : 3;
                var b = LoadBias(B == null ? null : B + j, stored);
                StoreOutputs<TAct>(y0 + j, B != null, b, stored, vectorActivationEnd - j, FinishDots(a00, a01, a02, default, x0, w0, w1, w2, w2, vecEnd, inSize), alpha);
                StoreOutputs<TAct>(y1 + j, B != null, b, stored, vectorActivationEnd - j, FinishDots(a10, a11, a12, default, x1, w0, w1, w2, w2, vecEnd, inSize), alpha);
                StoreOutputs<TAct>(y2 + j, B != null, b, stored, vectorActivationEnd - j, FinishDots(a20, a21, a22, default, x2, w0, w1, w2, w2, vecEnd, inSize), alpha);
                StoreOutputs<TAct>(y3 + j, B != null, b, stored, vectorActivationEnd - j, FinishDots(a30, a31, a32, default, x3, w0, w1, w2, w2, vecEnd, inSize), alpha);
            }
            for (; j < j1; j++)
            {
                float* w0 = W + (long)j * inSize;
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int i = 0; i < vecEnd; i += DotLanes)
                {
                    var v = Vector256.Load(w0 + i);
                    a0 = Simd.MulAdd(Vector256.Load(x0 + i), v, a0); a1 = Simd.MulAdd(Vector256.Load(x1 + i), v, a1);
                    a2 = Simd.MulAdd(Vector256.Load(x2 + i), v, a2); a3 = Simd.MulAdd(Vector256.Load(x3 + i), v, a3);
                }
                var b = LoadBias(B == null ? null : B + j, 1);
                StoreOutputs<TAct>(y0 + j, B != null, b, 1, vectorActivationEnd - j, Vector128.CreateScalar(FinishDot(a0, x0, w0, vecEnd, inSize)), alpha);
                StoreOutputs<TAct>(y1 + j, B != null, b, 1, vectorActivationEnd - j, Vector128.CreateScalar(FinishDot(a1, x1, w0, vecEnd, inSize)), alpha);
                StoreOutputs<TAct>(y2 + j, B != null, b, 1, vectorActivationEnd - j, Vector128.CreateScalar(FinishDot(a2, x2, w0, vecEnd, inSize)), alpha);
                StoreOutputs<TAct>(y3 + j, B != null, b, 1, vectorActivationEnd - j, Vector128.CreateScalar(FinishDot(a3, x3, w0, vecEnd, inSize)), alpha);
            }
        }
        for (; n < n1; n++)
        {
            float* x0 = X + (long)n * inSize, y0 = Y + (long)n * outSize;
            int j = j0;
            // Four rows at a time: one sample has registers to spare, and four outputs fill the Vector128 store.
            for (; j + 4 <= j1; j += 4)
            {
                float* w0 = W + (long)j * inSize, w1 = w0 + inSize, w2 = w1 + inSize, w3 = w2 + inSize;
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int i = 0; i < vecEnd; i += DotLanes)
                {
                    var u = Vector256.Load(x0 + i);
                    a0 = Simd.MulAdd(u, Vector256.Load(w0 + i), a0); a1 = Simd.MulAdd(u, Vector256.Load(w1 + i), a1);
                    a2 = Simd.MulAdd(u, Vector256.Load(w2 + i), a2); a3 = Simd.MulAdd(u, Vector256.Load(w3 + i), a3);
                }
                StoreOutputs<TAct>(y0 + j, B != null, LoadBias(B == null ? null : B + j, 4), 4, vectorActivationEnd - j, FinishDots(a0, a1, a2, a3, x0, w0, w1, w2, w3, vecEnd, inSize), alpha);
            }
            for (; j < j1; j++)
            {
                float* w0 = W + (long)j * inSize;
                Vector256<float> a0 = default;
                for (int i = 0; i < vecEnd; i += DotLanes) a0 = Simd.MulAdd(Vector256.Load(x0 + i), Vector256.Load(w0 + i), a0);
                StoreOutputs<TAct>(y0 + j, B != null, LoadBias(B == null ? null : B + j, 1), 1, vectorActivationEnd - j, Vector128.CreateScalar(FinishDot(a0, x0, w0, vecEnd, inSize)), alpha);
            }
        }
    }

    // 512 bits: tiles of 4 samples × 4 weight rows, each register holding two rows' eight partial sums side by side
    // (the 256-bit path's accumulators, paired), so the sums are bit-identical to it. What is left over (the last
    // batch % 4 samples, the last outSize % 4 rows) goes to the 256-bit path.
    static void ForwardBlock512<TAct, TExt>(DenseArgs* a, int n0, int n1, int j0, int j1) where TAct : struct, IActivation where TExt : struct, IDenseExtents
    {
        int inSize = InSize<TExt>(a), outSize = OutSize<TExt>(a);
        int vecEnd = inSize & ~(DotLanes - 1), vectorActivationEnd = outSize & ~(DotLanes - 1);
        float* X = a->A, W = a->W, Y = a->C, B = a->B;
        var alpha = Vector128.Create(a->Alpha);
        int nEnd = n0 + (n1 - n0) / 4 * 4, jEnd = j0 + (j1 - j0) / 4 * 4;
        for (int n = n0; n < nEnd; n += 4)
        {
            float* x0 = X + (long)n * inSize, x1 = x0 + inSize, x2 = x1 + inSize, x3 = x2 + inSize;
            float* y0 = Y + (long)n * outSize;
            for (int j = j0; j < jEnd; j += 4)
            {
                float* w0 = W + (long)j * inSize, w1 = w0 + inSize, w2 = w1 + inSize, w3 = w2 + inSize;
                // aS01 = [row j | row j+1] of sample S, aS23 = [row j+2 | row j+3].
                Vector512<float> a001 = default, a023 = default, a101 = default, a123 = default;
                Vector512<float> a201 = default, a223 = default, a301 = default, a323 = default;
                for (int i = 0; i < vecEnd; i += DotLanes)
                {
                    var v01 = Vector512.Create(Vector256.Load(w0 + i), Vector256.Load(w1 + i));
                    var v23 = Vector512.Create(Vector256.Load(w2 + i), Vector256.Load(w3 + i));
                    var u = Vector256.Load(x0 + i); var uu = Vector512.Create(u, u);
                    a001 = Simd.MulAdd(uu, v01, a001); a023 = Simd.MulAdd(uu, v23, a023);
                    u = Vector256.Load(x1 + i); uu = Vector512.Create(u, u);
                    a101 = Simd.MulAdd(uu, v01, a101); a123 = Simd.MulAdd(uu, v23, a123);
                    u = Vector256.Load(x2 + i); uu = Vector512.Create(u, u);
                    a201 = Simd.MulAdd(uu, v01, a201); a223 = Simd.MulAdd(uu, v23, a223);
                    u = Vector256.Load(x3 + i); uu = Vector512.Create(u, u);
                    a301 = Simd.MulAdd(uu, v01, a301); a323 = Simd.MulAdd(uu, v23, a323);
                }
                var b = LoadBias(B == null ? null : B + j, 4);
                float* y = y0 + j;
                StoreOutputs<TAct>(y, B != null, b, 4, vectorActivationEnd - j, FinishDots(a001, a023, x0, w0, w1, w2, w3, vecEnd, inSize), alpha); y += outSize;
                StoreOutputs<TAct>(y, B != null, b, 4, vectorActivationEnd - j, FinishDots(a101, a123, x1, w0, w1, w2, w3, vecEnd, inSize), alpha); y += outSize;
                StoreOutputs<TAct>(y, B != null, b, 4, vectorActivationEnd - j, FinishDots(a201, a223, x2, w0, w1, w2, w3, vecEnd, inSize), alpha); y += outSize;
                StoreOutputs<TAct>(y, B != null, b, 4, vectorActivationEnd - j, FinishDots(a301, a323, x3, w0, w1, w2, w3, vecEnd, inSize), alpha);
            }
        }
        if (jEnd < j1) ForwardBlock256<TAct, TExt>(a, n0, nEnd, jEnd, j1);
        if (nEnd < n1) ForwardBlock256<TAct, TExt>(a, nEnd, n1, j0, j1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> FinishDots(Vector512<float> rows01, Vector512<float> rows23, float* x, float* w0, float* w1, float* w2, float* w3, int from, int to)
        => FinishDots(rows01.GetLower(), rows01.GetUpper(), rows23.GetLower(), rows23.GetUpper(), x, w0, w1, w2, w3, from, to);

    // 128 bits: each dot product keeps its eight partial sums in two registers (lanes 0–3 and 4–7 of each block of 8),
    // the 256-bit path's accumulator split in halves. Tiles of 2 samples × 2 rows, then single samples and rows.
    static void ForwardBlock128<TAct, TExt>(DenseArgs* a, int n0, int n1, int j0, int j1) where TAct : struct, IActivation where TExt : struct, IDenseExtents
    {
        int inSize = InSize<TExt>(a), outSize = OutSize<TExt>(a);
        int vecEnd = inSize & ~(DotLanes - 1), vectorActivationEnd = outSize & ~(DotLanes - 1);
        float* X = a->A, W = a->W, Y = a->C, B = a->B;
        var alpha = Vector128.Create(a->Alpha);
        int n = n0;
        for (; n + 2 <= n1; n += 2)
        {
            float* x0 = X + (long)n * inSize, x1 = x0 + inSize;
            float* y0 = Y + (long)n * outSize, y1 = y0 + outSize;
            int j = j0;
            for (; j + 2 <= j1; j += 2)
            {
                float* w0 = W + (long)j * inSize, w1 = w0 + inSize;
                Vector128<float> l00 = default, h00 = default, l01 = default, h01 = default, l10 = default, h10 = default, l11 = default, h11 = default;
                for (int i = 0; i < vecEnd; i += DotLanes)
                {
                    var v0l = Vector128.Load(w0 + i); var v0h = Vector128.Load(w0 + i + 4);
                    var v1l = Vector128.Load(w1 + i); var v1h = Vector128.Load(w1 + i + 4);
                    var ul = Vector128.Load(x0 + i); var uh = Vector128.Load(x0 + i + 4);
                    l00 = Simd.MulAdd(ul, v0l, l00); h00 = Simd.MulAdd(uh, v0h, h00); l01 = Simd.MulAdd(ul, v1l, l01); h01 = Simd.MulAdd(uh, v1h, h01);
                    ul = Vector128.Load(x1 + i); uh = Vector128.Load(x1 + i + 4);
                    l10 = Simd.MulAdd(ul, v0l, l10); h10 = Simd.MulAdd(uh, v0h, h10); l11 = Simd.MulAdd(ul, v1l, l11); h11 = Simd.MulAdd(uh, v1h, h11);
                }
                var b = LoadBias(B == null ? null : B + j, 2);
                StoreOutputs<TAct>(y0 + j, B != null, b, 2, vectorActivationEnd - j, Vector128.Create(FinishDot(l00, h00, x0, w0, vecEnd, inSize), FinishDot(l01, h01, x0, w1, vecEnd, inSize), 0f, 0f), alpha);
                StoreOutputs<TAct>(y1 + j, B != null, b, 2, vectorActivationEnd - j, Vector128.Create(FinishDot(l10, h10, x1, w0, vecEnd, inSize), FinishDot(l11, h11, x1, w1, vecEnd, inSize), 0f, 0f), alpha);
            }
            if (j < j1)
            {
                ForwardRow128<TAct, TExt>(a, x0, y0, j, alpha);
                ForwardRow128<TAct, TExt>(a, x1, y1, j, alpha);
            }
        }
        for (; n < n1; n++)
        {
            float* x0 = X + (long)n * inSize, y0 = Y + (long)n * outSize;
            for (int j = j0; j < j1; j++) ForwardRow128<TAct, TExt>(a, x0, y0, j, alpha);
        }
    }

    static void ForwardRow128<TAct, TExt>(DenseArgs* a, float* x, float* y, int j, Vector128<float> alpha) where TAct : struct, IActivation where TExt : struct, IDenseExtents
    {
        int inSize = InSize<TExt>(a), vecEnd = inSize & ~(DotLanes - 1), vectorActivationEnd = OutSize<TExt>(a) & ~(DotLanes - 1);
        float* w = a->W + (long)j * inSize;
        Vector128<float> lo = default, hi = default;
        for (int i = 0; i < vecEnd; i += DotLanes)
        {
            lo = Simd.MulAdd(Vector128.Load(x + i), Vector128.Load(w + i), lo);
            hi = Simd.MulAdd(Vector128.Load(x + i + 4), Vector128.Load(w + i + 4), hi);
        }
        StoreOutputs<TAct>(y + j, a->B != null, LoadBias(a->B == null ? null : a->B + j, 1), 1, vectorActivationEnd - j, Vector128.CreateScalar(FinishDot(lo, hi, x, w, vecEnd, inSize)), alpha);
    }

    // Scalar: the same eight partial sums in the same order, then the bias and the scalar activation.
    static void ForwardBlockScalar<TAct, TExt>(DenseArgs* a, int n0, int n1, int j0, int j1) where TAct : struct, IActivation where TExt : struct, IDenseExtents
    {
        int inSize = InSize<TExt>(a), outSize = OutSize<TExt>(a), vecEnd = inSize & ~(DotLanes - 1);
        for (int n = n0; n < n1; n++)
        {
            float* x = a->A + (long)n * inSize, y = a->C + (long)n * outSize;
            for (int j = j0; j < j1; j++)
            {
                float* w = a->W + (long)j * inSize;
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
                for (int i = 0; i < vecEnd; i += DotLanes)
                {
                    s0 = Simd.MulAdd(x[i], w[i], s0); s1 = Simd.MulAdd(x[i + 1], w[i + 1], s1);
                    s2 = Simd.MulAdd(x[i + 2], w[i + 2], s2); s3 = Simd.MulAdd(x[i + 3], w[i + 3], s3);
                    s4 = Simd.MulAdd(x[i + 4], w[i + 4], s4); s5 = Simd.MulAdd(x[i + 5], w[i + 5], s5);
                    s6 = Simd.MulAdd(x[i + 6], w[i + 6], s6); s7 = Simd.MulAdd(x[i + 7], w[i + 7], s7);
                }
                float s = Simd.Sum(s0, s1, s2, s3, s4, s5, s6, s7);
                for (int i = vecEnd; i < inSize; i++) s += x[i] * w[i];
                if (a->B != null) s += a->B[j];
                y[j] = TAct.Apply(s, a->Alpha);
            }
        }
    }

    // ---- BackwardInput: outer-product form, 4 samples × 3 vectors of i per tile, loop over j -------------

    // dX[n, i] for n in [n0, n1), i in [i0, i1): whole vectors of the widest width, then each narrower one on what is
    // left, the last few columns in scalar code. Each element is the same chain whichever of them computes it.
    static void BackwardInputBlock<TBelow, TExt>(DenseArgs* a, int n0, int n1, int i0, int i1) where TBelow : struct, IActivation where TExt : struct, IDenseExtents
    {
        int i = i0, width = Simd.MaxWidth;
        if (width >= 512) i = BackwardInputColumns<Width512, Vector512<float>, TBelow, TExt>(a, n0, n1, i, i1);
        if (width >= 256) i = BackwardInputColumns<Width256, Vector256<float>, TBelow, TExt>(a, n0, n1, i, i1);
        if (width >= 128) i = BackwardInputColumns<Width128, Vector128<float>, TBelow, TExt>(a, n0, n1, i, i1);
        BackwardInputColumns<ScalarWidth, float, TBelow, TExt>(a, n0, n1, i, i1);
    }

    // The whole vectors of V in [i0, i1); returns where they end.
    static int BackwardInputColumns<V, TVec, TBelow, TExt>(DenseArgs* a, int n0, int n1, int i0, int i1)
        where V : struct, IVectorWidth<TVec> where TVec : struct where TBelow : struct, IActivation where TExt : struct, IDenseExtents
    {
        int lanes = V.Lanes, inSize = InSize<TExt>(a), outSize = OutSize<TExt>(a);
        float* DZ = a->A, W = a->W, Yb = a->B, DX = a->C;
        var alpha = V.Splat(a->Alpha);
        int vecEnd = i0 + (i1 - i0) / lanes * lanes;
        int n = n0;
        for (; n + 4 <= n1; n += 4)
        {
            float* g0 = DZ + (long)n * outSize, g1 = g0 + outSize, g2 = g1 + outSize, g3 = g2 + outSize;
            long row = (long)n * inSize;
            int i = i0;
            for (; i + 3 * lanes <= vecEnd; i += 3 * lanes)
            {
                TVec a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
                TVec a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
                float* w = W + i;
                for (int j = 0; j < outSize; j++, w += inSize)
                {
                    var v0 = V.Load(w); var v1 = V.Load(w + lanes); var v2 = V.Load(w + 2 * lanes);
                    var g = V.Splat(g0[j]); a00 = V.MulAdd(g, v0, a00); a01 = V.MulAdd(g, v1, a01); a02 = V.MulAdd(g, v2, a02);
                    g = V.Splat(g1[j]); a10 = V.MulAdd(g, v0, a10); a11 = V.MulAdd(g, v1, a11); a12 = V.MulAdd(g, v2, a12);
                    g = V.Splat(g2[j]); a20 = V.MulAdd(g, v0, a20); a21 = V.MulAdd(g, v1, a21); a22 = V.MulAdd(g, v2, a22);
                    g = V.Splat(g3[j]); a30 = V.MulAdd(g, v0, a30); a31 = V.MulAdd(g, v1, a31); a32 = V.MulAdd(g, v2, a32);
                }
                long o = row + i;
                StoreInputGrad<V, TVec, TBelow>(a00, DX, Yb, o, alpha); StoreInputGrad<V, TVec, TBelow>(a01, DX, Yb, o + lanes, alpha); StoreInputGrad<V, TVec, TBelow>(a02, DX, Yb, o + 2 * lanes, alpha);
                o += inSize;
                StoreInputGrad<V, TVec, TBelow>(a10, DX, Yb, o, alpha); StoreInputGrad<V, TVec, TBelow>(a11, DX, Yb, o + lanes, alpha); StoreInputGrad<V, TVec, TBelow>(a12, DX, Yb, o + 2 * lanes, alpha);
                o += inSize;
                StoreInputGrad<V, TVec, TBelow>(a20, DX, Yb, o, alpha); StoreInputGrad<V, TVec, TBelow>(a21, DX, Yb, o + lanes, alpha); StoreInputGrad<V, TVec, TBelow>(a22, DX, Yb, o + 2 * lanes, alpha);
                o += inSize;
                StoreInputGrad<V, TVec, TBelow>(a30, DX, Yb, o, alpha); StoreInputGrad<V, TVec, TBelow>(a31, DX, Yb, o + lanes, alpha); StoreInputGrad<V, TVec, TBelow>(a32, DX, Yb, o + 2 * lanes, alpha);
            }
            for (; i < vecEnd; i += lanes)
            {
                TVec a0 = default, a1 = default, a2 = default, a3 = default;
                float* w = W + i;
                for (int j = 0; j < outSize; j++, w += inSize)
                {
                    var v = V.Load(w);
                    a0 = V.MulAdd(V.Splat(g0[j]), v, a0); a1 = V.MulAdd(V.Splat(g1[j]), v, a1);
                    a2 = V.MulAdd(V.Splat(g2[j]), v, a2); a3 = V.MulAdd(V.Splat(g3[j]), v, a3);
                }
                long o = row + i;
                StoreInputGrad<V, TVec, TBelow>(a0, DX, Yb, o, alpha); StoreInputGrad<V, TVec, TBelow>(a1, DX, Yb, o + inSize, alpha);
                StoreInputGrad<V, TVec, TBelow>(a2, DX, Yb, o + 2 * inSize, alpha); StoreInputGrad<V, TVec, TBelow>(a3, DX, Yb, o + 3 * inSize, alpha);
            }
        }
        for (; n < n1; n++)
        {
            float* g0 = DZ + (long)n * outSize;
            long row = (long)n * inSize;
            int i = i0;
            for (; i + 3 * lanes <= vecEnd; i += 3 * lanes)
            {
                TVec a0 = default, a1 = default, a2 = default;
                float* w = W + i;
                for (int j = 0; j < outSize; j++, w += inSize)
                {
                    var g = V.Splat(g0[j]);
                    a0 = V.MulAdd(g, V.Load(w), a0); a1 = V.MulAdd(g, V.Load(w + lanes), a1); a2 = V.MulAdd(g, V.Load(w + 2 * lanes), a2);
                }
                long o = row + i;
                StoreInputGrad<V, TVec, TBelow>(a0, DX, Yb, o, alpha); StoreInputGrad<V, TVec, TBelow>(a1, DX, Yb, o + lanes, alpha); StoreInputGrad<V, TVec, TBelow>(a2, DX, Yb, o + 2 * lanes, alpha);
            }
            for (; i < vecEnd; i += lanes)
            {
                TVec a0 = default;
                float* w = W + i;
                for (int j = 0; j < outSize; j++, w += inSize) a0 = V.MulAdd(V.Splat(g0[j]), V.Load(w), a0);
                StoreInputGrad<V, TVec, TBelow>(a0, DX, Yb, row + i, alpha);
            }
        }
        return vecEnd;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreInputGrad<V, TVec, TBelow>(TVec sum, float* dx, float* below, long offset, TVec alpha)
        where V : struct, IVectorWidth<TVec> where TVec : struct where TBelow : struct, IActivation
    {
        if (!TBelow.IsIdentity) sum = V.Multiply(sum, V.Derivative<TBelow>(V.Load(below + offset), alpha));
        V.Store(sum, dx + offset);
    }

    // ---- BackwardWeights: outer-product form, 4 rows j × 3 vectors of i per tile, loop over n ------------

    // dW[j, i] for j in [j0, j1), i in [i0, i1), width by width as in BackwardInputBlock.
    static void BackwardWeightsBlock<TExt>(DenseArgs* a, int j0, int j1, int i0, int i1) where TExt : struct, IDenseExtents
    {
        int i = i0, width = Simd.MaxWidth;
        if (width >= 512) i = BackwardWeightsColumns<Width512, Vector512<float>, TExt>(a, j0, j1, i, i1);
        if (width >= 256) i = BackwardWeightsColumns<Width256, Vector256<float>, TExt>(a, j0, j1, i, i1);
        if (width >= 128) i = BackwardWeightsColumns<Width128, Vector128<float>, TExt>(a, j0, j1, i, i1);
        BackwardWeightsColumns<ScalarWidth, float, TExt>(a, j0, j1, i, i1);
    }

    static int BackwardWeightsColumns<V, TVec, TExt>(DenseArgs* a, int j0, int j1, int i0, int i1)
        where V : struct, IVectorWidth<TVec> where TVec : struct where TExt : struct, IDenseExtents
    {
        int lanes = V.Lanes, inSize = InSize<TExt>(a), outSize = OutSize<TExt>(a), batch = a->Batch;
        float* DZ = a->A, X = a->W, DW = a->C;
        int vecEnd = i0 + (i1 - i0) / lanes * lanes;
        int i = i0;
        // Column strips outermost: a strip of X (batch × 3 vectors) stays in L1 while every row block reads it.
        for (; i + 3 * lanes <= vecEnd; i += 3 * lanes)
        {
            int j = j0;
            for (; j + 4 <= j1; j += 4)
            {
                TVec a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
                TVec a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
                float* x = X + i;
                float* g = DZ + j;
                for (int n = 0; n < batch; n++, x += inSize, g += outSize)
                {
                    var v0 = V.Load(x); var v1 = V.Load(x + lanes); var v2 = V.Load(x + 2 * lanes);
                    var s = V.Splat(g[0]); a00 = V.MulAdd(s, v0, a00); a01 = V.MulAdd(s, v1, a01); a02 = V.MulAdd(s, v2, a02);
                    s = V.Splat(g[1]); a10 = V.MulAdd(s, v0, a10); a11 = V.MulAdd(s, v1, a11); a12 = V.MulAdd(s, v2, a12);
                    s = V.Splat(g[2]); a20 = V.MulAdd(s, v0, a20); a21 = V.MulAdd(s, v1, a21); a22 = V.MulAdd(s, v2, a22);
                    s = V.Splat(g[3]); a30 = V.MulAdd(s, v0, a30); a31 = V.MulAdd(s, v1, a31); a32 = V.MulAdd(s, v2, a32);
                }
                float* d = DW + (long)j * inSize + i;
                V.Store(a00, d); V.Store(a01, d + lanes); V.Store(a02, d + 2 * lanes); d += inSize;
                V.Store(a10, d); V.Store(a11, d + lanes); V.Store(a12, d + 2 * lanes); d += inSize;
                V.Store(a20, d); V.Store(a21, d + lanes); V.Store(a22, d + 2 * lanes); d += inSize;
                V.Store(a30, d); V.Store(a31, d + lanes); V.Store(a32, d + 2 * lanes);
            }
            for (; j < j1; j++)
            {
                TVec a0 = default, a1 = default, a2 = default;
                float* x = X + i;
                float* g = DZ + j;
                for (int n = 0; n < batch; n++, x += inSize, g += outSize)
                {
                    var s = V.Splat(*g);
                    a0 = V.MulAdd(s, V.Load(x), a0); a1 = V.MulAdd(s, V.Load(x + lanes), a1); a2 = V.MulAdd(s, V.Load(x + 2 * lanes), a2);
                }
                float* d = DW + (long)j * inSize + i;
                V.Store(a0, d); V.Store(a1, d + lanes); V.Store(a2, d + 2 * lanes);
            }
        }
        for (; i < vecEnd; i += lanes)
        {
            int j = j0;
            for (; j + 4 <= j1; j += 4)
            {
                TVec a0 = default, a1 = default, a2 = default, a3 = default;
                float* x = X + i;
                float* g = DZ + j;
                for (int n = 0; n < batch; n++, x += inSize, g += outSize)
                {
                    var v = V.Load(x);
                    a0 = V.MulAdd(V.Splat(g[0]), v, a0); a1 = V.MulAdd(V.Splat(g[1]), v, a1);
                    a2 = V.MulAdd(V.Splat(g[2]), v, a2); a3 = V.MulAdd(V.Splat(g[3]), v, a3);
                }
                float* d = DW + (long)j * inSize + i;
                V.Store(a0, d); V.Store(a1, d + inSize); V.Store(a2, d + 2 * inSize); V.Store(a3, d + 3 * inSize);
            }
            for (; j < j1; j++)
            {
                TVec a0 = default;
                float* x = X + i;
                float* g = DZ + j;
                for (int n = 0; n < batch; n++, x += inSize, g += outSize) a0 = V.MulAdd(V.Splat(*g), V.Load(x), a0);
                V.Store(a0, DW + (long)j * inSize + i);
            }
        }
        return vecEnd;
    }
}
