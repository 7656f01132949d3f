using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels;

/// <summary>Inverted dropout: kept values are scaled by 1/(1 − rate) while training, so inference is the identity.</summary>
public static class DropoutKernels
{
    /// <summary>
    /// mask[i] = 0 with probability <paramref name="rate"/>, else 1/(1 − rate); output = input ⊙ mask.
    /// Each draw is a hash of (seed, step, i): the same seed and step give the same mask on any thread count.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<float> mask, float rate, ulong seed, ulong step)
    {
        float scale = 1f / (1f - rate);
        ulong key = SplitMix.Mix(seed ^ SplitMix.Mix(step + 0x632BE59BD9B4E019UL));
        int i = 0;
        if (Simd.MaxWidth >= 512 && Vector512.IsHardwareAccelerated && Avx512DQ.IsSupported && output.Length >= 16)
            i = Forward16(input.Slice(0, output.Length), output, mask.Slice(0, output.Length), rate, scale, key);
        for (; i < output.Length; i++)
        {
            float m = SplitMix.UnitFloat(SplitMix.Mix(key + (ulong)i)) < rate ? 0f : scale;
            mask[i] = m;
            output[i] = input[i] * m;
        }
    }

    // 16 draws at a time with 64-bit vector multiplies (AVX-512 DQ). The test UnitFloat(h) < rate is done exactly in
    // integers: the top 24 bits u give u·2⁻²⁴ < rate ⟺ u < ⌈rate·2²⁴⌉, so the mask is bit-identical to the scalar loop.
    static int Forward16(ReadOnlySpan<float> input, Span<float> output, Span<float> mask, float rate, float scale, ulong key)
    {
        double limit = Math.Ceiling((double)rate * (1 << 24));
        ulong threshold = limit > 0 ? (ulong)Math.Min(limit, 1 << 25) : 0; // NaN and rate ≤ 0 keep everything
        var thresholdV = Vector512.Create(threshold);
        var scaleV = Vector512.Create(scale);
        var lanes = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float y = ref MemoryMarshal.GetReference(output);
        ref float m = ref MemoryMarshal.GetReference(mask);
        int i = 0;
        for (; i <= output.Length - 16; i += 16)
        {
            var k = Vector512.Create(key + (ulong)i) + lanes;
            var dropLo = Vector512.LessThan(Vector512.ShiftRightLogical(Mix(k), 40), thresholdV);
            var dropHi = Vector512.LessThan(Vector512.ShiftRightLogical(Mix(k + Vector512.Create(8UL)), 40), thresholdV);
            var drop = Vector512.Narrow(dropLo, dropHi).AsSingle();
            var mv = Vector512.AndNot(scaleV, drop);
            mv.StoreUnsafe(ref m, (nuint)i);
            (Vector512.LoadUnsafe(ref x, (nuint)i) * mv).StoreUnsafe(ref y, (nuint)i);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(0x94D049BB133111EBUL);
        return z ^ Vector512.ShiftRightLogical(z, 31);
    }
}
