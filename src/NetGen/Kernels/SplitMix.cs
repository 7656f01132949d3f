using System.Runtime.CompilerServices;

namespace NetGen.Kernels;

/// <summary>
/// SplitMix64: a tiny, fast, well-mixed generator whose algorithm we own, so a seed gives the same numbers
/// on every runtime version (System.Random makes no such promise). Also usable as a counter-based hash.
/// </summary>
public struct SplitMix
{
    ulong _state;

    public SplitMix(ulong seed) => _state = seed;

    /// <summary>The finalizer of SplitMix64: a bijective 64-bit mix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The top 24 bits as a float in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float UnitFloat(ulong bits) => (bits >> 40) * (1f / (1 << 24));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, 1).</summary>
    public float NextFloat() => UnitFloat(NextUInt64());

    /// <summary>Uniform in [0, maxExclusive) without modulo bias worth noticing (64-bit multiply-shift).</summary>
    public int NextInt(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);
}
