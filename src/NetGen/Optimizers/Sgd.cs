using System;
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
    /// <param name="momentum">μ; 0 keeps no state.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0).</param>
    public Sgd(float learningRate, float momentum = 0f, bool nesterov = false) : base(learningRate, stateBufferCount: 1)
    {
        if (nesterov && momentum <= 0f) throw new ArgumentException("Nesterov momentum needs a momentum above zero.", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <inheritdoc/>
    public override string Kind => "Sgd";

    /// <summary>μ. Turning it on later starts a fresh buffer (buf = g on the next step), as PyTorch does.</summary>
    public float Momentum { get; set; }

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
        int n = parameters.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);

        if (mu == 0f)
        {
            if (UseVector256)
            {
                var vNegLr = Vector256.Create(negLr); var vWd = Vector256.Create(wd);
                for (; i <= n - 8; i += 8)
                {
                    var vp = Vector256.LoadUnsafe(ref p, (nuint)i);
                    var vg = MulAdd(vp, vWd, Vector256.LoadUnsafe(ref g, (nuint)i));
                    MulAdd(vg, vNegLr, vp).StoreUnsafe(ref p, (nuint)i);
                }
            }
            for (; i < n; i++)
            {
                float pi = p.At(i);
                float gi = MulAdd(pi, wd, g.At(i));
                p.At(i) = MulAdd(gi, negLr, pi);
            }
            return;
        }

        ref float b = ref MemoryMarshal.GetReference(State(0, offset, n));
        bool nesterov = Nesterov;
        if (UseVector256)
        {
            var vNegLr = Vector256.Create(negLr); var vWd = Vector256.Create(wd); var vMu = Vector256.Create(mu);
            for (; i <= n - 8; i += 8)
            {
                var vp = Vector256.LoadUnsafe(ref p, (nuint)i);
                var vg = MulAdd(vp, vWd, Vector256.LoadUnsafe(ref g, (nuint)i));
                var vb = MulAdd(Vector256.LoadUnsafe(ref b, (nuint)i), vMu, vg);
                vb.StoreUnsafe(ref b, (nuint)i);
                vg = nesterov ? MulAdd(vb, vMu, vg) : vb;
                MulAdd(vg, vNegLr, vp).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pi = p.At(i);
            float gi = MulAdd(pi, wd, g.At(i));
            float bi = MulAdd(b.At(i), mu, gi);
            b.At(i) = bi;
            gi = nesterov ? MulAdd(bi, mu, gi) : bi;
            p.At(i) = MulAdd(gi, negLr, pi);
        }
    }
}
