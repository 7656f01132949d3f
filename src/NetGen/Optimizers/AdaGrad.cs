using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen;

/// <summary>
/// AdaGrad, as PyTorch's <c>torch.optim.Adagrad</c> (lr_decay 0, initial accumulator 0):
/// g += wd·p; s += g²; p −= lr · g / (√s + ε).
/// </summary>
public sealed class AdaGrad : Optimizer
{
    /// <param name="learningRate">Step size.</param>
    public AdaGrad(float learningRate) : base(learningRate, stateBufferCount: 1) { }

    /// <inheritdoc/>
    public override string Kind => "AdaGrad";

    /// <summary>ε, added after the square root (1e-10).</summary>
    public float Epsilon { get; set; } = 1e-10f;

    /// <inheritdoc/>
    protected override int HyperparameterCount => base.HyperparameterCount + 1;

    /// <inheritdoc/>
    protected override void WriteHyperparameters(Span<float> destination)
    {
        base.WriteHyperparameters(destination);
        destination[2] = Epsilon;
    }

    /// <inheritdoc/>
    protected override void ReadHyperparameters(ReadOnlySpan<float> source)
    {
        base.ReadHyperparameters(source);
        Epsilon = source[2];
    }

    /// <inheritdoc/>
    protected override string? CheckHyperparameters(ReadOnlySpan<float> source) =>
        base.CheckHyperparameters(source) ?? AtLeast(nameof(Epsilon), source[2], 0f);

    /// <summary>s, the state, is a sum of squared gradients.</summary>
    private protected override bool IsSumOfSquares(int index) => true;

    /// <inheritdoc/>
    protected override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        float lr = LearningRate, wd = WeightDecay, eps = Epsilon;
        int n = parameters.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s = ref MemoryMarshal.GetReference(State(0, offset, n));
        if (UseVector256)
        {
            var vNegLr = Vector256.Create(-lr); var vWd = Vector256.Create(wd); var vEps = Vector256.Create(eps);
            for (; i <= n - 8; i += 8)
            {
                var vp = Vector256.LoadUnsafe(ref p, (nuint)i);
                var vg = MulAdd(vp, vWd, Vector256.LoadUnsafe(ref g, (nuint)i));
                var vs = MulAdd(vg, vg, Vector256.LoadUnsafe(ref s, (nuint)i));
                vs.StoreUnsafe(ref s, (nuint)i);
                MulAdd(vg / (Vector256.Sqrt(vs) + vEps), vNegLr, vp).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pi = p.At(i);
            float gi = MulAdd(pi, wd, g.At(i));
            float si = MulAdd(gi, gi, s.At(i));
            s.At(i) = si;
            p.At(i) = MulAdd(gi / (MathF.Sqrt(si) + eps), -lr, pi);
        }
    }
}
