using System;
using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

/// <summary>Kernel tests change process-wide settings (parallel threshold, degree), so they run one class at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelCollection
{
    public const string Name = "Kernels";
}

/// <summary>Sets the pool's degree and the dense, conv and pool parallel thresholds for a scope, and puts them back.</summary>
internal sealed class ParallelScope : IDisposable
{
    readonly int _degree = WorkerPool.MaxDegreeOfParallelism;
    readonly long _threshold = DenseKernels.ParallelThreshold;
    readonly long _convThreshold = ConvKernels.ParallelThreshold;
    readonly long _poolThreshold = PoolKernels.ParallelThreshold;

    public ParallelScope(bool parallel)
    {
        WorkerPool.MaxDegreeOfParallelism = parallel ? Math.Max(2, Environment.ProcessorCount) : 1;
        DenseKernels.ParallelThreshold = parallel ? 0 : long.MaxValue;
        ConvKernels.ParallelThreshold = parallel ? 0 : long.MaxValue;
        PoolKernels.ParallelThreshold = parallel ? 0 : long.MaxValue;
    }

    public void Dispose()
    {
        WorkerPool.MaxDegreeOfParallelism = _degree;
        DenseKernels.ParallelThreshold = _threshold;
        ConvKernels.ParallelThreshold = _convThreshold;
        PoolKernels.ParallelThreshold = _poolThreshold;
    }
}

/// <summary>
/// Sets <see cref="Simd.MaxWidth"/> for a scope and puts it back. A width the machine does not accelerate still runs
/// (.NET emulates it, slowly), so every path is checked on every machine; <see cref="Simd.HardwareWidth"/> says which is native.
/// </summary>
internal sealed class WidthScope : IDisposable
{
    readonly int _width = Simd.MaxWidth;

    public WidthScope(int width) => Simd.MaxWidth = width;

    public void Dispose() => Simd.MaxWidth = _width;
}

public static class Widths
{
    /// <summary>Every path the kernels have: 512, 256 and 128 bits, and scalar (0).</summary>
    public static TheoryData<int> All => new() { 512, 256, 128, 0 };

    /// <summary>The vector widths other than 256, whose results must match the 256-bit path's bit for bit.</summary>
    public static TheoryData<int> OtherVector => new() { 512, 128 };
}

internal static class TestData
{
    public static float[] Random(int length, ulong seed, float scale = 1f)
    {
        var rng = new SplitMix(seed);
        var a = new float[length];
        for (int i = 0; i < length; i++) a[i] = (2f * rng.NextFloat() - 1f) * scale;
        return a;
    }

    /// <summary>
    /// |actual − expected| ≤ tol·(|expected| + magnitude[i]), where magnitude is Σ|terms| of the sum behind the element
    /// (the scale float rounding errors grow with); tol is 1e-6·√terms.
    /// </summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> magnitude, ReadOnlySpan<float> actual, int terms, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double tolerance = 1e-6 * Math.Sqrt(Math.Max(terms, 1)) + 1e-7;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            double allowed = tolerance * (Math.Abs(expected[i]) + magnitude[i]);
            if (!(err <= allowed))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {err:E2}, allowed {allowed:E2}).");
        }
    }

    public static void BitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} differs: {expected[i]:R} vs {actual[i]:R}.");
    }
}

/// <summary>Double-precision activations, written independently of the kernels.</summary>
internal enum Act { Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU }

internal static class ActRef
{
    public static readonly Act[] All = [Act.Identity, Act.Sigmoid, Act.Tanh, Act.ReLU, Act.LeakyReLU, Act.ELU];

    public static double Apply(Act act, double x, double alpha) => act switch
    {
        Act.Identity => x,
        Act.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Act.Tanh => Math.Tanh(x),
        Act.ReLU => x > 0 ? x : 0,
        Act.LeakyReLU => x > 0 ? x : alpha * x,
        _ => x > 0 ? x : alpha * (Math.Exp(x) - 1),
    };

    /// <summary>f'(x) through y = f(x).</summary>
    public static double Derivative(Act act, double y, double alpha) => act switch
    {
        Act.Identity => 1,
        Act.Sigmoid => y * (1 - y),
        Act.Tanh => 1 - y * y,
        Act.ReLU => y > 0 ? 1 : 0,
        Act.LeakyReLU => y > 0 ? 1 : alpha,
        _ => y > 0 ? 1 : y + alpha,
    };
}
