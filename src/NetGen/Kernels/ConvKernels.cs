using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// 2-D convolution kernels over NCHW activations. Legend, one sample: x [inC, H, W], W [outC, inC, kH, kW]
/// (PyTorch's nn.Conv2d), b [outC], y [outC, oH, oW]; K = inC·kH·kW (one patch), P = oH·oW (output pixels).
/// columns [K, P] is im2col of x: columns[(c·kH + u)·kW + v, i·oW + j] = x[c, i·s + u − padH, j·s + v − padW] (0 outside).
/// Then y = W·columns is one [outC, K]·[K, P] matrix product per sample, and backward is two more:
/// dW = Σ_n dZ_n·columns_nᵀ and dcolumns = Wᵀ·dZ_n, which col2im scatters back into dX.
/// The generated code passes every extent as a literal. Each output element is computed by exactly one loop in a
/// fixed order, so results do not depend on anything but the inputs.
/// </summary>
public static unsafe class ConvKernels
{
    /// <summary>Multiply-adds below which a kernel stays on the calling thread. Tests lower it to force the parallel path.</summary>
    internal static long ParallelThreshold { get; set; } = 256 * 1024;

    /// <summary>
    /// y_n = f(W·im2col(x_n) + b) for every sample, the bias and activation fused into the matrix product's epilogue.
    /// <paramref name="columns"/> receives each sample's im2col ([batch, K, P]); training keeps it for the backward pass.
    /// An empty <paramref name="bias"/> means no bias. Samples are split across the worker pool: each one has its own
    /// slice of the columns, and its outputs are computed the same way whichever thread runs it.
    /// </summary>
    public static void Forward<TAct>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output,
        Span<float> columns, int batch, int inC, int inH, int inW, int outC, int kH, int kW, int stride, int padH, int padW, int outH, int outW,
        float alpha) where TAct : struct, IActivation
    {
        int inSize = inC * inH * inW, patch = inC * kH * kW, pixels = outH * outW, outSize = outC * pixels;
        Check(input.Length, batch * inSize, nameof(input));
        Check(output.Length, batch * outSize, nameof(output));
        Check(columns.Length, batch * patch * pixels, nameof(columns));
        Check(weights.Length, outC * patch, nameof(weights));
        if (!bias.IsEmpty) Check(bias.Length, outC, nameof(bias));
        fixed (float* x = input, w = weights, b = bias, y = output, col = columns)
        {
            var args = new ConvArgs
            {
                X = x, W = w, B = bias.IsEmpty ? null : b, Y = y, Col = col, Batch = batch, InC = inC, InH = inH, InW = inW, OutC = outC,
                KH = kH, KW = kW, Stride = stride, PadH = padH, PadW = padW, OutH = outH, OutW = outW, Alpha = alpha,
            };
            args.Chunks = Chunks((long)batch * outC * patch * pixels, batch);
            if (args.Chunks <= 1) ForwardChunk<TAct>(&args, 0);
            else WorkerPool.Run(&ForwardChunk<TAct>, &args, args.Chunks);
        }
    }

    static void ForwardChunk<TAct>(void* p, int chunk) where TAct : struct, IActivation
    {
        var a = (ConvArgs*)p;
        int inSize = a->InC * a->InH * a->InW, patch = a->InC * a->KH * a->KW, pixels = a->OutH * a->OutW, outSize = a->OutC * pixels;
        WorkerPool.ChunkRange(a->Batch, a->Chunks, chunk, out int n0, out int n1);
        for (int n = n0; n < n1; n++)
        {
            float* xn = a->X + (long)n * inSize, coln = a->Col + (long)n * patch * pixels;
            Im2Col(xn, coln, a->InC, a->InH, a->InW, a->KH, a->KW, a->Stride, a->PadH, a->PadW, a->OutH, a->OutW);
            Gemm<TAct>(a->W, patch, 1, coln, a->Y + (long)n * outSize, a->B, a->OutC, pixels, patch, a->Alpha);
        }
    }

    /// <summary>
    /// dW[o, k] = Σ_n Σ_p dZ_n[o, p]·columns_n[k, p] and db[o] = Σ_n Σ_p dZ_n[o, p], overwriting both. An empty <paramref name="biasGrad"/> means no bias.
    /// Split across the worker pool by patch rows k (in blocks of four): each chunk reads only its own rows of the columns,
    /// and every element is summed over all samples, in sample order, by one thread with the same arithmetic whatever
    /// the block it falls in, so the result does not depend on the thread count. db is summed on the caller.
    /// </summary>
    public static void BackwardWeights(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> columns, Span<float> weightGrad, Span<float> biasGrad,
        int batch, int outC, int patch, int pixels)
    {
        Check(outputGrad.Length, batch * outC * pixels, nameof(outputGrad));
        Check(columns.Length, batch * patch * pixels, nameof(columns));
        Check(weightGrad.Length, outC * patch, nameof(weightGrad));
        if (!biasGrad.IsEmpty) Check(biasGrad.Length, outC, nameof(biasGrad));
        fixed (float* dz = outputGrad, col = columns, dw = weightGrad, db = biasGrad)
        {
            var args = new ConvArgs { Y = dz, Col = col, W = dw, Batch = batch, OutC = outC, Patch = patch, Pixels = pixels };
            // Patch rows in blocks of four, two chunks per thread at most: every chunk streams all of dZ.
            args.Chunks = WorkerPool.ChunkCount((long)batch * outC * patch * pixels, ParallelThreshold, (patch + 3) / 4, chunksPerThread: 2);
            if (args.Chunks <= 1) BackwardWeightsChunk(&args, 0);
            else WorkerPool.Run(&BackwardWeightsChunk, &args, args.Chunks);
            if (!biasGrad.IsEmpty)
            {
                if (Simd.MaxWidth >= 256) BiasGrad<EightLanes256, Vector256<float>>(&args, db);
                else if (Simd.MaxWidth >= 128) BiasGrad<EightLanes128, EightLanes128.Halves>(&args, db);
                else BiasGrad<EightLanesScalar, EightLanesScalar.Octet>(&args, db);
            }
        }
    }

    static void BackwardWeightsChunk(void* p, int chunk)
    {
        var a = (ConvArgs*)p;
        WorkerPool.BlockRange(a->Patch, 4, a->Chunks, chunk, out int k0, out int k1);
        // The dot products keep eight partial sums at every width (see IEightLanes), so dW has the same bits on all.
        if (Simd.MaxWidth >= 256) BackwardWeightsRows<EightLanes256, Vector256<float>>(a, k0, k1);
        else if (Simd.MaxWidth >= 128) BackwardWeightsRows<EightLanes128, EightLanes128.Halves>(a, k0, k1);
        else BackwardWeightsRows<EightLanesScalar, EightLanesScalar.Octet>(a, k0, k1);
    }

    // dW[:, k0..k1) = Σ_n Σ_p dZ_n[o, p]·columns_n[k, p], sample by sample.
    static void BackwardWeightsRows<L, T>(ConvArgs* a, int k0, int k1) where L : struct, IEightLanes<T> where T : struct
    {
        int outC = a->OutC, patch = a->Patch, pixels = a->Pixels;
        float* dw = a->W;
        for (int o = 0; o < outC; o++) new Span<float>(dw + (long)o * patch + k0, k1 - k0).Clear();
        for (int n = 0; n < a->Batch; n++)
        {
            float* dzn = a->Y + (long)n * outC * pixels, coln = a->Col + (long)n * patch * pixels;
            int o = 0;
            // Three filters × four patch rows share their loads (7 per 12 multiply-adds); each dot product is the same
            // eight-partial-sum chain whichever tile holds it, so the tiling does not change a bit.
            for (; o + 3 <= outC; o += 3)
            {
                float* g0 = dzn + (long)o * pixels, g1 = g0 + pixels, g2 = g1 + pixels;
                float* dw0 = dw + (long)o * patch, dw1 = dw0 + patch, dw2 = dw1 + patch;
                int k = k0;
                for (; k + 4 <= k1; k += 4) Dot3x4<L, T>(g0, g1, g2, coln + (long)k * pixels, pixels, dw0 + k, dw1 + k, dw2 + k);
                for (; k < k1; k++)
                {
                    dw0[k] += Dot<L, T>(g0, coln + (long)k * pixels, pixels);
                    dw1[k] += Dot<L, T>(g1, coln + (long)k * pixels, pixels);
                    dw2[k] += Dot<L, T>(g2, coln + (long)k * pixels, pixels);
                }
            }
            for (; o + 2 <= outC; o += 2)
            {
                float* g0 = dzn + (long)o * pixels, g1 = g0 + pixels;
                float* dw0 = dw + (long)o * patch, dw1 = dw0 + patch;
                int k = k0;
                for (; k + 4 <= k1; k += 4) Dot2x4<L, T>(g0, g1, coln + (long)k * pixels, pixels, dw0 + k, dw1 + k);
                for (; k < k1; k++)
                {
                    dw0[k] += Dot<L, T>(g0, coln + (long)k * pixels, pixels);
                    dw1[k] += Dot<L, T>(g1, coln + (long)k * pixels, pixels);
                }
            }
            for (; o < outC; o++)
            {
                float* g = dzn + (long)o * pixels;
                float* dwo = dw + (long)o * patch;
                int k = k0;
                for (; k + 4 <= k1; k += 4)
                {
                    Dot4<L, T>(g, coln + (long)k * pixels, pixels, out float d0, out float d1, out float d2, out float d3);
                    dwo[k] += d0; dwo[k + 1] += d1; dwo[k + 2] += d2; dwo[k + 3] += d3;
                }
                for (; k < k1; k++) dwo[k] += Dot<L, T>(g, coln + (long)k * pixels, pixels);
            }
        }
    }

    // db[o] = Σ_n Σ_p dZ_n[o, p], samples in order, on the caller.
    static void BiasGrad<L, T>(ConvArgs* a, float* db) where L : struct, IEightLanes<T> where T : struct
    {
        int outC = a->OutC, pixels = a->Pixels;
        new Span<float>(db, outC).Clear();
        for (int n = 0; n < a->Batch; n++)
            for (int o = 0; o < outC; o++) db[o] += Sum<L, T>(a->Y + ((long)n * outC + o) * pixels, pixels);
    }

    /// <summary>
    /// dX_n = col2im(Wᵀ·dZ_n) ⊙ f'(below_n), where f is the activation of the layer that produced x (pass
    /// <see cref="Identity"/> and an empty <paramref name="below"/> when there is none to fold in).
    /// <paramref name="columns"/> is scratch: call this after <see cref="BackwardWeights"/>, which reads it.
    /// Samples are split across the worker pool, each with its own slice of the columns.
    /// </summary>
    public static void BackwardInput<TBelow>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> weights, ReadOnlySpan<float> below,
        Span<float> inputGrad, Span<float> columns, int batch, int inC, int inH, int inW, int outC, int kH, int kW, int stride, int padH, int padW,
        int outH, int outW, float alpha) where TBelow : struct, IActivation
    {
        int inSize = inC * inH * inW, patch = inC * kH * kW, pixels = outH * outW, outSize = outC * pixels;
        Check(outputGrad.Length, batch * outSize, nameof(outputGrad));
        Check(inputGrad.Length, batch * inSize, nameof(inputGrad));
        Check(columns.Length, batch * patch * pixels, nameof(columns));
        Check(weights.Length, outC * patch, nameof(weights));
        if (!TBelow.IsIdentity) Check(below.Length, batch * inSize, nameof(below));
        fixed (float* dz = outputGrad, w = weights, y = below, dx = inputGrad, col = columns)
        {
            var args = new ConvArgs
            {
                Y = dz, W = w, Below = y, X = dx, Col = col, Batch = batch, InC = inC, InH = inH, InW = inW, OutC = outC,
                KH = kH, KW = kW, Stride = stride, PadH = padH, PadW = padW, OutH = outH, OutW = outW, Alpha = alpha,
            };
            args.Chunks = Chunks((long)batch * outC * patch * pixels, batch);
            if (args.Chunks <= 1) BackwardInputChunk<TBelow>(&args, 0);
            else WorkerPool.Run(&BackwardInputChunk<TBelow>, &args, args.Chunks);
        }
    }

    static void BackwardInputChunk<TBelow>(void* p, int chunk) where TBelow : struct, IActivation
    {
        var a = (ConvArgs*)p;
        int inSize = a->InC * a->InH * a->InW, patch = a->InC * a->KH * a->KW, pixels = a->OutH * a->OutW, outSize = a->OutC * pixels;
        WorkerPool.ChunkRange(a->Batch, a->Chunks, chunk, out int n0, out int n1);
        for (int n = n0; n < n1; n++)
        {
            float* coln = a->Col + (long)n * patch * pixels, dxn = a->X + (long)n * inSize;
            // dcolumns[k, p] = Σ_o W[o, k]·dZ[o, p]: Wᵀ read in place through its strides.
            Gemm<Identity>(a->W, 1, patch, a->Y + (long)n * outSize, coln, null, patch, pixels, a->OutC, 0f);
            Col2Im(coln, dxn, a->InC, a->InH, a->InW, a->KH, a->KW, a->Stride, a->PadH, a->PadW, a->OutH, a->OutW);
            if (!TBelow.IsIdentity) MultiplyByDerivative<TBelow>(dxn, a->Below + (long)n * inSize, inSize, a->Alpha);
        }
    }

    // ---- Work splitting ----------------------------------------------------------------------------------

    struct ConvArgs
    {
        public float* X, W, B, Y, Col, Below;
        public int Batch, InC, InH, InW, OutC, KH, KW, Stride, PadH, PadW, OutH, OutW, Patch, Pixels, Chunks;
        public float Alpha;
    }

    static int Chunks(long work, int items) => WorkerPool.ChunkCount(work, ParallelThreshold, items);

    /// <summary>columns[(c·kH + u)·kW + v, i·oW + j] = x[c, i·s + u − padH, j·s + v − padW], zero outside the image.</summary>
    private static void Im2Col(float* x, float* col, int inC, int inH, int inW, int kH, int kW, int stride, int padH, int padW, int outH, int outW)
    {
        for (int c = 0; c < inC; c++)
        {
            for (int u = 0; u < kH; u++)
            {
                for (int v = 0; v < kW; v++)
                {
                    // Output columns j whose input column j·s + v − padW lies inside [0, inW).
                    int jLo = FirstInside(v - padW, stride), jHi = Math.Min(outW, LastInsideExclusive(v - padW, stride, inW));
                    if (jHi < jLo) jHi = jLo;
                    for (int i = 0; i < outH; i++, col += outW)
                    {
                        int iy = i * stride + u - padH;
                        if ((uint)iy >= (uint)inH)
                        {
                            new Span<float>(col, outW).Clear();
                            continue;
                        }
                        float* row = x + ((long)c * inH + iy) * inW + v - padW;
                        for (int j = 0; j < jLo; j++) col[j] = 0f;
                        if (stride == 1) new ReadOnlySpan<float>(row + jLo, jHi - jLo).CopyTo(new Span<float>(col + jLo, jHi - jLo));
                        else for (int j = jLo; j < jHi; j++) col[j] = row[j * stride];
                        for (int j = jHi; j < outW; j++) col[j] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: dx is cleared, then every column entry is added back to the pixel it came from, in a fixed order.</summary>
    private static void Col2Im(float* col, float* dx, int inC, int inH, int inW, int kH, int kW, int stride, int padH, int padW, int outH, int outW)
    {
        new Span<float>(dx, inC * inH * inW).Clear();
        for (int c = 0; c < inC; c++)
        {
            for (int u = 0; u < kH; u++)
            {
                for (int v = 0; v < kW; v++)
                {
                    int jLo = FirstInside(v - padW, stride), jHi = Math.Min(outW, LastInsideExclusive(v - padW, stride, inW));
                    for (int i = 0; i < outH; i++, col += outW)
                    {
                        int iy = i * stride + u - padH;
                        if ((uint)iy >= (uint)inH) continue;
                        float* row = dx + ((long)c * inH + iy) * inW + v - padW;
                        if (stride == 1) Add(col + jLo, row + jLo, jHi - jLo);
                        else for (int j = jLo; j < jHi; j++) row[j * stride] += col[j];
                    }
                }
            }
        }
    }

    /// <summary>The smallest j ≥ 0 with j·s + offset ≥ 0.</summary>
    private static int FirstInside(int offset, int stride) => offset >= 0 ? 0 : (-offset + stride - 1) / stride;

    /// <summary>The smallest j with j·s + offset ≥ limit (so [FirstInside, this) is inside).</summary>
    private static int LastInsideExclusive(int offset, int stride, int limit) => limit - offset <= 0 ? 0 : (limit - offset + stride - 1) / stride;

    /// <summary>
    /// C[m, n] = f(bias[m] + Σ_k A[m, k]·B[k, n]) with A[m, k] = a[m·aRow + k·aCol] (so Wᵀ needs no copy), B [K, N] and C [M, N] row-major.
    /// Register-blocked: 4 rows × 2 vectors of C live in eight accumulators across the whole k loop, at the widest width
    /// allowed; the columns left over go to each narrower width, the last few to scalar code. Every element is one
    /// multiply-add chain over k in order, so which width computes it changes nothing.
    /// </summary>
    private static void Gemm<TAct>(float* a, int aRow, int aCol, float* b, float* c, float* bias, int M, int N, int K, float alpha)
        where TAct : struct, IActivation
    {
        var args = new GemmArgs { A = a, ARow = aRow, ACol = aCol, B = b, C = c, Bias = bias, M = M, N = N, K = K, Alpha = alpha };
        // An activation takes its vector formula on whole groups of 8 columns and the scalar one on the last N % 8,
        // whatever the width, so the column alone decides it.
        int vectorEnd = TAct.IsIdentity ? N : N & ~7;
        int n = 0, width = Simd.MaxWidth;
        if (width >= 512) n = GemmColumns<Width512, Vector512<float>, TAct>(ref args, n, vectorEnd);
        if (width >= 256) n = GemmColumns<Width256, Vector256<float>, TAct>(ref args, n, vectorEnd);
        if (width >= 128) n = GemmColumns<Width128, Vector128<float>, TAct>(ref args, n, vectorEnd);
        GemmColumns<ScalarWidth, float, TAct>(ref args, n, N);
    }

    struct GemmArgs
    {
        public float* A, B, C, Bias;
        public int ARow, ACol, M, N, K;
        public float Alpha;
    }

    /// <summary>Columns [n0, end) of C in whole vectors of V; returns where they end.</summary>
    private static int GemmColumns<V, TVec, TAct>(ref GemmArgs g, int n0, int end)
        where V : struct, IVectorWidth<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = V.Lanes, aRow = g.ARow, aCol = g.ACol, M = g.M, N = g.N, K = g.K;
        float* a = g.A, b = g.B, c = g.C, bias = g.Bias;
        var va = V.Splat(g.Alpha);
        int nEnd = n0 + (end - n0) / lanes * lanes;
        int m = 0;
        for (; m + 4 <= M; m += 4)
        {
            float* a0 = a + (long)m * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
            float* c0 = c + (long)m * N;
            int n = n0;
            // 4 rows × 3 vectors: 12 accumulators, and per k 3 loads and 4 broadcasts feed 12 multiply-adds. Each output
            // element is still one chain over k from zero, in order, so the tile's shape does not change a bit.
            for (; n + 3 * lanes <= nEnd; n += 3 * lanes)
            {
                TVec s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
                TVec s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
                float* bk = b + n;
                for (int k = 0; k < K; k++, bk += N)
                {
                    var b0 = V.Load(bk);
                    var b1 = V.Load(bk + lanes);
                    var b2 = V.Load(bk + 2 * lanes);
                    long ak = (long)k * aCol;
                    var w0 = V.Splat(a0[ak]);
                    s00 = V.MulAdd(w0, b0, s00); s01 = V.MulAdd(w0, b1, s01); s02 = V.MulAdd(w0, b2, s02);
                    var w1 = V.Splat(a1[ak]);
                    s10 = V.MulAdd(w1, b0, s10); s11 = V.MulAdd(w1, b1, s11); s12 = V.MulAdd(w1, b2, s12);
                    var w2 = V.Splat(a2[ak]);
                    s20 = V.MulAdd(w2, b0, s20); s21 = V.MulAdd(w2, b1, s21); s22 = V.MulAdd(w2, b2, s22);
                    var w3 = V.Splat(a3[ak]);
                    s30 = V.MulAdd(w3, b0, s30); s31 = V.MulAdd(w3, b1, s31); s32 = V.MulAdd(w3, b2, s32);
                }
                float* c1 = c0 + N, c2 = c1 + N, c3 = c2 + N;
                Store<V, TVec, TAct>(c0 + n, s00, bias, m, va); Store<V, TVec, TAct>(c0 + n + lanes, s01, bias, m, va); Store<V, TVec, TAct>(c0 + n + 2 * lanes, s02, bias, m, va);
                Store<V, TVec, TAct>(c1 + n, s10, bias, m + 1, va); Store<V, TVec, TAct>(c1 + n + lanes, s11, bias, m + 1, va); Store<V, TVec, TAct>(c1 + n + 2 * lanes, s12, bias, m + 1, va);
                Store<V, TVec, TAct>(c2 + n, s20, bias, m + 2, va); Store<V, TVec, TAct>(c2 + n + lanes, s21, bias, m + 2, va); Store<V, TVec, TAct>(c2 + n + 2 * lanes, s22, bias, m + 2, va);
                Store<V, TVec, TAct>(c3 + n, s30, bias, m + 3, va); Store<V, TVec, TAct>(c3 + n + lanes, s31, bias, m + 3, va); Store<V, TVec, TAct>(c3 + n + 2 * lanes, s32, bias, m + 3, va);
            }
            for (int r = 0; r < 4; r++)
                for (int j = n; j < nEnd; j += lanes) RowVector<V, TVec, TAct>(a0 + (long)r * aRow, aCol, b + j, c0 + (long)r * N + j, bias, m + r, N, K, va);
        }
        for (; m < M; m++)
            for (int j = n0; j < nEnd; j += lanes) RowVector<V, TVec, TAct>(a + (long)m * aRow, aCol, b + j, c + (long)m * N + j, bias, m, N, K, va);
        return nEnd;
    }

    /// <summary>One vector of one row of C: c[0..lanes) = f(bias[m] + Σ_k a[k·aCol]·b[k·N + 0..lanes)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowVector<V, TVec, TAct>(float* a, int aCol, float* b, float* c, float* bias, int m, int N, int K, TVec alpha)
        where V : struct, IVectorWidth<TVec> where TVec : struct where TAct : struct, IActivation
    {
        TVec s = default;
        for (int k = 0; k < K; k++, b += N) s = V.MulAdd(V.Splat(a[(long)k * aCol]), V.Load(b), s);
        Store<V, TVec, TAct>(c, s, bias, m, alpha);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<V, TVec, TAct>(float* c, TVec s, float* bias, int m, TVec alpha)
        where V : struct, IVectorWidth<TVec> where TVec : struct where TAct : struct, IActivation
    {
        if (bias != null) s = V.Add(s, V.Splat(bias[m]));
        V.Store(V.Apply<TAct>(s, alpha), c);
    }

    /// <summary>
    /// dw0[0..4) += g0·rows[0..4) and dw1[0..4) += g1·rows[0..4): eight dot products sharing their loads. Each one is
    /// computed exactly as <see cref="Dot4"/> and <see cref="Dot"/> compute it (eight partial sums, reduced in
    /// <see cref="Simd.Sum(Vector256{float})"/>'s order, then the scalar tail in order).
    /// </summary>
    private static void Dot2x4<L, T>(float* g0, float* g1, float* rows, int length, float* dw0, float* dw1) where L : struct, IEightLanes<T> where T : struct
    {
        T s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        float* r0 = rows, r1 = rows + length, r2 = r1 + length, r3 = r2 + length;
        int p = 0;
        for (; p + 8 <= length; p += 8)
        {
            var a = L.Load(g0 + p);
            var b = L.Load(g1 + p);
            var v0 = L.Load(r0 + p);
            s00 = L.MulAdd(a, v0, s00); s10 = L.MulAdd(b, v0, s10);
            var v1 = L.Load(r1 + p);
            s01 = L.MulAdd(a, v1, s01); s11 = L.MulAdd(b, v1, s11);
            var v2 = L.Load(r2 + p);
            s02 = L.MulAdd(a, v2, s02); s12 = L.MulAdd(b, v2, s12);
            var v3 = L.Load(r3 + p);
            s03 = L.MulAdd(a, v3, s03); s13 = L.MulAdd(b, v3, s13);
        }
        float d00 = L.Sum(s00), d01 = L.Sum(s01), d02 = L.Sum(s02), d03 = L.Sum(s03);
        float d10 = L.Sum(s10), d11 = L.Sum(s11), d12 = L.Sum(s12), d13 = L.Sum(s13);
        for (; p < length; p++)
        {
            float a = g0[p], b = g1[p];
            d00 += a * r0[p]; d01 += a * r1[p]; d02 += a * r2[p]; d03 += a * r3[p];
            d10 += b * r0[p]; d11 += b * r1[p]; d12 += b * r2[p]; d13 += b * r3[p];
        }
        dw0[0] += d00; dw0[1] += d01; dw0[2] += d02; dw0[3] += d03;
        dw1[0] += d10; dw1[1] += d11; dw1[2] += d12; dw1[3] += d13;
    }

    /// <summary>
    /// <see cref="Dot2x4{L, T}"/> for three gradient rows: twelve dot products, each computed exactly as
    /// <see cref="Dot{L, T}"/> computes it.
    /// </summary>
    private static void Dot3x4<L, T>(float* g0, float* g1, float* g2, float* rows, int length, float* dw0, float* dw1, float* dw2)
        where L : struct, IEightLanes<T> where T : struct
    {
        T s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        T s20 = default, s21 = default, s22 = default, s23 = default;
        float* r0 = rows, r1 = rows + length, r2 = r1 + length, r3 = r2 + length;
        int p = 0;
        for (; p + 8 <= length; p += 8)
        {
            var a = L.Load(g0 + p);
            var b = L.Load(g1 + p);
            var c = L.Load(g2 + p);
            var v = L.Load(r0 + p);
            s00 = L.MulAdd(a, v, s00); s10 = L.MulAdd(b, v, s10); s20 = L.MulAdd(c, v, s20);
            v = L.Load(r1 + p);
            s01 = L.MulAdd(a, v, s01); s11 = L.MulAdd(b, v, s11); s21 = L.MulAdd(c, v, s21);
            v = L.Load(r2 + p);
            s02 = L.MulAdd(a, v, s02); s12 = L.MulAdd(b, v, s12); s22 = L.MulAdd(c, v, s22);
            v = L.Load(r3 + p);
            s03 = L.MulAdd(a, v, s03); s13 = L.MulAdd(b, v, s13); s23 = L.MulAdd(c, v, s23);
        }
        float d00 = L.Sum(s00), d01 = L.Sum(s01), d02 = L.Sum(s02), d03 = L.Sum(s03);
        float d10 = L.Sum(s10), d11 = L.Sum(s11), d12 = L.Sum(s12), d13 = L.Sum(s13);
        float d20 = L.Sum(s20), d21 = L.Sum(s21), d22 = L.Sum(s22), d23 = L.Sum(s23);
        for (; p < length; p++)
        {
            float a = g0[p], b = g1[p], c = g2[p];
            d00 += a * r0[p]; d01 += a * r1[p]; d02 += a * r2[p]; d03 += a * r3[p];
            d10 += b * r0[p]; d11 += b * r1[p]; d12 += b * r2[p]; d13 += b * r3[p];
            d20 += c * r0[p]; d21 += c * r1[p]; d22 += c * r2[p]; d23 += c * r3[p];
        }
        dw0[0] += d00; dw0[1] += d01; dw0[2] += d02; dw0[3] += d03;
        dw1[0] += d10; dw1[1] += d11; dw1[2] += d12; dw1[3] += d13;
        dw2[0] += d20; dw2[1] += d21; dw2[2] += d22; dw2[3] += d23;
    }

    /// <summary>Four dot products of g with four consecutive rows of length <paramref name="length"/>, sharing the loads of g.</summary>
    private static void Dot4<L, T>(float* g, float* rows, int length, out float d0, out float d1, out float d2, out float d3)
        where L : struct, IEightLanes<T> where T : struct
    {
        T s0 = default, s1 = default, s2 = default, s3 = default;
        float* r0 = rows, r1 = rows + length, r2 = r1 + length, r3 = r2 + length;
        int p = 0;
        for (; p + 8 <= length; p += 8)
        {
            var gv = L.Load(g + p);
            s0 = L.MulAdd(gv, L.Load(r0 + p), s0);
            s1 = L.MulAdd(gv, L.Load(r1 + p), s1);
            s2 = L.MulAdd(gv, L.Load(r2 + p), s2);
            s3 = L.MulAdd(gv, L.Load(r3 + p), s3);
        }
        d0 = L.Sum(s0); d1 = L.Sum(s1); d2 = L.Sum(s2); d3 = L.Sum(s3);
        for (; p < length; p++)
        {
            float gp = g[p];
            d0 += gp * r0[p]; d1 += gp * r1[p]; d2 += gp * r2[p]; d3 += gp * r3[p];
        }
    }

    private static float Dot<L, T>(float* g, float* row, int length) where L : struct, IEightLanes<T> where T : struct
    {
        T s = default;
        int p = 0;
        for (; p + 8 <= length; p += 8) s = L.MulAdd(L.Load(g + p), L.Load(row + p), s);
        float d = L.Sum(s);
        for (; p < length; p++) d += g[p] * row[p];
        return d;
    }

    private static float Sum<L, T>(float* g, int length) where L : struct, IEightLanes<T> where T : struct
    {
        T s = default;
        int p = 0;
        for (; p + 8 <= length; p += 8) s = L.Add(s, L.Load(g + p));
        float d = L.Sum(s);
        for (; p < length; p++) d += g[p];
        return d;
    }

    /// <summary>destination[i] += source[i].</summary>
    private static void Add(float* source, float* destination, int length)
        => ElementwiseKernels.AddInPlace(new ReadOnlySpan<float>(source, length), new Span<float>(destination, length));

    private static void MultiplyByDerivative<TBelow>(float* dx, float* y, int length, float alpha) where TBelow : struct, IActivation
        => ElementwiseKernels.MultiplyByDerivative<TBelow>(new ReadOnlySpan<float>(y, length), new Span<float>(dx, length), alpha);

    private static void Check(int actual, int expected, string name)
    {
        if (actual < expected) throw new ArgumentException($"{name} holds {actual} floats; the convolution needs at least {expected}.", name);
    }
}
