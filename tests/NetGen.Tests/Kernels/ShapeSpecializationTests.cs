using System;
using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The size-specialized Dense kernels (the generated code passes the layer's extents as a struct type argument) compute
/// exactly what the run-time-extents kernels compute: the same operations in the same order, with constants for sizes.
/// Checked bit for bit at every vector width, on one thread and split across threads, for shapes with and without
/// tails (inputs not a multiple of 8, outputs not a multiple of the tile).
/// </summary>
[Collection(KernelCollection.Name)]
public class ShapeSpecializationTests
{
    struct In784Out128 : IDenseExtents { public static int In => 784; public static int Out => 128; }
    struct In128Out10 : IDenseExtents { public static int In => 128; public static int Out => 10; }
    struct In301Out7 : IDenseExtents { public static int In => 301; public static int Out => 7; }
    struct In13Out129 : IDenseExtents { public static int In => 13; public static int Out => 129; }

    public static TheoryData<int, bool, int> Cases()
    {
        var data = new TheoryData<int, bool, int>();
        foreach (int width in new[] { 512, 256, 128, 0 })
            foreach (bool parallel in new[] { false, true })
                foreach (int batch in new[] { 1, 5, 64 })
                    data.Add(width, parallel, batch);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Specialized_kernels_give_the_bits_of_the_runtime_ones(int width, bool parallel, int batch)
    {
        using var simd = new WidthScope(width);
        using var threads = new ParallelScope(parallel);
        Check<In784Out128>(batch);
        Check<In128Out10>(batch);
        Check<In301Out7>(batch);
        Check<In13Out129>(batch);
    }

    static void Check<TExt>(int batch) where TExt : struct, IDenseExtents
    {
        int inSize = TExt.In, outSize = TExt.Out;
        string shape = $"{inSize}→{outSize}, batch {batch}";
        var x = TestData.Random(batch * inSize, 21);
        var w = TestData.Random(outSize * inSize, 22, 0.1f);
        var b = TestData.Random(outSize, 23);
        var dz = TestData.Random(batch * outSize, 24);
        var below = TestData.Random(batch * inSize, 25);

        var expected = new float[batch * outSize];
        var actual = new float[batch * outSize];
        DenseKernels.Forward<LeakyReLU>(x, w, b, expected, batch, inSize, outSize, 0.1f);
        DenseKernels.Forward<LeakyReLU, TExt>(x, w, b, actual, batch, 0.1f);
        TestData.BitIdentical(expected, actual, "forward " + shape);

        DenseKernels.Forward<Tanh>(x, w, default, expected, batch, inSize, outSize, 0f);
        DenseKernels.Forward<Tanh, TExt>(x, w, default, actual, batch, 0f);
        TestData.BitIdentical(expected, actual, "forward, tanh, no bias " + shape);

        var dxExpected = new float[batch * inSize];
        var dxActual = new float[batch * inSize];
        DenseKernels.BackwardInput<ReLU>(dz, w, below, dxExpected, batch, inSize, outSize, 0f);
        DenseKernels.BackwardInput<ReLU, TExt>(dz, w, below, dxActual, batch, 0f);
        TestData.BitIdentical(dxExpected, dxActual, "dX " + shape);

        var dwExpected = new float[outSize * inSize + outSize];
        var dwActual = new float[outSize * inSize + outSize];
        DenseKernels.BackwardWeights(dz, x, dwExpected.AsSpan(0, outSize * inSize), dwExpected.AsSpan(outSize * inSize), batch, inSize, outSize);
        DenseKernels.BackwardWeights<TExt>(dz, x, dwActual.AsSpan(0, outSize * inSize), dwActual.AsSpan(outSize * inSize), batch);
        TestData.BitIdentical(dwExpected, dwActual, "dW, db " + shape);
    }

    [Fact]
    public void Specialized_kernels_check_their_spans_like_the_runtime_ones()
    {
        var x = new float[2 * 128];
        var w = new float[10 * 128 - 1]; // one weight short
        var y = new float[2 * 10];
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseKernels.Forward<Identity, In128Out10>(x, w, default, y, 2, 0f));
    }
}
