using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen;

/// <summary>
/// RMSprop, as PyTorch's <c>torch.optim.RMSprop</c> (no momentum, not centered):
/// g += wd·p; s = α·s + (1−α)·g²; p −= lr · g / (√s + ε).
/// </summary>
public sealed class RmsProp : Optimizer
{
    /// <param name="learningRate">Step size.</param>
    public RmsProp(float learningRate) : base(learningRate, stateBufferCount: 1) { }

    /// <inheritdoc/>
    public override string Kind => "RmsProp";

    /// <summary>α, the smoothing constant (0.99).</summary>
    public float Alpha { get; set; } = 0.99f;

    /// <summary>ε, added after the square root (1e-8).</summary>
    public float Epsilon { get; set; } = 1e-8f;

    /// <inheritdoc/>
    protected override int HyperparameterCount => base.HyperparameterCount + 2;

    /// <inheritdoc/>
    protected override void WriteHyperparameters(Span<float> destination)
    {
        base.WriteHyperparameters(destination);
        destination[2] = Alpha;
        destination[3] = Epsilon;
    }

    /// <inheritdoc/>
    protected override void ReadHyperparameters(ReadOnlySpan<float> source)
    {
        base.ReadHyperparameters(source);
        Alpha = source[2];
        Epsilon = source[3];
    }

    /// <inheritdoc/>
    protected override string? CheckHyperparameters(ReadOnlySpan<float> source) =>
        base.CheckHyperparameters(source)
        ?? Between(nameof(Alpha), source[2], 0f, 1f, maximumIncluded: true)
        ?? AtLeast(nameof(Epsilon), source[3], 0f);

    /// <summary>s, the state, is a decayed sum of squared gradients.</summary>
    private protected override bool IsSumOfSquares(int index) => true;

    /// <inheritdoc/>
    protected override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        float lr = LearningRate, wd = WeightDecay, eps = Epsilon, alpha = Alpha, oneMinusAlpha = 1f - Alpha;
        int n = parameters.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s = ref MemoryMarshal.GetReference(State(0, offset, n));
        if (UseVector256)
        {
            var vNegLr = Vector256.Create(-lr); var vWd = Vector256.Create(wd); var vEps = Vector256.Create(eps);
            var vAlpha = Vector256.Create(alpha); var vOneMinusAlpha = Vector256.Create(oneMinusAlpha);
            for (; i <= n - 8; i += 8)
            {
                var vp = Vector256.LoadUnsafe(ref p, (nuint)i);
                var vg = MulAdd(vp, vWd, Vector256.LoadUnsafe(ref g, (nuint)i));
                var vs = MulAdd(vg * vOneMinusAlpha, vg, Vector256.LoadUnsafe(ref s, (nuint)i) * vAlpha);
                vs.StoreUnsafe(ref s, (nuint)i);
                MulAdd(vg / (Vector256.Sqrt(vs) + vEps), vNegLr, vp).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pi = p.At(i);
            float gi = MulAdd(pi, wd, g.At(i));
            float si = MulAdd(gi * oneMinusAlpha, gi, s.At(i) * alpha);
            s.At(i) = si;
            p.At(i) = MulAdd(gi / (MathF.Sqrt(si) + eps), -lr, pi);
        }
    }
}
