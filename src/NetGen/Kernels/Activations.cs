using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// An activation as a type, so kernels are specialized per activation by the JIT (generic over a struct):
/// a matmul's stores call <see cref="Apply(float, float)"/> inline, with no branch on the kind.
/// Derivatives are taken from the output y = f(x), which is what the forward pass keeps.
/// Like TensorPrimitives' operators, each has a scalar, a 128-, a 256- and a 512-bit overload; every vector width
/// evaluates the same formula lane by lane, so the three give the same bits for the same input.
/// </summary>
public interface IActivation
{
    static abstract float Apply(float x, float alpha);
    static abstract Vector128<float> Apply(Vector128<float> x, Vector128<float> alpha);
    static abstract Vector256<float> Apply(Vector256<float> x, Vector256<float> alpha);
    static abstract Vector512<float> Apply(Vector512<float> x, Vector512<float> alpha);
    /// <summary>f'(x) expressed through y = f(x).</summary>
    static abstract float Derivative(float y, float alpha);
    static abstract Vector128<float> Derivative(Vector128<float> y, Vector128<float> alpha);
    static abstract Vector256<float> Derivative(Vector256<float> y, Vector256<float> alpha);
    static abstract Vector512<float> Derivative(Vector512<float> y, Vector512<float> alpha);
    /// <summary>True for the identity: kernels skip the derivative pass entirely.</summary>
    static abstract bool IsIdentity { get; }
}

public struct Identity : IActivation
{
    public static bool IsIdentity => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float x, float alpha) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Apply(Vector128<float> x, Vector128<float> alpha) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Apply(Vector256<float> x, Vector256<float> alpha) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Apply(Vector512<float> x, Vector512<float> alpha) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Derivative(float y, float alpha) => 1f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Derivative(Vector128<float> y, Vector128<float> alpha) => Vector128<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Derivative(Vector256<float> y, Vector256<float> alpha) => Vector256<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Derivative(Vector512<float> y, Vector512<float> alpha) => Vector512<float>.One;
}

public struct Sigmoid : IActivation
{
    public static bool IsIdentity => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float x, float alpha) => 1f / (1f + MathF.Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply(Vector128<float> x, Vector128<float> alpha) => Vector128<float>.One / (Vector128<float>.One + Vector128.Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> x, Vector256<float> alpha) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> x, Vector512<float> alpha) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Derivative(float y, float alpha) => y * (1f - y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Derivative(Vector128<float> y, Vector128<float> alpha) => y * (Vector128<float>.One - y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Derivative(Vector256<float> y, Vector256<float> alpha) => y * (Vector256<float>.One - y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Derivative(Vector512<float> y, Vector512<float> alpha) => y * (Vector512<float>.One - y);
}

/// <summary>Vector tanh(x) = 1 − 2/(e^{2x} + 1); the clamp keeps e^{2x} finite so large |x| lands exactly on ±1.</summary>
public struct Tanh : IActivation
{
    public static bool IsIdentity => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float x, float alpha) => MathF.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply(Vector128<float> x, Vector128<float> alpha)
    {
        var e = Vector128.Exp(Vector128.Min(Vector128.Max(x + x, Vector128.Create(-88f)), Vector128.Create(88f)));
        return Vector128<float>.One - Vector128.Create(2f) / (e + Vector128<float>.One);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> x, Vector256<float> alpha)
    {
        var e = Vector256.Exp(Vector256.Min(Vector256.Max(x + x, Vector256.Create(-88f)), Vector256.Create(88f)));
        return Vector256<float>.One - Vector256.Create(2f) / (e + Vector256<float>.One);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> x, Vector512<float> alpha)
    {
        var e = Vector512.Exp(Vector512.Min(Vector512.Max(x + x, Vector512.Create(-88f)), Vector512.Create(88f)));
        return Vector512<float>.One - Vector512.Create(2f) / (e + Vector512<float>.One);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Derivative(float y, float alpha) => 1f - y * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Derivative(Vector128<float> y, Vector128<float> alpha) => Vector128<float>.One - y * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Derivative(Vector256<float> y, Vector256<float> alpha) => Vector256<float>.One - y * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Derivative(Vector512<float> y, Vector512<float> alpha) => Vector512<float>.One - y * y;
}

public struct ReLU : IActivation
{
    public static bool IsIdentity => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float x, float alpha) => x > 0f ? x : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Apply(Vector128<float> x, Vector128<float> alpha) => Vector128.Max(x, Vector128<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Apply(Vector256<float> x, Vector256<float> alpha) => Vector256.Max(x, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Apply(Vector512<float> x, Vector512<float> alpha) => Vector512.Max(x, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Derivative(float y, float alpha) => y > 0f ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Derivative(Vector128<float> y, Vector128<float> alpha) => Vector128.GreaterThan(y, Vector128<float>.Zero) & Vector128<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> y, Vector256<float> alpha) => Vector256.GreaterThan(y, Vector256<float>.Zero) & Vector256<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Derivative(Vector512<float> y, Vector512<float> alpha) => Vector512.GreaterThan(y, Vector512<float>.Zero) & Vector512<float>.One;
}

/// <summary>Leaky ReLU with slope α &gt; 0 for negative inputs (the sign of y then tells the branch).</summary>
public struct LeakyReLU : IActivation
{
    public static bool IsIdentity => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float x, float alpha) => x > 0f ? x : alpha * x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply(Vector128<float> x, Vector128<float> alpha) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), x, alpha * x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> x, Vector256<float> alpha) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, alpha * x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> x, Vector512<float> alpha) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, alpha * x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Derivative(float y, float alpha) => y > 0f ? 1f : alpha;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Derivative(Vector128<float> y, Vector128<float> alpha) => Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<float>.Zero), Vector128<float>.One, alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> y, Vector256<float> alpha) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), Vector256<float>.One, alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Derivative(Vector512<float> y, Vector512<float> alpha) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), Vector512<float>.One, alpha);
}

/// <summary>ELU with α &gt; 0: for x ≤ 0, y = α(eˣ − 1) so f'(x) = y + α.</summary>
public struct ELU : IActivation
{
    public static bool IsIdentity => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float x, float alpha) => x > 0f ? x : alpha * (MathF.Exp(x) - 1f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply(Vector128<float> x, Vector128<float> alpha)
        => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), x, alpha * (Vector128.Exp(Vector128.Min(x, Vector128<float>.Zero)) - Vector128<float>.One));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> x, Vector256<float> alpha)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, alpha * (Vector256.Exp(Vector256.Min(x, Vector256<float>.Zero)) - Vector256<float>.One));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> x, Vector512<float> alpha)
        => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, alpha * (Vector512.Exp(Vector512.Min(x, Vector512<float>.Zero)) - Vector512<float>.One));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Derivative(float y, float alpha) => y > 0f ? 1f : y + alpha;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Derivative(Vector128<float> y, Vector128<float> alpha) => Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<float>.Zero), Vector128<float>.One, y + alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> y, Vector256<float> alpha) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), Vector256<float>.One, y + alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Derivative(Vector512<float> y, Vector512<float> alpha) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), Vector512<float>.One, y + alpha);
}
