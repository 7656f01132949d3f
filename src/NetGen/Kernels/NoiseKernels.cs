using System;

namespace NetGen.Kernels;

/// <summary>
/// Training-time input noise. Draws are a hash of (seed, step, i), as dropout's, so a step replays exactly and the
/// result does not depend on the thread count.
/// </summary>
public static class NoiseKernels
{
    const float TwoToMinus24 = 1f / (1 << 24);

    static ulong Key(ulong seed, ulong step) => SplitMix.Mix(seed ^ SplitMix.Mix(step + 0x632BE59BD9B4E019UL));

    /// <summary>output = input + stddev·ε, ε ~ N(0, 1) by Box–Muller on two 24-bit uniforms of one 64-bit hash.</summary>
    public static void Gaussian(ReadOnlySpan<float> input, Span<float> output, float stddev, ulong seed, ulong step)
    {
        ulong key = Key(seed, step);
        input = input.Slice(0, output.Length);
        for (int i = 0; i < output.Length; i++)
        {
            ulong h = SplitMix.Mix(key + (ulong)i);
            float u1 = ((h >> 40) + 1) * TwoToMinus24;            // (0, 1]: the logarithm stays finite
            float u2 = ((h >> 16) & 0xFFFFFF) * TwoToMinus24;     // [0, 1)
            float z = MathF.Sqrt(-2f * MathF.Log(u1)) * MathF.Cos(2f * MathF.PI * u2);
            output[i] = input[i] + stddev * z;
        }
    }

    /// <summary>mask[i] = 0 with probability <paramref name="rate"/>, else 1; output = input ⊙ mask.</summary>
    public static void Masking(ReadOnlySpan<float> input, Span<float> output, Span<float> mask, float rate, ulong seed, ulong step)
    {
        ulong key = Key(seed, step);
        input = input.Slice(0, output.Length);
        for (int i = 0; i < output.Length; i++)
        {
            float m = SplitMix.UnitFloat(SplitMix.Mix(key + (ulong)i)) < rate ? 0f : 1f;
            mask[i] = m;
            output[i] = input[i] * m;
        }
    }

    /// <summary>destination = source ⊙ f'(below): additive noise passes the gradient through unchanged, with the derivative of the layer under it folded in.</summary>
    public static void PassGradient<TBelow>(ReadOnlySpan<float> source, ReadOnlySpan<float> below, Span<float> destination, float alpha)
        where TBelow : struct, IActivation
    {
        source.Slice(0, destination.Length).CopyTo(destination);
        if (!TBelow.IsIdentity) ElementwiseKernels.MultiplyByDerivative<TBelow>(below, destination, alpha);
    }
}
