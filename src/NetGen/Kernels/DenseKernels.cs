using System;

namespace NetGen.Kernels;

/// <summary>
/// Fully connected layer kernels. Shapes (row-major): input X [batch, inSize], weights W [outSize, inSize]
/// (PyTorch's nn.Linear layout), bias b [outSize], output Y [batch, outSize].
/// The generated code calls these with literal extents; the activation is a type argument, so its
/// application (forward) and its derivative (backward) are fused into the kernel's epilogue.
/// </summary>
public static class DenseKernels
{
    /// <summary>Y[n, j] = f(b[j] + Σ_i X[n, i]·W[j, i]). An empty <paramref name="bias"/> means no bias.</summary>
    public static void Forward<TAct>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
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

    /// <summary>
    /// dX[n, i] = (Σ_j dZ[n, j]·W[j, i]) · f'(below[n, i]), where f is the activation of the layer that produced X
    /// (pass <see cref="Identity"/> and an empty <paramref name="below"/> when there is none to fold in).
    /// </summary>
    public static void BackwardInput<TBelow>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> weights, ReadOnlySpan<float> below,
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

    /// <summary>dW[j, i] = Σ_n dZ[n, j]·X[n, i] and db[j] = Σ_n dZ[n, j], overwriting both. An empty <paramref name="biasGrad"/> means no bias.</summary>
    public static void BackwardWeights(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> input, Span<float> weightGrad, Span<float> biasGrad,
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
