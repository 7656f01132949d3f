using System;
using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

/// <summary>
/// Guard.Finite runs at vector speed on every input; at every width it must still find a NaN or an infinity wherever it
/// sits (in a whole vector, in a narrower one, in the scalar tail) and name its index, and must pass every finite value.
/// </summary>
[Collection(KernelCollection.Name)]
public class FiniteGuardTests
{
    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void Every_non_finite_value_is_found_at_its_index(int width)
    {
        using var simd = new WidthScope(width);
        foreach (int length in new[] { 1, 7, 16, 67, 100 })
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                for (int at = 0; at < length; at++)
                {
                    var values = TestData.Random(length, (ulong)(length + at));
                    values[at] = bad;
                    var e = Assert.Throws<ArgumentException>(() => Guard.Finite(values, 10, "inputs"));
                    Assert.Contains($"at index {at} (sample {at / 10}, element {at % 10})", e.Message);
                }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void Finite_extremes_pass(int width)
    {
        using var simd = new WidthScope(width);
        float[] values = [float.MaxValue, float.MinValue, -0f, 0f, float.Epsilon, -float.Epsilon, 1e-40f, 3.4e38f, -1f, 1f];
        for (int length = 0; length <= 100; length++)
        {
            var span = new float[length];
            for (int i = 0; i < length; i++) span[i] = values[i % values.Length];
            Guard.Finite(span, 1, "inputs"); // no throw
        }
    }
}
