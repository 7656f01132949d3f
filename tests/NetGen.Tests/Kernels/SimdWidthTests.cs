using System;
using System.Runtime.Intrinsics;
using NetGen.Kernels;
using NetGen.Tests.Support;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The 512-, 256- and 128-bit paths and the scalar path (<see cref="Simd.MaxWidth"/>) against each other: the vector
/// paths give the same bits everywhere; the scalar path gives the same bits wherever no exp-based activation is
/// applied (it uses MathF there), and stays within float tolerance where one is.
/// </summary>
[Collection(KernelCollection.Name)]
public class SimdWidthTests
{
    static readonly (int Batch, int In, int Out)[] DenseShapes =
        [(64, 784, 128), (64, 128, 10), (5, 100, 17), (3, 301, 7), (67, 13, 129), (1, 784, 128), (1, 9, 3), (256, 40, 33)];

    static float[][] RunDense(int width, bool parallel, int batch, int inSize, int outSize, bool exact)
    {
        using var simd = new WidthScope(width);
        using var threads = new ParallelScope(parallel);
        var x = TestData.Random(batch * inSize, 11);
        var w = TestData.Random(outSize * inSize, 12, 0.1f);
        var b = TestData.Random(outSize, 13);
        var dz = TestData.Random(batch * outSize, 14);
        var below = TestData.Random(batch * inSize, 15);
        var results = new System.Collections.Generic.List<float[]>();
        float[] Out(int n) { var a = new float[n]; results.Add(a); return a; }
        DenseKernels.Forward<Identity>(x, w, b, Out(batch * outSize), batch, inSize, outSize, 0f);
        DenseKernels.Forward<ReLU>(x, w, default, Out(batch * outSize), batch, inSize, outSize, 0f);
        DenseKernels.Forward<LeakyReLU>(x, w, b, Out(batch * outSize), batch, inSize, outSize, 0.1f);
        if (!exact)
        {
            DenseKernels.Forward<Tanh>(x, w, b, Out(batch * outSize), batch, inSize, outSize, 0f);
            DenseKernels.Forward<Sigmoid>(x, w, default, Out(batch * outSize), batch, inSize, outSize, 0f);
            DenseKernels.Forward<ELU>(x, w, b, Out(batch * outSize), batch, inSize, outSize, 1f);
        }
        DenseKernels.BackwardInput<Identity>(dz, w, default, Out(batch * inSize), batch, inSize, outSize, 0f);
        DenseKernels.BackwardInput<Tanh>(dz, w, below, Out(batch * inSize), batch, inSize, outSize, 0f);
        DenseKernels.BackwardInput<ELU>(dz, w, below, Out(batch * inSize), batch, inSize, outSize, 0.5f);
        DenseKernels.BackwardWeights(dz, x, Out(outSize * inSize), Out(outSize), batch, inSize, outSize);
        return results.ToArray();
    }

    [Theory]
    [MemberData(nameof(Widths.OtherVector), MemberType = typeof(Widths))]
    public void DenseVectorPathsAreBitIdenticalTo256(int width)
    {
        foreach (var (batch, inSize, outSize) in DenseShapes)
            foreach (bool parallel in new[] { false, true })
            {
                var expected = RunDense(256, false, batch, inSize, outSize, exact: false);
                var actual = RunDense(width, parallel, batch, inSize, outSize, exact: false);
                for (int k = 0; k < expected.Length; k++)
                    TestData.BitIdentical(expected[k], actual[k], $"result {k} at width {width} of ({batch}, {inSize}, {outSize}), parallel={parallel}");
            }
    }

    [Fact]
    public void DenseScalarPathIsBitIdenticalTo256WithoutExpActivations()
    {
        foreach (var (batch, inSize, outSize) in DenseShapes)
        {
            var expected = RunDense(256, false, batch, inSize, outSize, exact: true);
            var actual = RunDense(0, true, batch, inSize, outSize, exact: true);
            for (int k = 0; k < expected.Length; k++)
                TestData.BitIdentical(expected[k], actual[k], $"result {k} of ({batch}, {inSize}, {outSize})");
        }
    }

    /// <summary>
    /// The forward summation order DenseKernels documents, written out independently: eight partial sums (lane k takes
    /// i ≡ k mod 8) with the shared multiply-add, reduced (lo + hi), then (0 + 2) + (1 + 3), then the tail one term at a
    /// time, then the bias. Every width must give exactly this (identity activation, so nothing else rounds).
    /// </summary>
    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void DenseForwardSumsInTheDocumentedOrder(int width)
    {
        using var simd = new WidthScope(width);
        foreach (var (batch, inSize, outSize) in DenseShapes)
        {
            var x = TestData.Random(batch * inSize, 21);
            var w = TestData.Random(outSize * inSize, 22, 0.1f);
            var b = TestData.Random(outSize, 23);
            var y = new float[batch * outSize];
            DenseKernels.Forward<Identity>(x, w, b, y, batch, inSize, outSize, 0f);
            var expected = new float[batch * outSize];
            int vecEnd = inSize & ~7;
            for (int n = 0; n < batch; n++)
                for (int j = 0; j < outSize; j++)
                {
                    var lane = new float[8];
                    for (int i = 0; i < vecEnd; i++)
                    {
                        float xi = x[n * inSize + i], wi = w[j * inSize + i];
                        lane[i % 8] = Simd.HasFma ? MathF.FusedMultiplyAdd(xi, wi, lane[i % 8]) : xi * wi + lane[i % 8];
                    }
                    float s0 = lane[0] + lane[4], s1 = lane[1] + lane[5], s2 = lane[2] + lane[6], s3 = lane[3] + lane[7];
                    float s = (s0 + s2) + (s1 + s3);
                    for (int i = vecEnd; i < inSize; i++) s += x[n * inSize + i] * w[j * inSize + i];
                    expected[n * outSize + j] = s + b[j];
                }
            TestData.BitIdentical(expected, y, $"Forward at width {width} of ({batch}, {inSize}, {outSize})");
        }
    }

    // inC, H, W, outC, k, stride, pad
    static readonly (int InC, int H, int W, int OutC, int K, int Stride, int Pad)[] ConvShapes =
        [(1, 28, 28, 20, 5, 1, 0), (3, 13, 11, 7, 3, 2, 1), (20, 12, 12, 5, 5, 1, 2), (2, 9, 10, 3, 3, 1, 1)];

    static float[][] RunConv(int width, bool parallel, (int InC, int H, int W, int OutC, int K, int Stride, int Pad) s, bool exact)
    {
        using var simd = new WidthScope(width);
        using var threads = new ParallelScope(parallel);
        const int batch = 5;
        int oh = (s.H + 2 * s.Pad - s.K) / s.Stride + 1, ow = (s.W + 2 * s.Pad - s.K) / s.Stride + 1;
        int inSize = s.InC * s.H * s.W, patch = s.InC * s.K * s.K, pixels = oh * ow;
        var x = TestData.Random(batch * inSize, 31);
        var weights = TestData.Random(s.OutC * patch, 32, 0.2f);
        var bias = TestData.Random(s.OutC, 33);
        var dz = TestData.Random(batch * s.OutC * pixels, 34);
        var below = TestData.Random(batch * inSize, 35);
        var y = new float[batch * s.OutC * pixels];
        var yt = new float[batch * s.OutC * pixels];
        var col = new float[batch * patch * pixels];
        var dw = new float[s.OutC * patch];
        var db = new float[s.OutC];
        var dx = new float[batch * inSize];
        if (!exact) ConvKernels.Forward<Tanh>(x, weights, bias, yt, col, batch, s.InC, s.H, s.W, s.OutC, s.K, s.K, s.Stride, s.Pad, s.Pad, oh, ow, 0f);
        ConvKernels.Forward<ReLU>(x, weights, bias, y, col, batch, s.InC, s.H, s.W, s.OutC, s.K, s.K, s.Stride, s.Pad, s.Pad, oh, ow, 0f);
        ConvKernels.BackwardWeights(dz, col, dw, db, batch, s.OutC, patch, pixels);
        ConvKernels.BackwardInput<LeakyReLU>(dz, weights, below, dx, col, batch, s.InC, s.H, s.W, s.OutC, s.K, s.K, s.Stride, s.Pad, s.Pad, oh, ow, 0.1f);
        return [y, yt, dw, db, dx];
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void ConvPathsAreBitIdenticalTo256(int width)
    {
        bool exact = width == 0; // the scalar path's tanh is MathF's
        foreach (var shape in ConvShapes)
            foreach (bool parallel in new[] { false, true })
            {
                var expected = RunConv(256, false, shape, exact);
                var actual = RunConv(width, parallel, shape, exact);
                string[] names = ["forward ReLU", "forward tanh", "dW", "db", "dX"];
                for (int k = 0; k < expected.Length; k++)
                    TestData.BitIdentical(expected[k], actual[k], $"{names[k]} at width {width} of {shape}, parallel={parallel}");
            }
    }

    static readonly float[] Specials = [0f, -0f, 1e-8f, -1e-8f, 0.5f, -0.5f, 10f, -10f, 44f, -44f, 88f, -88f, 100f, -100f, 1e30f, -1e30f,
        float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon];

    static float[] ActivationInputs()
    {
        var random = TestData.Random(4096, 41, 20f);
        var all = new float[Specials.Length + random.Length];
        Specials.CopyTo(all, 0);
        random.CopyTo(all, Specials.Length);
        return all;
    }

    static void CheckOverloads<TAct>(string name) where TAct : struct, IActivation
    {
        const float Alpha = 0.3f;
        var x = ActivationInputs();
        int n = x.Length / 16 * 16;
        for (int i = 0; i < n; i += 16)
        {
            var v512 = TAct.Apply(Vector512.Create(x.AsSpan(i, 16)), Vector512.Create(Alpha));
            var v256 = TAct.Apply(Vector256.Create(x.AsSpan(i, 8)), Vector256.Create(Alpha));
            var v128 = TAct.Apply(Vector128.Create(x.AsSpan(i, 4)), Vector128.Create(Alpha));
            var d512 = TAct.Derivative(v512, Vector512.Create(Alpha));
            var d256 = TAct.Derivative(v256, Vector256.Create(Alpha));
            var d128 = TAct.Derivative(v128, Vector128.Create(Alpha));
            for (int k = 0; k < 16; k++)
            {
                float y = v512.GetElement(k);
                if (k < 8) Assert.True(BitConverter.SingleToInt32Bits(y) == BitConverter.SingleToInt32Bits(v256.GetElement(k)), $"{name} 512 vs 256 at {x[i + k]:R}");
                if (k < 4) Assert.True(BitConverter.SingleToInt32Bits(y) == BitConverter.SingleToInt32Bits(v128.GetElement(k)), $"{name} 512 vs 128 at {x[i + k]:R}");
                if (k < 8) Assert.True(BitConverter.SingleToInt32Bits(d512.GetElement(k)) == BitConverter.SingleToInt32Bits(d256.GetElement(k)), $"{name}' 512 vs 256 at {y:R}");
                if (k < 4) Assert.True(BitConverter.SingleToInt32Bits(d512.GetElement(k)) == BitConverter.SingleToInt32Bits(d128.GetElement(k)), $"{name}' 512 vs 128 at {y:R}");
                // The derivative is plain arithmetic on y: the scalar one must agree exactly.
                Assert.True(BitConverter.SingleToInt32Bits(d512.GetElement(k)) == BitConverter.SingleToInt32Bits(TAct.Derivative(y, Alpha)), $"{name}' vector vs scalar at {y:R}");
                // The scalar activation is MathF's: close, not always equal.
                float scalar = TAct.Apply(x[i + k], Alpha);
                Assert.True(scalar == y || Math.Abs(scalar - y) <= 3e-7 * (1 + Math.Abs(y)) || (float.IsNaN(scalar) && float.IsNaN(y)), $"{name} scalar {scalar:R} vs vector {y:R} at {x[i + k]:R}");
            }
        }
    }

    [Fact] public void IdentityOverloadsAgree() => CheckOverloads<Identity>("Identity");
    [Fact] public void SigmoidOverloadsAgree() => CheckOverloads<Sigmoid>("Sigmoid");
    [Fact] public void TanhOverloadsAgree() => CheckOverloads<Tanh>("Tanh");
    [Fact] public void ReLUOverloadsAgree() => CheckOverloads<ReLU>("ReLU");
    [Fact] public void LeakyReLUOverloadsAgree() => CheckOverloads<LeakyReLU>("LeakyReLU");
    [Fact] public void ELUOverloadsAgree() => CheckOverloads<ELU>("ELU");

    [Theory]
    [MemberData(nameof(Widths.OtherVector), MemberType = typeof(Widths))]
    public void ElementwiseVectorPathsAreBitIdenticalTo256(int width)
    {
        foreach (int length in new[] { 1, 3, 4, 5, 8, 12, 15, 16, 17, 31, 33, 100, 1001 })
        {
            float[][] Run(int w)
            {
                using var simd = new WidthScope(w);
                var x = TestData.Random(length, 51, 5f);
                var g = TestData.Random(length, 52);
                var mask = TestData.Random(length, 53);
                var tanh = (float[])x.Clone(); ElementwiseKernels.Apply<Tanh>(tanh, 0f);
                var sigmoid = (float[])x.Clone(); ElementwiseKernels.Apply<Sigmoid>(sigmoid, 0f);
                var elu = (float[])x.Clone(); ElementwiseKernels.Apply<ELU>(elu, 0.7f);
                var dg = (float[])g.Clone(); ElementwiseKernels.MultiplyByDerivative<Tanh>(tanh, dg, 0f);
                var md = new float[length]; ElementwiseKernels.MultiplyByMaskAndDerivative<ELU>(g, mask, elu, md, 0.7f);
                var m = new float[length]; ElementwiseKernels.Multiply(g, mask, m);
                return [tanh, sigmoid, elu, dg, md, m];
            }
            var expected = Run(256);
            var actual = Run(width);
            for (int k = 0; k < expected.Length; k++) TestData.BitIdentical(expected[k], actual[k], $"result {k} at width {width}, length {length}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void OptimizerUpdatesAreBitIdenticalAtEveryWidth(int width)
    {
        Optimizer[] Make() => [new Sgd(0.1f), new Sgd(0.05f, 0.9f, nesterov: true) { WeightDecay = 0.01f }, new AdaGrad(0.1f) { WeightDecay = 0.05f },
            new RmsProp(0.01f) { WeightDecay = 0.1f }, new Adam(0.01f) { WeightDecay = 0.1f }, new AdamW(0.01f, 0.1f)];
        float[] Run(int w, int which)
        {
            using var simd = new WidthScope(w);
            var net = FakeNetwork.Blocks((1000 + 13, true), (7, true));
            var random = new Random(which);
            for (int i = 0; i < net.Parameters.Length; i++) net.Parameters[i] = 2f * random.NextSingle() - 1f;
            var optimizer = Make()[which];
            for (int step = 0; step < 4; step++)
            {
                for (int i = 0; i < net.Gradients.Length; i++) net.Gradients[i] = 2f * random.NextSingle() - 1f;
                optimizer.Step(net);
            }
            return net.Parameters.ToArray();
        }
        for (int which = 0; which < Make().Length; which++)
            TestData.BitIdentical(Run(256, which), Run(width, which), $"{Make()[which].GetType().Name} #{which} at width {width}");
    }
}
