using System;

namespace NetGen.Kernels;

/// <summary>
/// 2-D pooling over NCHW activations, no padding, floor semantics: x [C, H, W] → y [C, oH, oW] with
/// y[c, i, j] over the window rows i·s … i·s + size − 1 and columns j·s … j·s + size − 1.
/// The generated code passes every extent as a literal.
/// </summary>
public static class PoolKernels
{
    /// <summary>
    /// y = the window's maximum (the first one on ties). When <paramref name="argmax"/> is not empty it receives, per
    /// output, the index of that maximum within its sample's input (c·H·W + row·W + column), for the backward pass.
    /// </summary>
    public static void MaxForward(ReadOnlySpan<float> input, Span<float> output, Span<int> argmax, int batch,
        int channels, int inH, int inW, int size, int stride, int outH, int outW)
    {
        int inSize = channels * inH * inW, outSize = channels * outH * outW;
        bool record = !argmax.IsEmpty;
        for (int n = 0; n < batch; n++)
        {
            var x = input.Slice(n * inSize, inSize);
            var y = output.Slice(n * outSize, outSize);
            var arg = record ? argmax.Slice(n * outSize, outSize) : default;
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
                        if (record) arg[o] = best;
                    }
                }
            }
        }
    }

    /// <summary>dX = 0, then dX[argmax] += dY · f'(below[argmax]) for every output: the derivative of the layer below folded into the scatter.</summary>
    public static void MaxBackward<TBelow>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<int> argmax, ReadOnlySpan<float> below, Span<float> inputGrad,
        int batch, int channels, int inH, int inW, int size, int stride, int outH, int outW, float alpha) where TBelow : struct, IActivation
    {
        int inSize = channels * inH * inW, outSize = channels * outH * outW;
        for (int n = 0; n < batch; n++)
        {
            var dy = outputGrad.Slice(n * outSize, outSize);
            var arg = argmax.Slice(n * outSize, outSize);
            var dx = inputGrad.Slice(n * inSize, inSize);
            dx.Clear();
            if (TBelow.IsIdentity)
            {
                for (int o = 0; o < outSize; o++) dx[arg[o]] += dy[o];
            }
            else
            {
                var y = below.Slice(n * inSize, inSize);
                for (int o = 0; o < outSize; o++)
                {
                    int k = arg[o];
                    dx[k] += dy[o] * TBelow.Derivative(y[k], alpha);
                }
            }
        }
    }

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
