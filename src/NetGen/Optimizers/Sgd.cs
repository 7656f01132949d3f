using System;
using NetGen.Kernels;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen;

/// <summary>
/// Stochastic gradient descent, as PyTorch's <c>torch.optim.SGD</c> with dampening 0:
/// g += wd·p; with momentum μ: buf = μ·buf + g (buf = g on the first step), then g = buf, or g + μ·buf with Nesterov;
/// p −= lr·g.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <param name="learningRate">Step size.</param>
    /// <param name="momentum">μ, finite and ≥ 0; 0 keeps no state.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0).</param>
    public Sgd(float learningRate, float momentum = 0f, bool nesterov = false) : base(learningRate, stateBufferCount: 1)
    {
        _momentum = Require(AtLeast(nameof(momentum), momentum, 0f), nameof(momentum), momentum);
        if (nesterov && momentum <= 0f) throw new ArgumentException("Nesterov momentum needs a momentum above zero.", nameof(nesterov));
        Nesterov = nesterov;
    }

    /// <inheritdoc/>
    public override string Kind => "Sgd";

    float _momentum;

    /// <summary>μ, finite and ≥ 0. Turning it on later starts a fresh buffer (buf = g on the next step), as PyTorch does.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative, NaN or infinite value.</exception>
    public float Momentum
    {
        get => _momentum;
        set => _momentum = Require(AtLeast(nameof(Momentum), value, 0f), nameof(Momentum), value);
    }

    /// <summary>Use g + μ·buf instead of buf.</summary>
    public bool Nesterov { get; set; }

    /// <inheritdoc/>
    protected override bool NeedsStateBuffer(int index) => Momentum != 0f;

    /// <inheritdoc/>
    protected override int HyperparameterCount => base.HyperparameterCount + 2;

    /// <inheritdoc/>
    protected override void WriteHyperparameters(Span<float> destination)
    {
        base.WriteHyperparameters(destination);
        destination[2] = Momentum;
        destination[3] = Nesterov ? 1f : 0f;
    }

    /// <inheritdoc/>
    protected override void ReadHyperparameters(ReadOnlySpan<float> source)
    {
        base.ReadHyperparameters(source);
        Momentum = source[2];
        Nesterov = source[3] != 0f;
    }

    /// <inheritdoc/>
    protected override string? CheckHyperparameters(ReadOnlySpan<float> source) =>
        base.CheckHyperparameters(source)
        ?? AtLeast(nameof(Momentum), source[2], 0f)
        ?? Flag(nameof(Nesterov), source[3])
        ?? (source[3] != 0f && !(source[2] > 0f) ? $"{nameof(Nesterov)} is on with {nameof(Momentum)} {Show(source[2])}; Nesterov momentum needs a momentum above zero" : null);

    /// <inheritdoc/>
    protected override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        float negLr = -LearningRate, wd = WeightDecay, mu = Momentum;
        int n = parameters.Length, i = 0, width = Simd.MaxWidth;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);

        if (mu == 0f)
        {
            if (width >= 512) i = Plain<Width512, Vector512<float>>(ref p, ref g, i, n, negLr, wd);
            if (width >= 256) i = Plain<Width256, Vector256<float>>(ref p, ref g, i, n, negLr, wd);
            if (width >= 128) i = Plain<Width128, Vector128<float>>(ref p, ref g, i, n, negLr, wd);
            Plain<ScalarWidth, float>(ref p, ref g, i, n, negLr, wd);
            return;
        }

        ref float b = ref MemoryMarshal.GetReference(State(0, offset, n));
        bool nesterov = Nesterov;
        if (width >= 512) i = WithMomentum<Width512, Vector512<float>>(ref p, ref g, ref b, i, n, negLr, wd, mu, nesterov);
        if (width >= 256) i = WithMomentum<Width256, Vector256<float>>(ref p, ref g, ref b, i, n, negLr, wd, mu, nesterov);
        if (width >= 128) i = WithMomentum<Width128, Vector128<float>>(ref p, ref g, ref b, i, n, negLr, wd, mu, nesterov);
        WithMomentum<ScalarWidth, float>(ref p, ref g, ref b, i, n, negLr, wd, mu, nesterov);
    }

    // p −= lr·(g + wd·p) on the whole vectors of V from i; returns where they end.
    static int Plain<V, TVec>(ref float p, ref float g, int i, int n, float negLr, float wd) where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        var vNegLr = V.Splat(negLr); var vWd = V.Splat(wd);
        for (; i <= n - V.Lanes; i += V.Lanes)
        {
            var vp = V.Load(ref p, i);
            var vg = V.MulAdd(vp, vWd, V.Load(ref g, i));
            V.Store(V.MulAdd(vg, vNegLr, vp), ref p, i);
        }
        return i;
    }

    // b = μ·b + g; p −= lr·(Nesterov ? g + μ·b : b), g with weight decay folded in.
    static int WithMomentum<V, TVec>(ref float p, ref float g, ref float b, int i, int n, float negLr, float wd, float mu, bool nesterov)
        where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        var vNegLr = V.Splat(negLr); var vWd = V.Splat(wd); var vMu = V.Splat(mu);
        for (; i <= n - V.Lanes; i += V.Lanes)
        {
            var vp = V.Load(ref p, i);
            var vg = V.MulAdd(vp, vWd, V.Load(ref g, i));
            var vb = V.MulAdd(V.Load(ref b, i), vMu, vg);
            V.Store(vb, ref b, i);
            vg = nesterov ? V.MulAdd(vb, vMu, vg) : vb;
            V.Store(V.MulAdd(vg, vNegLr, vp), ref p, i);
        }
        return i;
    }
}
