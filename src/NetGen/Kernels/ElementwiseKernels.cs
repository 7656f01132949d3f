using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>Elementwise passes the generated code needs where nothing can be fused.</summary>
/// <remarks>Whole vectors of 8 first, then a scalar tail: an element's path depends only on its index and the length.</remarks>
public static class ElementwiseKernels
{
    /// <summary>values = f(values), in place.</summary>
    public static void Apply<TAct>(Span<float> values, float alpha) where TAct : struct, IActivation
    {
        if (TAct.IsIdentity) return;
        ref float v = ref MemoryMarshal.GetReference(values);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.Create(alpha);
            for (; i <= values.Length - 8; i += 8)
                TAct.Apply(Vector256.LoadUnsafe(ref v, (nuint)i), a).StoreUnsafe(ref v, (nuint)i);
        }
        for (; i < values.Length; i++) values[i] = TAct.Apply(values[i], alpha);
    }

    /// <summary>grad ⊙= f'(outputs), with the derivative expressed through the outputs y = f(x).</summary>
    public static void MultiplyByDerivative<TAct>(ReadOnlySpan<float> outputs, Span<float> grad, float alpha) where TAct : struct, IActivation
    {
        if (TAct.IsIdentity) return;
        outputs = outputs.Slice(0, grad.Length);
        ref float y = ref MemoryMarshal.GetReference(outputs);
        ref float g = ref MemoryMarshal.GetReference(grad);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.Create(alpha);
            for (; i <= grad.Length - 8; i += 8)
                (Vector256.LoadUnsafe(ref g, (nuint)i) * TAct.Derivative(Vector256.LoadUnsafe(ref y, (nuint)i), a)).StoreUnsafe(ref g, (nuint)i);
        }
        for (; i < grad.Length; i++) grad[i] *= TAct.Derivative(outputs[i], alpha);
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
        source = source.Slice(0, destination.Length);
        mask = mask.Slice(0, destination.Length);
        ref float s = ref MemoryMarshal.GetReference(source);
        ref float m = ref MemoryMarshal.GetReference(mask);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= destination.Length - 8; i += 8)
                (Vector256.LoadUnsafe(ref s, (nuint)i) * Vector256.LoadUnsafe(ref m, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        for (; i < destination.Length; i++) destination[i] = source[i] * mask[i];
    }

    /// <summary>destination = source ⊙ mask ⊙ f'(below): dropout's backward with the derivative of the layer under it folded in.</summary>
    public static void MultiplyByMaskAndDerivative<TBelow>(ReadOnlySpan<float> source, ReadOnlySpan<float> mask, ReadOnlySpan<float> below,
        Span<float> destination, float alpha) where TBelow : struct, IActivation
    {
        if (TBelow.IsIdentity) { Multiply(source, mask, destination); return; }
        source = source.Slice(0, destination.Length);
        mask = mask.Slice(0, destination.Length);
        below = below.Slice(0, destination.Length);
        ref float s = ref MemoryMarshal.GetReference(source);
        ref float m = ref MemoryMarshal.GetReference(mask);
        ref float y = ref MemoryMarshal.GetReference(below);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.Create(alpha);
            for (; i <= destination.Length - 8; i += 8)
                (Vector256.LoadUnsafe(ref s, (nuint)i) * Vector256.LoadUnsafe(ref m, (nuint)i) * TBelow.Derivative(Vector256.LoadUnsafe(ref y, (nuint)i), a))
                    .StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < destination.Length; i++) destination[i] = source[i] * mask[i] * TBelow.Derivative(below[i], alpha);
    }
}
