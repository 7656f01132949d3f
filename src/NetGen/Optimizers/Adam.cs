using System;
using NetGen.Kernels;
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
    float _beta1 = 0.9f, _beta2 = 0.999f, _epsilon = 1e-8f;

    /// <param name="learningRate">Step size.</param>
    public Adam(float learningRate) : base(learningRate, stateBufferCount: 2) { }

    /// <inheritdoc/>
    public override string Kind => "Adam";

    /// <summary>β1, the first-moment decay (0.9), in [0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside [0, 1) or to NaN.</exception>
    public float Beta1
    {
        get => _beta1;
        set => _beta1 = Require(Between(nameof(Beta1), value, 0f, 1f, maximumIncluded: false), nameof(Beta1), value);
    }

    /// <summary>β2, the second-moment decay (0.999), in [0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside [0, 1) or to NaN.</exception>
    public float Beta2
    {
        get => _beta2;
        set => _beta2 = Require(Between(nameof(Beta2), value, 0f, 1f, maximumIncluded: false), nameof(Beta2), value);
    }

    /// <summary>ε, added after the bias-corrected square root (1e-8); finite and ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative, NaN or infinite value.</exception>
    public float Epsilon
    {
        get => _epsilon;
        set => _epsilon = Require(AtLeast(nameof(Epsilon), value, 0f), nameof(Epsilon), value);
    }

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
        var h = new Hyper
        {
            L2 = Decoupled ? 0f : WeightDecay,
            Decay = Decoupled ? (float)(1.0 - (double)LearningRate * WeightDecay) : 1f,
            B1 = Beta1, B2 = Beta2, OneMinusB1 = 1f - Beta1, OneMinusB2 = 1f - Beta2, Eps = Epsilon,
            NegStepSize = -_stepSize, InvBc2Sqrt = _inverseBiasCorrection2Sqrt,
        };
        int n = parameters.Length, i = 0, width = Simd.MaxWidth;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref MemoryMarshal.GetReference(State(0, offset, n));
        ref float v = ref MemoryMarshal.GetReference(State(1, offset, n));
        if (width >= 512) i = Update<Width512, Vector512<float>>(ref p, ref g, ref m, ref v, i, n, in h);
        if (width >= 256) i = Update<Width256, Vector256<float>>(ref p, ref g, ref m, ref v, i, n, in h);
        if (width >= 128) i = Update<Width128, Vector128<float>>(ref p, ref g, ref m, ref v, i, n, in h);
        Update<ScalarWidth, float>(ref p, ref g, ref m, ref v, i, n, in h);
    }

    struct Hyper
    {
        public float L2, Decay, B1, B2, OneMinusB1, OneMinusB2, Eps, NegStepSize, InvBc2Sqrt;
    }

    // m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²; p = decay·p − step·m/(√v/√bc₂ + ε), on the whole vectors of V from i.
    static int Update<V, TVec>(ref float p, ref float g, ref float m, ref float v, int i, int n, in Hyper h)
        where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        var vL2 = V.Splat(h.L2); var vDecay = V.Splat(h.Decay);
        var vB1 = V.Splat(h.B1); var vB2 = V.Splat(h.B2);
        var vOneMinusB1 = V.Splat(h.OneMinusB1); var vOneMinusB2 = V.Splat(h.OneMinusB2);
        var vEps = V.Splat(h.Eps); var vNegStepSize = V.Splat(h.NegStepSize); var vInvBc2Sqrt = V.Splat(h.InvBc2Sqrt);
        for (; i <= n - V.Lanes; i += V.Lanes)
        {
            var vp = V.Load(ref p, i);
            var vg = V.MulAdd(vp, vL2, V.Load(ref g, i));
            vp = V.Multiply(vp, vDecay);
            var vm = V.MulAdd(vg, vOneMinusB1, V.Multiply(V.Load(ref m, i), vB1));
            var vv = V.MulAdd(V.Multiply(vg, vOneMinusB2), vg, V.Multiply(V.Load(ref v, i), vB2));
            V.Store(vm, ref m, i);
            V.Store(vv, ref v, i);
            var denominator = V.MulAdd(V.Sqrt(vv), vInvBc2Sqrt, vEps);
            V.Store(V.MulAdd(V.Divide(vm, denominator), vNegStepSize, vp), ref p, i);
        }
        return i;
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
