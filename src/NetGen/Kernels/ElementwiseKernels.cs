using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>Elementwise passes the generated code needs where nothing can be fused.</summary>
/// <remarks>
/// Whole vectors of the widest width <see cref="Simd.MaxWidth"/> allows, then at most one vector of each narrower
/// width, then scalar code. The vector overloads of an activation agree lane for lane and the derivatives are plain
/// arithmetic, so every width gives the same bits; only <see cref="Apply{TAct}"/> keeps its last length % 8 elements on
/// the scalar formula (MathF's exp differs from the vector one in the last bits), as it always has.
/// </remarks>
public static class ElementwiseKernels
{
    /// <summary>values = f(values), in place.</summary>
    public static void Apply<TAct>(Span<float> values, float alpha) where TAct : struct, IActivation
    {
        if (TAct.IsIdentity) return;
        ref float v = ref MemoryMarshal.GetReference(values);
        // Vectors cover whole groups of 8 at every width and the last n % 8 take the scalar activation, so which formula
        // an element gets depends on its index and the length only.
        int n = values.Length, vectorEnd = n & ~7, i = 0, width = Simd.MaxWidth;
        if (width >= 512) i = Apply<Width512, Vector512<float>, TAct>(ref v, i, vectorEnd, alpha);
        if (width >= 256) i = Apply<Width256, Vector256<float>, TAct>(ref v, i, vectorEnd, alpha);
        if (width >= 128) i = Apply<Width128, Vector128<float>, TAct>(ref v, i, vectorEnd, alpha);
        Apply<ScalarWidth, float, TAct>(ref v, i, n, alpha);
    }

    static int Apply<V, TVec, TAct>(ref float v, int i, int n, float alpha)
        where V : struct, IVectorWidth<TVec> where TVec : struct where TAct : struct, IActivation
    {
        var a = V.Splat(alpha);
        for (; i <= n - V.Lanes; i += V.Lanes) V.Store(V.Apply<TAct>(V.Load(ref v, i), a), ref v, i);
        return i;
    }

    /// <summary>grad ⊙= f'(outputs), with the derivative expressed through the outputs y = f(x).</summary>
    public static void MultiplyByDerivative<TAct>(ReadOnlySpan<float> outputs, Span<float> grad, float alpha) where TAct : struct, IActivation
    {
        if (TAct.IsIdentity) return;
        outputs = outputs.Slice(0, grad.Length);
        ref float y = ref MemoryMarshal.GetReference(outputs);
        ref float g = ref MemoryMarshal.GetReference(grad);
        int n = grad.Length, i = 0, width = Simd.MaxWidth;
        if (width >= 512) i = MultiplyByDerivative<Width512, Vector512<float>, TAct>(ref y, ref g, i, n, alpha);
        if (width >= 256) i = MultiplyByDerivative<Width256, Vector256<float>, TAct>(ref y, ref g, i, n, alpha);
        if (width >= 128) i = MultiplyByDerivative<Width128, Vector128<float>, TAct>(ref y, ref g, i, n, alpha);
        MultiplyByDerivative<ScalarWidth, float, TAct>(ref y, ref g, i, n, alpha);
    }

    static int MultiplyByDerivative<V, TVec, TAct>(ref float y, ref float g, int i, int n, float alpha)
        where V : struct, IVectorWidth<TVec> where TVec : struct where TAct : struct, IActivation
    {
        var a = V.Splat(alpha);
        for (; i <= n - V.Lanes; i += V.Lanes) V.Store(V.Multiply(V.Load(ref g, i), V.Derivative<TAct>(V.Load(ref y, i), a)), ref g, i);
        return i;
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
        int n = destination.Length, i = 0, width = Simd.MaxWidth;
        if (width >= 512) i = MultiplyByMaskAndDerivative<Width512, Vector512<float>, Identity>(ref s, ref m, ref s, ref d, i, n, 0f);
        if (width >= 256) i = MultiplyByMaskAndDerivative<Width256, Vector256<float>, Identity>(ref s, ref m, ref s, ref d, i, n, 0f);
        if (width >= 128) i = MultiplyByMaskAndDerivative<Width128, Vector128<float>, Identity>(ref s, ref m, ref s, ref d, i, n, 0f);
        MultiplyByMaskAndDerivative<ScalarWidth, float, Identity>(ref s, ref m, ref s, ref d, i, n, 0f);
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
        int n = destination.Length, i = 0, width = Simd.MaxWidth;
        if (width >= 512) i = MultiplyByMaskAndDerivative<Width512, Vector512<float>, TBelow>(ref s, ref m, ref y, ref d, i, n, alpha);
        if (width >= 256) i = MultiplyByMaskAndDerivative<Width256, Vector256<float>, TBelow>(ref s, ref m, ref y, ref d, i, n, alpha);
        if (width >= 128) i = MultiplyByMaskAndDerivative<Width128, Vector128<float>, TBelow>(ref s, ref m, ref y, ref d, i, n, alpha);
        MultiplyByMaskAndDerivative<ScalarWidth, float, TBelow>(ref s, ref m, ref y, ref d, i, n, alpha);
    }

    // d = s ⊙ m, times f'(y) unless TBelow is the identity (then y is not read).
    static int MultiplyByMaskAndDerivative<V, TVec, TBelow>(ref float s, ref float m, ref float y, ref float d, int i, int n, float alpha)
        where V : struct, IVectorWidth<TVec> where TVec : struct where TBelow : struct, IActivation
    {
        var a = V.Splat(alpha);
        for (; i <= n - V.Lanes; i += V.Lanes)
        {
            var v = V.Multiply(V.Load(ref s, i), V.Load(ref m, i));
            if (!TBelow.IsIdentity) v = V.Multiply(v, V.Derivative<TBelow>(V.Load(ref y, i), a));
            V.Store(v, ref d, i);
        }
        return i;
    }

    /// <summary>destination += source (the kernels' col2im accumulation).</summary>
    internal static void AddInPlace(ReadOnlySpan<float> source, Span<float> destination)
    {
        source = source.Slice(0, destination.Length);
        ref float s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int n = destination.Length, i = 0, width = Simd.MaxWidth;
        if (width >= 512) i = AddInPlace<Width512, Vector512<float>>(ref s, ref d, i, n);
        if (width >= 256) i = AddInPlace<Width256, Vector256<float>>(ref s, ref d, i, n);
        if (width >= 128) i = AddInPlace<Width128, Vector128<float>>(ref s, ref d, i, n);
        AddInPlace<ScalarWidth, float>(ref s, ref d, i, n);
    }

    static int AddInPlace<V, TVec>(ref float s, ref float d, int i, int n) where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        for (; i <= n - V.Lanes; i += V.Lanes) V.Store(V.Add(V.Load(ref d, i), V.Load(ref s, i)), ref d, i);
        return i;
    }
}
