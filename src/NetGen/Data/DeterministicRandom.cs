using System;

namespace NetGen.Data;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Written out here rather than using <see cref="Random"/>,
/// whose algorithm is not guaranteed across .NET versions: the same seed must give the same
/// shuffles everywhere, forever.
/// </summary>
public struct DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the four state words from <paramref name="seed"/> with SplitMix64.</summary>
    public DeterministicRandom(ulong seed)
    {
        _s0 = SplitMix64(ref seed);
        _s1 = SplitMix64(ref seed);
        _s2 = SplitMix64(ref seed);
        _s3 = SplitMix64(ref seed);
    }

    /// <summary>A generator for stream <paramref name="stream"/> of <paramref name="seed"/> (e.g. one per epoch).</summary>
    public static DeterministicRandom ForStream(long seed, long stream)
    {
        // Mix the stream index through SplitMix64 so nearby (seed, stream) pairs give unrelated states.
        ulong mixed = unchecked((ulong)seed ^ 0x6A09E667F3BCC909UL);
        ulong streamState = unchecked((ulong)stream + 0xBB67AE8584CAA73BUL);
        mixed ^= SplitMix64(ref streamState);
        return new DeterministicRandom(mixed);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias.</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "Expected a positive bound.");
        // Lemire's multiply-shift with rejection on 32 random bits: unbiased, usually one multiplication (both factors < 2^32, so no overflow).
        ulong b = (ulong)bound;
        ulong m = (NextUInt64() >> 32) * b;
        ulong low = m & 0xFFFFFFFFUL;
        if (low < b)
        {
            ulong threshold = (0x1_0000_0000UL - b) % b;
            while (low < threshold)
            {
                m = (NextUInt64() >> 32) * b;
                low = m & 0xFFFFFFFFUL;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Fisher–Yates shuffle of <paramref name="values"/> in place.</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
