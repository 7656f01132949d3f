using System;

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
        for (int i = 0; i < output.Length; i++)
        {
            float m = SplitMix.UnitFloat(SplitMix.Mix(key + (ulong)i)) < rate ? 0f : scale;
            mask[i] = m;
            output[i] = input[i] * m;
        }
    }
}
