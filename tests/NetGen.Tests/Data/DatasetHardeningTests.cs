using System;
using NetGen.Data;

namespace NetGen.Tests.Data;

/// <summary>Products that could wrap an int, and user values (non-finite, non-positive) that would only fail later.</summary>
public class DatasetHardeningTests
{
    [Fact]
    public void OneHotTooLargeForAnArrayIsAClearError()
    {
        // 5 × 858993460 wraps to 4 in 32 bits: the old code wrote label 858993459 far outside a 4-float array.
        Dataset data = Dataset.FromLabels(new float[5], 1, [0, 1, 2, 3, 858993459], 858993460);
        var e = Assert.Throws<InvalidOperationException>(() => data.ToOneHot());
        Assert.Contains("5 samples × 858993460 classes", e.Message);
        Assert.Contains("4294967300", e.Message);
        Assert.Contains(Array.MaxLength.ToString(), e.Message);
    }

    [Fact]
    public void LabelsOutsideTheClassCountNameIndexAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels(new float[3], 1, [0, 858993459, 1], 10));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("Label 1 is 858993459", e.Message);
        Assert.Contains("[0, 10)", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NonPositiveClassCountIsRejected(int classCount)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromLabels(new float[1], 1, [0], classCount));
        Assert.Equal("classCount", e.ParamName);
    }

    [Fact]
    public void SubsetLargerThanAnArrayIsAClearError()
    {
        // 2049 × 2^20 floats wraps negative in 32 bits (OverflowException before).
        Dataset wide = Dataset.FromLabels(new float[1 << 20], 1 << 20, [0], 1);
        var e = Assert.Throws<ArgumentException>(() => wide.Subset(new int[2049]));
        Assert.Equal("indices", e.ParamName);
        Assert.Contains("2049 samples × 1048576", e.Message);
        Assert.Contains(Array.MaxLength.ToString(), e.Message);

        Dataset wideTargets = Dataset.FromTargets([1f], 1, new float[1 << 20], 1 << 20);
        Assert.Throws<ArgumentException>(() => wideTargets.Subset(new int[2049]));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteFeaturesAndTargetsAreRejectedWhereTheyEnter(float bad)
    {
        var e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels([1, 2, 3, bad], 2, [0, 0], 1));
        Assert.Equal("features", e.ParamName);
        Assert.Contains("sample 1, feature 1", e.Message);
        Assert.Contains("finite", e.Message);
        e = Assert.Throws<ArgumentException>(() => Dataset.FromTargets([1, 2], 1, [0.5f, bad], 1));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("sample 1, target 0", e.Message);
    }

    [Fact]
    public void ScaleToUnitRangeNeedsAFiniteWidth()
    {
        Dataset data = Dataset.FromLabels([0, 1], 1, [0, 0], 1);
        var e = Assert.Throws<ArgumentException>(() => data.ScaleToUnitRange(-3e38f, 3e38f));
        Assert.Contains("max − min", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(0f)]
    public void StandardizerEpsilonMustBePositiveAndFinite(float epsilon)
    {
        Dataset data = Dataset.FromLabels([1, 1], 1, [0, 0], 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Standardizer.Fit(data, epsilon));
    }

    [Fact]
    public void StandardizerStatisticsMustBeFiniteAndNonEmpty()
    {
        var e = Assert.Throws<ArgumentException>(() => Standardizer.FromStatistics([], []));
        Assert.Contains("at least one feature", e.Message);
        e = Assert.Throws<ArgumentException>(() => Standardizer.FromStatistics([0f, float.NaN], [1f, 1f]));
        Assert.Equal("mean", e.ParamName);
        Assert.Contains("mean 1 is NaN", e.Message);
    }

    [Fact]
    public void BatchesPerEpochDoesNotWrapForHugeBatchSizes()
    {
        Dataset data = DatasetTests.Make(10);
        Assert.Equal(1, new BatchIterator(data, int.MaxValue, shuffle: false, seed: 0).BatchesPerEpoch);
        Assert.Equal(1, new BatchIterator(data, int.MaxValue - 5, shuffle: true, seed: 0).BatchesPerEpoch);
        Assert.Equal(0, new BatchIterator(data, int.MaxValue, shuffle: false, seed: 0, dropLast: true).BatchesPerEpoch);
        Assert.Equal(4, new BatchIterator(data, 3, shuffle: false, seed: 0).BatchesPerEpoch);
    }
}
