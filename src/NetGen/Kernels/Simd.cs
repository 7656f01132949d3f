using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels;

/// <summary>
/// The one place the kernels choose a vector width and the one multiply-add and reduction they all use.
/// </summary>
/// <remarks>
/// Every lane of every width rounds like the scalar <see cref="MulAdd(float, float, float)"/>: fused where the hardware
/// has FMA (x86 with FMA3, every ARM64), a separate multiply and add elsewhere. So a kernel whose elements are each one
/// chain of multiply-adds in a fixed order (the outer-product kernels, the optimizers, the elementwise passes) gives
/// the same bits at 512, 256, 128 bits and in scalar code; the width only decides how many elements go at once.
/// </remarks>
internal static class Simd
{
    /// <summary>The widest width the hardware runs natively: 512, 256, 128, or 0 for none.</summary>
    internal static int HardwareWidth { get; } =
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    static int s_maxWidth = HardwareWidth;

    /// <summary>
    /// The widest vectors the kernels use: 512, 256, 128 or 0 (scalar). Defaults to <see cref="HardwareWidth"/>.
    /// Tests set it to run every path on one machine; a width the hardware does not accelerate still computes
    /// correctly (.NET emulates it), only slowly.
    /// </summary>
    internal static int MaxWidth
    {
        get => s_maxWidth;
        set => s_maxWidth = value >= 512 ? 512 : value >= 256 ? 256 : value >= 128 ? 128 : 0;
    }

    /// <summary>Floats per vector at <see cref="MaxWidth"/> (1 for scalar).</summary>
    internal static int MaxLanes => Math.Max(1, s_maxWidth / 32);

    /// <summary>Whether multiply-adds are fused (one rounding). A JIT-time constant.</summary>
    internal static bool HasFma
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Fma.IsSupported || AdvSimd.IsSupported;
    }

    /// <summary>a·b + c, fused where the hardware has FMA; every vector overload below rounds each lane the same way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float MulAdd(float a, float b, float c) => HasFma ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;

    // The x86 intrinsics first: the JIT allocates registers better for them than for VectorN.FusedMultiplyAdd
    // (which cost the 256-bit forward loop a register copy per accumulator); the result is the same fused operation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : HasFma ? Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : HasFma ? Vector256.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        => Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : HasFma ? Vector512.FusedMultiplyAdd(a, b, c) : a * b + c;

    /// <summary>
    /// The sum of eight partial sums held as two halves (lanes 0–3 and 4–7), in the one fixed order every kernel uses:
    /// s = lo + hi, then (s₀ + s₂) + (s₁ + s₃). Not <c>Vector256.Sum</c>, whose order is the platform's choice.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Sum(Vector128<float> lo, Vector128<float> hi)
    {
        var s = lo + hi;
        s += Vector128.Shuffle(s, Vector128.Create(2, 3, 0, 1)); // lane 0: s₀ + s₂, lane 1: s₁ + s₃
        return s.ToScalar() + s.GetElement(1);
    }

    /// <summary>The sum of eight partial sums, in the order of <see cref="Sum(Vector128{float}, Vector128{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Sum(Vector256<float> v) => Sum(v.GetLower(), v.GetUpper());

    /// <summary>
    /// [Sum(a), Sum(b), Sum(c), Sum(d)] of four eight-lane accumulators, each in exactly the order of
    /// <see cref="Sum(Vector256{float})"/>, but transposed in registers rather than reduced one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
        => Sum4(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());

    /// <summary>[(t₀ + t₂) + (t₁ + t₃) for t in a, b, c, d]: the second step of <see cref="Sum(Vector128{float}, Vector128{float})"/>, four at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sum4(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
    {
        if (Sse.IsSupported)
        {
            var ab = Sse.UnpackLow(a, b) + Sse.UnpackHigh(a, b); // [a₀+a₂, b₀+b₂, a₁+a₃, b₁+b₃]
            var cd = Sse.UnpackLow(c, d) + Sse.UnpackHigh(c, d);
            return Sse.MoveLowToHigh(ab, cd) + Sse.MoveHighToLow(cd, ab);
        }
        return Vector128.Create((a.ToScalar() + a.GetElement(2)) + (a.GetElement(1) + a.GetElement(3)),
            (b.ToScalar() + b.GetElement(2)) + (b.GetElement(1) + b.GetElement(3)),
            (c.ToScalar() + c.GetElement(2)) + (c.GetElement(1) + c.GetElement(3)),
            (d.ToScalar() + d.GetElement(2)) + (d.GetElement(1) + d.GetElement(3)));
    }

    /// <summary>The sum of eight partial sums kept in scalars (the scalar path's twin of the vector overloads).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Sum(float s0, float s1, float s2, float s3, float s4, float s5, float s6, float s7)
        => ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7));
}

/// <summary>
/// One vector width as a type, so a kernel written once over <typeparamref name="TVec"/> is compiled by the JIT for
/// each width (the way TensorPrimitives' operators take Vector128/256/512 overloads). Every member inlines to the
/// single instruction of that width; <see cref="ScalarWidth"/> is the same algorithm one float at a time.
/// </summary>
internal unsafe interface IVectorWidth<TVec> where TVec : struct
{
    static abstract int Lanes { get; }
    static abstract TVec Load(float* p);
    static abstract void Store(TVec v, float* p);
    static abstract TVec Load(ref float p, int i);
    static abstract void Store(TVec v, ref float p, int i);
    static abstract TVec Splat(float x);
    static abstract TVec Add(TVec a, TVec b);
    static abstract TVec Subtract(TVec a, TVec b);
    static abstract TVec Multiply(TVec a, TVec b);
    static abstract TVec Divide(TVec a, TVec b);
    static abstract TVec Sqrt(TVec a);
    /// <summary>a·b + c, rounding like <see cref="Simd.MulAdd(float, float, float)"/>.</summary>
    static abstract TVec MulAdd(TVec a, TVec b, TVec c);
    static abstract TVec Apply<TAct>(TVec x, TVec alpha) where TAct : struct, IActivation;
    static abstract TVec Derivative<TAct>(TVec y, TVec alpha) where TAct : struct, IActivation;
}

internal unsafe struct ScalarWidth : IVectorWidth<float>
{
    public static int Lanes => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float v, float* p) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float p, int i) => Unsafe.Add(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float v, ref float p, int i) => Unsafe.Add(ref p, i) = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Splat(float x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Divide(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => MathF.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MulAdd(float a, float b, float c) => Simd.MulAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply<TAct>(float x, float alpha) where TAct : struct, IActivation => TAct.Apply(x, alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Derivative<TAct>(float y, float alpha) where TAct : struct, IActivation => TAct.Derivative(y, alpha);
}

internal unsafe struct Width128 : IVectorWidth<Vector128<float>>
{
    public static int Lanes => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref float p, int i) => Vector128.LoadUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, ref float p, int i) => v.StoreUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float x) => Vector128.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> a) => Vector128.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Simd.MulAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply<TAct>(Vector128<float> x, Vector128<float> alpha) where TAct : struct, IActivation => TAct.Apply(x, alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Derivative<TAct>(Vector128<float> y, Vector128<float> alpha) where TAct : struct, IActivation => TAct.Derivative(y, alpha);
}

internal unsafe struct Width256 : IVectorWidth<Vector256<float>>
{
    public static int Lanes => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float p, int i) => Vector256.LoadUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, ref float p, int i) => v.StoreUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Simd.MulAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply<TAct>(Vector256<float> x, Vector256<float> alpha) where TAct : struct, IActivation => TAct.Apply(x, alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative<TAct>(Vector256<float> y, Vector256<float> alpha) where TAct : struct, IActivation => TAct.Derivative(y, alpha);
}

internal unsafe struct Width512 : IVectorWidth<Vector512<float>>
{
    public static int Lanes => 16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float p, int i) => Vector512.LoadUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, ref float p, int i) => v.StoreUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Simd.MulAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply<TAct>(Vector512<float> x, Vector512<float> alpha) where TAct : struct, IActivation => TAct.Apply(x, alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Derivative<TAct>(Vector512<float> y, Vector512<float> alpha) where TAct : struct, IActivation => TAct.Derivative(y, alpha);
}

/// <summary>
/// The eight partial sums of a dot product (lane k takes the terms i ≡ k mod 8, in order) as one width keeps them:
/// one Vector256, two Vector128 halves, or eight floats. Each is reduced in the order of <see cref="Simd.Sum(Vector256{float})"/>,
/// so the three give the same bits; a kernel written over this runs at 256 bits where it can and never assumes it.
/// </summary>
internal unsafe interface IEightLanes<T> where T : struct
{
    static abstract T Load(float* p);
    static abstract T MulAdd(T a, T b, T c);
    static abstract T Add(T a, T b);
    static abstract float Sum(T lanes);
}

internal unsafe struct EightLanes256 : IEightLanes<Vector256<float>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Simd.MulAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> lanes) => Simd.Sum(lanes);
}

internal unsafe struct EightLanes128 : IEightLanes<EightLanes128.Halves>
{
    public struct Halves
    {
        public Vector128<float> Lo, Hi;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Halves Load(float* p) => new() { Lo = Vector128.Load(p), Hi = Vector128.Load(p + 4) };
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Halves MulAdd(Halves a, Halves b, Halves c) => new() { Lo = Simd.MulAdd(a.Lo, b.Lo, c.Lo), Hi = Simd.MulAdd(a.Hi, b.Hi, c.Hi) };
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Halves Add(Halves a, Halves b) => new() { Lo = a.Lo + b.Lo, Hi = a.Hi + b.Hi };
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Halves lanes) => Simd.Sum(lanes.Lo, lanes.Hi);
}

internal unsafe struct EightLanesScalar : IEightLanes<EightLanesScalar.Octet>
{
    public struct Octet
    {
        public float S0, S1, S2, S3, S4, S5, S6, S7;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Octet Load(float* p) => new() { S0 = p[0], S1 = p[1], S2 = p[2], S3 = p[3], S4 = p[4], S5 = p[5], S6 = p[6], S7 = p[7] };
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Octet MulAdd(Octet a, Octet b, Octet c) => new()
    {
        S0 = Simd.MulAdd(a.S0, b.S0, c.S0), S1 = Simd.MulAdd(a.S1, b.S1, c.S1), S2 = Simd.MulAdd(a.S2, b.S2, c.S2), S3 = Simd.MulAdd(a.S3, b.S3, c.S3),
        S4 = Simd.MulAdd(a.S4, b.S4, c.S4), S5 = Simd.MulAdd(a.S5, b.S5, c.S5), S6 = Simd.MulAdd(a.S6, b.S6, c.S6), S7 = Simd.MulAdd(a.S7, b.S7, c.S7),
    };
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Octet Add(Octet a, Octet b) => new()
    {
        S0 = a.S0 + b.S0, S1 = a.S1 + b.S1, S2 = a.S2 + b.S2, S3 = a.S3 + b.S3, S4 = a.S4 + b.S4, S5 = a.S5 + b.S5, S6 = a.S6 + b.S6, S7 = a.S7 + b.S7,
    };
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Octet lanes) => Simd.Sum(lanes.S0, lanes.S1, lanes.S2, lanes.S3, lanes.S4, lanes.S5, lanes.S6, lanes.S7);
}
