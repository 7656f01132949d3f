using System;

namespace NetGen.Kernels;

/// <summary>Elementwise passes the generated code needs where nothing can be fused.</summary>
public static class ElementwiseKernels
{
    /// <summary>values = f(values), in place.</summary>
    public static void Apply<TAct>(Span<float> values, float alpha) where TAct : struct, IActivation
    {
        if (TAct.IsIdentity) return;
        for (int i = 0; i < values.Length; i++) values[i] = TAct.Apply(values[i], alpha);
    }

    /// <summary>grad ⊙= f'(outputs), with the derivative expressed through the outputs y = f(x).</summary>
    public static void MultiplyByDerivative<TAct>(ReadOnlySpan<float> outputs, Span<float> grad, float alpha) where TAct : struct, IActivation
    {
        if (TAct.IsIdentity) return;
        for (int i = 0; i < grad.Length; i++) grad[i] *= TAct.Derivative(outputs[i], alpha);
    }

    /// <summary>Softmax over each row of a [rows, cols] block, in place, shifted by the row max for stability.</summary>
    public static void SoftmaxRows(Span<float> values, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * cols, cols);
            float max = float.NegativeInfinity;
            for (int k = 0; k < cols; k++) max = MathF.Max(max, row[k]);
            float sum = 0f;
            for (int k = 0; k < cols; k++) { float e = MathF.Exp(row[k] - max); row[k] = e; sum += e; }
            float inv = 1f / sum;
            for (int k = 0; k < cols; k++) row[k] *= inv;
        }
    }

    /// <summary>destination = source ⊙ mask.</summary>
    public static void Multiply(ReadOnlySpan<float> source, ReadOnlySpan<float> mask, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = source[i] * mask[i];
    }

    /// <summary>destination = source ⊙ mask ⊙ f'(below): dropout's backward with the derivative of the layer under it folded in.</summary>
    public static void MultiplyByMaskAndDerivative<TBelow>(ReadOnlySpan<float> source, ReadOnlySpan<float> mask, ReadOnlySpan<float> below,
        Span<float> destination, float alpha) where TBelow : struct, IActivation
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = source[i] * mask[i] * (TBelow.IsIdentity ? 1f : TBelow.Derivative(below[i], alpha));
    }
}
