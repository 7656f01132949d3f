using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels;

/// <summary>
/// 2-D pooling over NCHW activations, no padding, floor semantics: x [C, H, W] → y [C, oH, oW] with
/// y[c, i, j] over the window rows i·s … i·s + size − 1 and columns j·s … j·s + size − 1.
/// The generated code passes every extent as a literal.
/// </summary>
public static unsafe class PoolKernels
{
    /// <summary>Elements (inputs read or written) below which a kernel stays on the calling thread. Tests lower it to force the parallel path.</summary>
    internal static long ParallelThreshold { get; set; } = 128 * 1024;

    /// <summary>
    /// y = the window's maximum (the first one on ties, in row-major window order; NaN never replaces a maximum, as in a
    /// scalar <c>value &gt; max</c> scan). When <paramref name="argmax"/> is not empty it receives, per output, the index
    /// of that maximum within its sample's input (c·H·W + row·W + column), for the backward pass.
    /// Samples are split across the worker pool; 2×2 windows with stride 2 take a vectorized path that gives the same results.
    /// </summary>
    public static void MaxForward(ReadOnlySpan<float> input, Span<float> output, Span<int> argmax, int batch,
        int channels, int inH, int inW, int size, int stride, int outH, int outW)
    {
        int inSize = channels * inH * inW, outSize = channels * outH * outW;
        input = input.Slice(0, batch * inSize);
        output = output.Slice(0, batch * outSize);
        if (!argmax.IsEmpty) argmax = argmax.Slice(0, batch * outSize);
        // Windows must lie inside the image (floor semantics), so every read below is inside its sample.
        if (batch > 0 && outH > 0 && outW > 0 && ((outH - 1) * stride + size > inH || (outW - 1) * stride + size > inW))
            throw new ArgumentException("The pooling windows reach outside the input.");
        fixed (float* x = input, y = output)
        fixed (int* arg = argmax)
        {
            var args = new PoolArgs
            {
                X = x, Y = y, Arg = argmax.IsEmpty ? null : arg, Batch = batch, C = channels, H = inH, W = inW, Size = size, Stride = stride,
                OH = outH, OW = outW,
            };
            args.Chunks = Chunks((long)batch * inSize, batch);
            if (args.Chunks <= 1) MaxForwardChunk(&args, 0);
            else WorkerPool.Run(&MaxForwardChunk, &args, args.Chunks);
        }
    }

    static void MaxForwardChunk(void* p, int chunk)
    {
        var a = (PoolArgs*)p;
        int inSize = a->C * a->H * a->W, outSize = a->C * a->OH * a->OW;
        WorkerPool.ChunkRange(a->Batch, a->Chunks, chunk, out int n0, out int n1);
        bool fast = a->Size == 2 && a->Stride == 2 && a->OW >= 8 && Simd.MaxWidth >= 256 && Avx2.IsSupported;
        for (int n = n0; n < n1; n++)
        {
            float* x = a->X + (long)n * inSize, y = a->Y + (long)n * outSize;
            int* arg = a->Arg == null ? null : a->Arg + (long)n * outSize;
            if (fast) MaxForward2x2(x, y, arg, a->C, a->H, a->W, a->OH, a->OW);
            else MaxForwardGeneral(x, y, arg, a->C, a->H, a->W, a->Size, a->Stride, a->OH, a->OW);
        }
    }

    static void MaxForwardGeneral(float* x, float* y, int* arg, int channels, int inH, int inW, int size, int stride, int outH, int outW)
    {
        int o = 0;
        for (int c = 0; c < channels; c++)
        {
            int plane = c * inH * inW;
            for (int i = 0; i < outH; i++)
            {
                for (int j = 0; j < outW; j++, o++)
                {
                    int top = plane + i * stride * inW + j * stride;
                    int best = top;
                    float max = x[top];
                    for (int u = 0; u < size; u++)
                    {
                        int row = top + u * inW;
                        for (int v = 0; v < size; v++)
                        {
                            float value = x[row + v];
                            if (value > max) { max = value; best = row + v; }
                        }
                    }
                    y[o] = max;
                    if (arg != null) arg[o] = best;
                }
            }
        }
    }

    /// <summary>
    /// 2×2, stride 2, outW ≥ 8: eight windows per step. Two rows of 16 inputs are split into their even and odd columns
    /// (the four window positions), then compared in window order with strict greater-than, exactly like the scalar scan.
    /// A row's last step starts at outW − 8 and may redo a few windows, which writes the same values again.
    /// </summary>
    static void MaxForward2x2(float* x, float* y, int* arg, int channels, int inH, int inW, int outH, int outW)
    {
        // The in-lane shuffles below leave the windows in the order 0 1 4 5 2 3 6 7; the final permute restores it.
        var lane = Vector256.Create(0, 2, 8, 10, 4, 6, 12, 14);
        var one = Vector256.Create(1);
        var down = Vector256.Create(inW);
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < outH; i++)
            {
                int rowStart = (c * inH + 2 * i) * inW;
                float* r0 = x + rowStart, r1 = r0 + inW;
                float* yr = y + ((long)c * outH + i) * outW;
                int* ar = arg == null ? null : arg + ((long)c * outH + i) * outW;
                for (int j = 0; ; j += 8)
                {
                    if (j > outW - 8) j = outW - 8;
                    var a0 = Avx.LoadVector256(r0 + 2 * j);
                    var a1 = Avx.LoadVector256(r0 + 2 * j + 8);
                    var b0 = Avx.LoadVector256(r1 + 2 * j);
                    var b1 = Avx.LoadVector256(r1 + 2 * j + 8);
                    var v00 = Avx.Shuffle(a0, a1, 0b10_00_10_00); // (0, 0) of each window
                    var v01 = Avx.Shuffle(a0, a1, 0b11_01_11_01); // (0, 1)
                    var v10 = Avx.Shuffle(b0, b1, 0b10_00_10_00); // (1, 0)
                    var v11 = Avx.Shuffle(b0, b1, 0b11_01_11_01); // (1, 1)
                    var max = v00;
                    var gt = Vector256.GreaterThan(v01, max);
                    max = Vector256.ConditionalSelect(gt, v01, max);
                    var pos = Vector256.ConditionalSelect(gt.AsInt32(), one, Vector256<int>.Zero);
                    gt = Vector256.GreaterThan(v10, max);
                    max = Vector256.ConditionalSelect(gt, v10, max);
                    pos = Vector256.ConditionalSelect(gt.AsInt32(), down, pos);
                    gt = Vector256.GreaterThan(v11, max);
                    max = Vector256.ConditionalSelect(gt, v11, max);
                    pos = Vector256.ConditionalSelect(gt.AsInt32(), down + one, pos);
                    Avx2.Permute4x64(max.AsDouble(), 0b11_01_10_00).AsSingle().Store(yr + j);
                    if (ar != null)
                    {
                        var index = Vector256.Create(rowStart + 2 * j) + lane + pos;
                        Avx2.Permute4x64(index.AsInt64(), 0b11_01_10_00).AsInt32().Store(ar + j);
                    }
                    if (j == outW - 8) break;
                }
            }
        }
    }

    /// <summary>
    /// dX = 0, then dX[argmax] += dY · f'(below[argmax]) for every output, in output order: the derivative of the layer
    /// below folded into the scatter. Samples are split across the worker pool (each scatters only into its own dX).
    /// </summary>
    public static void MaxBackward<TBelow>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<int> argmax, ReadOnlySpan<float> below, Span<float> inputGrad,
        int batch, int channels, int inH, int inW, int size, int stride, int outH, int outW, float alpha) where TBelow : struct, IActivation
    {
        int inSize = channels * inH * inW, outSize = channels * outH * outW;
        outputGrad = outputGrad.Slice(0, batch * outSize);
        argmax = argmax.Slice(0, batch * outSize);
        inputGrad = inputGrad.Slice(0, batch * inSize);
        if (!TBelow.IsIdentity) below = below.Slice(0, batch * inSize);
        fixed (float* dy = outputGrad, yb = below, dx = inputGrad)
        fixed (int* arg = argmax)
        {
            var args = new PoolArgs
            {
                X = dx, Y = dy, Below = yb, Arg = arg, Batch = batch, C = channels, H = inH, W = inW, Size = size, Stride = stride,
                OH = outH, OW = outW, Alpha = alpha,
            };
            args.Chunks = Chunks((long)batch * inSize, batch);
            if (args.Chunks <= 1) MaxBackwardChunk<TBelow>(&args, 0);
            else WorkerPool.Run(&MaxBackwardChunk<TBelow>, &args, args.Chunks);
        }
    }

    static void MaxBackwardChunk<TBelow>(void* p, int chunk) where TBelow : struct, IActivation
    {
        var a = (PoolArgs*)p;
        int inSize = a->C * a->H * a->W, outSize = a->C * a->OH * a->OW;
        float alpha = a->Alpha;
        WorkerPool.ChunkRange(a->Batch, a->Chunks, chunk, out int n0, out int n1);
        bool fast = a->Size == 2 && a->Stride == 2 && a->OW >= 8 && a->H == 2 * a->OH && a->W == 2 * a->OW && Simd.MaxWidth >= 256 && Avx2.IsSupported;
        for (int n = n0; n < n1; n++)
        {
            float* dy = a->Y + (long)n * outSize, dx = a->X + (long)n * inSize;
            int* arg = a->Arg + (long)n * outSize;
            if (fast)
            {
                MaxBackward2x2<TBelow>(dy, arg, TBelow.IsIdentity ? null : a->Below + (long)n * inSize, dx, a->C, a->OH, a->OW, alpha);
                continue;
            }
            new Span<float>(dx, inSize).Clear();
            if (TBelow.IsIdentity)
            {
                for (int o = 0; o < outSize; o++)
                {
                    int k = arg[o];
                    if ((uint)k >= (uint)inSize) ThrowBadArgmax();
                    dx[k] += dy[o];
                }
            }
            else
            {
                float* y = a->Below + (long)n * inSize;
                for (int o = 0; o < outSize; o++)
                {
                    int k = arg[o];
                    if ((uint)k >= (uint)inSize) ThrowBadArgmax();
                    dx[k] += dy[o] * TBelow.Derivative(y[k], alpha);
                }
            }
        }
    }

    /// <summary>
    /// 2×2, stride 2, windows tiling the input exactly, outW ≥ 8: every input pixel belongs to one window, so dX is
    /// written once, without the clearing pass: 0 + dY·f'(below) where the window's argmax is, 0 elsewhere (the same
    /// values as the general clear-and-scatter). Eight windows per step, in the forward path's lane order; the last
    /// step of a row starts at outW − 8 and may rewrite a few windows with the same values.
    /// </summary>
    static void MaxBackward2x2<TBelow>(float* dy, int* arg, float* below, float* dx, int channels, int outH, int outW, float alpha)
        where TBelow : struct, IActivation
    {
        int inW = 2 * outW;
        var lane = Vector256.Create(0, 2, 8, 10, 4, 6, 12, 14);
        var one = Vector256.Create(1);
        var down = Vector256.Create(inW);
        var va = Vector256.Create(alpha);
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < outH; i++)
            {
                int rowStart = (c * 2 * outH + 2 * i) * inW;
                float* d0 = dx + rowStart, d1 = d0 + inW;
                float* gr = dy + ((long)c * outH + i) * outW;
                int* ar = arg + ((long)c * outH + i) * outW;
                for (int j = 0; ; j += 8)
                {
                    if (j > outW - 8) j = outW - 8;
                    var g = Avx2.Permute4x64(Avx.LoadVector256(gr + j).AsDouble(), 0b11_01_10_00).AsSingle();
                    var at = Avx2.Permute4x64(Avx.LoadVector256(ar + j).AsInt64(), 0b11_01_10_00).AsInt32();
                    var p00 = Vector256.Create(rowStart + 2 * j) + lane;
                    var m00 = Vector256.Equals(at, p00).AsSingle();
                    var m01 = Vector256.Equals(at, p00 + one).AsSingle();
                    var m10 = Vector256.Equals(at, p00 + down).AsSingle();
                    var m11 = Vector256.Equals(at, p00 + down + one).AsSingle();
                    Vector256<float> g00 = g, g01 = g, g10 = g, g11 = g;
                    if (!TBelow.IsIdentity)
                    {
                        float* y0 = below + rowStart + 2 * j, y1 = y0 + inW;
                        var a0 = Avx.LoadVector256(y0);
                        var a1 = Avx.LoadVector256(y0 + 8);
                        var b0 = Avx.LoadVector256(y1);
                        var b1 = Avx.LoadVector256(y1 + 8);
                        g00 = g * TBelow.Derivative(Avx.Shuffle(a0, a1, 0b10_00_10_00), va);
                        g01 = g * TBelow.Derivative(Avx.Shuffle(a0, a1, 0b11_01_11_01), va);
                        g10 = g * TBelow.Derivative(Avx.Shuffle(b0, b1, 0b10_00_10_00), va);
                        g11 = g * TBelow.Derivative(Avx.Shuffle(b0, b1, 0b11_01_11_01), va);
                    }
                    var v00 = Vector256.ConditionalSelect(m00, Vector256<float>.Zero + g00, Vector256<float>.Zero);
                    var v01 = Vector256.ConditionalSelect(m01, Vector256<float>.Zero + g01, Vector256<float>.Zero);
                    var v10 = Vector256.ConditionalSelect(m10, Vector256<float>.Zero + g10, Vector256<float>.Zero);
                    var v11 = Vector256.ConditionalSelect(m11, Vector256<float>.Zero + g11, Vector256<float>.Zero);
                    // Interleaving the lane-shuffled columns back gives the input rows in order.
                    Avx.UnpackLow(v00, v01).Store(d0 + 2 * j);
                    Avx.UnpackHigh(v00, v01).Store(d0 + 2 * j + 8);
                    Avx.UnpackLow(v10, v11).Store(d1 + 2 * j);
                    Avx.UnpackHigh(v10, v11).Store(d1 + 2 * j + 8);
                    if (j == outW - 8) break;
                }
            }
        }
    }

    static void ThrowBadArgmax() => throw new ArgumentException("argmax holds an index outside its sample's input.", "argmax");

    struct PoolArgs
    {
        public float* X, Y, Below;
        public int* Arg;
        public int Batch, C, H, W, Size, Stride, OH, OW, Chunks;
        public float Alpha;
    }

    static int Chunks(long work, int items) => WorkerPool.ChunkCount(work, ParallelThreshold, items);

    /// <summary>y = the window's mean.</summary>
    public static void AverageForward(ReadOnlySpan<float> input, Span<float> output, int batch,
        int channels, int inH, int inW, int size, int stride, int outH, int outW)
    {
        int inSize = channels * inH * inW, outSize = channels * outH * outW;
        float scale = 1f / (size * size);
        for (int n = 0; n < batch; n++)
        {
            var x = input.Slice(n * inSize, inSize);
            var y = output.Slice(n * outSize, outSize);
            int o = 0;
            for (int c = 0; c < channels; c++)
            {
                int plane = c * inH * inW;
                for (int i = 0; i < outH; i++)
                {
                    for (int j = 0; j < outW; j++, o++)
                    {
                        int top = plane + i * stride * inW + j * stride;
                        float sum = 0f;
                        for (int u = 0; u < size; u++)
                        {
                            var row = x.Slice(top + u * inW, size);
                            for (int v = 0; v < size; v++) sum += row[v];
                        }
                        y[o] = sum * scale;
                    }
                }
            }
        }
    }

    /// <summary>dX = 0, then each window gets dY/size² added to every pixel, then dX ⊙= f'(below): the derivative of the layer below folded in.</summary>
    public static void AverageBackward<TBelow>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> below, Span<float> inputGrad,
        int batch, int channels, int inH, int inW, int size, int stride, int outH, int outW, float alpha) where TBelow : struct, IActivation
    {
        int inSize = channels * inH * inW, outSize = channels * outH * outW;
        float scale = 1f / (size * size);
        for (int n = 0; n < batch; n++)
        {
            var dy = outputGrad.Slice(n * outSize, outSize);
            var dx = inputGrad.Slice(n * inSize, inSize);
            dx.Clear();
            int o = 0;
            for (int c = 0; c < channels; c++)
            {
                int plane = c * inH * inW;
                for (int i = 0; i < outH; i++)
                {
                    for (int j = 0; j < outW; j++, o++)
                    {
                        int top = plane + i * stride * inW + j * stride;
                        float g = dy[o] * scale;
                        for (int u = 0; u < size; u++)
                        {
                            var row = dx.Slice(top + u * inW, size);
                            for (int v = 0; v < size; v++) row[v] += g;
                        }
                    }
                }
            }
            if (!TBelow.IsIdentity)
            {
                var y = below.Slice(n * inSize, inSize);
                for (int k = 0; k < inSize; k++) dx[k] *= TBelow.Derivative(y[k], alpha);
            }
        }
    }
}
