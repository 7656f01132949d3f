using System;

namespace NetGen.Kernels;

/// <summary>Weight initialization. Every layer draws from its own stream keyed by (seed, layer index), so editing one layer does not reshuffle the others.</summary>
public static class Initializers
{
    /// <summary>Fills <paramref name="weights"/> with U[−limit, +limit].</summary>
    public static void Uniform(Span<float> weights, float limit, int seed, int layerIndex)
    {
        var rng = new SplitMix(SplitMix.Mix((ulong)(uint)seed) ^ SplitMix.Mix(0xA24BAED4963EE407UL + (ulong)layerIndex));
        for (int i = 0; i < weights.Length; i++) weights[i] = (2f * rng.NextFloat() - 1f) * limit;
    }

    /// <summary>A seed for networks built without one (like PyTorch, a fresh network differs run to run); read it back from the network to reproduce it.</summary>
    public static int FreshSeed() => System.Random.Shared.Next();

    /// <summary>1/√n_in (the course's fan-in rule).</summary>
    public static float FanInLimit(int fanIn) => 1f / MathF.Sqrt(fanIn);
    /// <summary>√6/√(n_in + n_out) (Glorot's normalized initialization).</summary>
    public static float GlorotLimit(int fanIn, int fanOut) => MathF.Sqrt(6f / (fanIn + fanOut));
    /// <summary>√6/√n_in (He, uniform variant, for ReLU-like units).</summary>
    public static float HeLimit(int fanIn) => MathF.Sqrt(6f / fanIn);
}
