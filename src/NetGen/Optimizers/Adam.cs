using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen;

/// <summary>
/// Adam, as PyTorch's <c>torch.optim.Adam</c> (or <c>torch.optim.AdamW</c> when <see cref="Decoupled"/>):
/// g += wd·p (L2; or, decoupled, p −= lr·wd·p first); m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
/// p −= lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε), ε added after the bias-corrected square root.
/// </summary>
/// <remarks>State buffers: 0 is m, 1 is v. The bias corrections are computed in double once per step, as PyTorch does in Python.</remarks>
public class Adam : Optimizer
{
    float _stepSize, _inverseBiasCorrection2Sqrt;

    /// <param name="learningRate">Step size.</param>
    public Adam(float learningRate) : base(learningRate, stateBufferCount: 2) { }

    /// <inheritdoc/>
    public override string Kind => "Adam";

    /// <summary>β1, the first-moment decay (0.9).</summary>
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>β2, the second-moment decay (0.999).</summary>
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>ε, added after the bias-corrected square root (1e-8).</summary>
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>
    /// Decoupled weight decay (AdamW): p −= lr·wd·p before the update instead of g += wd·p.
    /// <see cref="AdamW"/> is Adam with this on and PyTorch's AdamW default weight decay.
    /// </summary>
    public bool Decoupled { get; set; }

    /// <inheritdoc/>
    protected override int HyperparameterCount => base.HyperparameterCount + 4;

    /// <inheritdoc/>
    protected override void WriteHyperparameters(Span<float> destination)
    {
        base.WriteHyperparameters(destination);
        destination[2] = Beta1;
        destination[3] = Beta2;
        destination[4] = Epsilon;
        destination[5] = Decoupled ? 1f : 0f;
    }

    /// <inheritdoc/>
    protected override void ReadHyperparameters(ReadOnlySpan<float> source)
    {
        base.ReadHyperparameters(source);
        Beta1 = source[2];
        Beta2 = source[3];
        Epsilon = source[4];
        Decoupled = source[5] != 0f;
    }

    /// <inheritdoc/>
    protected override string? CheckHyperparameters(ReadOnlySpan<float> source) =>
        base.CheckHyperparameters(source)
        ?? Between(nameof(Beta1), source[2], 0f, 1f, maximumIncluded: false)
        ?? Between(nameof(Beta2), source[3], 0f, 1f, maximumIncluded: false)
        ?? AtLeast(nameof(Epsilon), source[4], 0f)
        ?? Flag(nameof(Decoupled), source[5]);

    /// <summary>v, the second moment (buffer 1), is a decayed sum of squares.</summary>
    private protected override bool IsSumOfSquares(int index) => index == 1;

    /// <inheritdoc/>
    protected override void BeginStep(long step)
    {
        double biasCorrection1 = 1.0 - Math.Pow(Beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(Beta2, step);
        _stepSize = (float)(LearningRate / biasCorrection1);
        _inverseBiasCorrection2Sqrt = (float)(1.0 / Math.Sqrt(biasCorrection2));
    }

    /// <inheritdoc/>
    protected override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        float l2 = Decoupled ? 0f : WeightDecay;
        float decay = Decoupled ? (float)(1.0 - (double)LearningRate * WeightDecay) : 1f;
        float b1 = Beta1, b2 = Beta2, oneMinusB1 = 1f - Beta1, oneMinusB2 = 1f - Beta2, eps = Epsilon;
        float negStepSize = -_stepSize, invBc2Sqrt = _inverseBiasCorrection2Sqrt;
        int n = parameters.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref MemoryMarshal.GetReference(State(0, offset, n));
        ref float v = ref MemoryMarshal.GetReference(State(1, offset, n));
        if (UseVector256)
        {
            var vL2 = Vector256.Create(l2); var vDecay = Vector256.Create(decay);
            var vB1 = Vector256.Create(b1); var vB2 = Vector256.Create(b2);
            var vOneMinusB1 = Vector256.Create(oneMinusB1); var vOneMinusB2 = Vector256.Create(oneMinusB2);
            var vEps = Vector256.Create(eps); var vNegStepSize = Vector256.Create(negStepSize); var vInvBc2Sqrt = Vector256.Create(invBc2Sqrt);
            for (; i <= n - 8; i += 8)
            {
                var vp = Vector256.LoadUnsafe(ref p, (nuint)i);
                var vg = MulAdd(vp, vL2, Vector256.LoadUnsafe(ref g, (nuint)i));
                vp *= vDecay;
                var vm = MulAdd(vg, vOneMinusB1, Vector256.LoadUnsafe(ref m, (nuint)i) * vB1);
                var vv = MulAdd(vg * vOneMinusB2, vg, Vector256.LoadUnsafe(ref v, (nuint)i) * vB2);
                vm.StoreUnsafe(ref m, (nuint)i);
                vv.StoreUnsafe(ref v, (nuint)i);
                var denominator = MulAdd(Vector256.Sqrt(vv), vInvBc2Sqrt, vEps);
                MulAdd(vm / denominator, vNegStepSize, vp).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pi = p.At(i);
            float gi = MulAdd(pi, l2, g.At(i));
            pi *= decay;
            float mi = MulAdd(gi, oneMinusB1, m.At(i) * b1);
            float vi = MulAdd(gi * oneMinusB2, gi, v.At(i) * b2);
            m.At(i) = mi;
            v.At(i) = vi;
            float denominator = MulAdd(MathF.Sqrt(vi), invBc2Sqrt, eps);
            p.At(i) = MulAdd(mi / denominator, negStepSize, pi);
        }
    }
}

/// <summary>
/// AdamW, as PyTorch's <c>torch.optim.AdamW</c>: <see cref="Adam"/> with <see cref="Adam.Decoupled"/> on and weight decay 0.01 by default.
/// Checkpoints record it as Adam with the decoupled flag, so the two load each other's state.
/// </summary>
public sealed class AdamW : Adam
{
    /// <param name="learningRate">Step size.</param>
    /// <param name="weightDecay">Decoupled weight decay (PyTorch's default 0.01).</param>
    public AdamW(float learningRate, float weightDecay = 0.01f) : base(learningRate)
    {
        Decoupled = true;
        WeightDecay = weightDecay;
    }
}
