using System;
using NetGen.Kernels;
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

    float _epsilon = 1e-10f;

    /// <summary>ε, added after the square root (1e-10); finite and ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative, NaN or infinite value.</exception>
    public float Epsilon
    {
        get => _epsilon;
        set => _epsilon = Require(AtLeast(nameof(Epsilon), value, 0f), nameof(Epsilon), value);
    }

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
        int n = parameters.Length, i = 0, width = Simd.MaxWidth;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s = ref MemoryMarshal.GetReference(State(0, offset, n));
        if (width >= 512) i = Update<Width512, Vector512<float>>(ref p, ref g, ref s, i, n, lr, wd, eps);
        if (width >= 256) i = Update<Width256, Vector256<float>>(ref p, ref g, ref s, i, n, lr, wd, eps);
        if (width >= 128) i = Update<Width128, Vector128<float>>(ref p, ref g, ref s, i, n, lr, wd, eps);
        Update<ScalarWidth, float>(ref p, ref g, ref s, i, n, lr, wd, eps);
    }

    // s += g²; p −= lr·g/(√s + ε), on the whole vectors of V from i; returns where they end.
    static int Update<V, TVec>(ref float p, ref float g, ref float s, int i, int n, float lr, float wd, float eps)
        where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        var vNegLr = V.Splat(-lr); var vWd = V.Splat(wd); var vEps = V.Splat(eps);
        for (; i <= n - V.Lanes; i += V.Lanes)
        {
            var vp = V.Load(ref p, i);
            var vg = V.MulAdd(vp, vWd, V.Load(ref g, i));
            var vs = V.MulAdd(vg, vg, V.Load(ref s, i));
            V.Store(vs, ref s, i);
            V.Store(V.MulAdd(V.Divide(vg, V.Add(V.Sqrt(vs), vEps)), vNegLr, vp), ref p, i);
        }
        return i;
    }
}
