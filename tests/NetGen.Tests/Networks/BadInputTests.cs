using System;

namespace NetGen.Tests.Networks;

/// <summary>Every entry point rejects bad input with an ArgumentException that says what it expected and what came.</summary>
public class BadInputTests
{
    readonly TanhCrossEntropy _net = new(1);  // 6 inputs, 4 classes

    [Fact]
    public void WrongInputLengthNamesBothLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => _net.TrainBatch(new float[10], new int[2], 2));
        Assert.Contains("12", e.Message);
        Assert.Contains("10", e.Message);
        Assert.Equal("inputs", e.ParamName);
    }

    [Fact]
    public void WrongTargetLengthIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => _net.TrainBatch(new float[12], new float[7], 2));
        Assert.Contains("8", e.Message);
        Assert.Contains("7", e.Message);
    }

    [Fact]
    public void WrongLabelCountIsRejected() =>
        Assert.Contains("3", Assert.Throws<ArgumentException>(() => _net.TrainBatch(new float[12], new int[3], 2)).Message);

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NonPositiveBatchSizeIsRejected(int batch)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _net.TrainBatch(ReadOnlySpan<float>.Empty, ReadOnlySpan<int>.Empty, batch));
        Assert.Contains(batch.ToString(), e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => _net.Predict(ReadOnlySpan<float>.Empty, Span<float>.Empty, batch));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void LabelOutOfRangeNamesTheLabelAndTheRange(int label)
    {
        var e = Assert.Throws<ArgumentException>(() => _net.TrainBatch(new float[12], new[] { 0, label }, 2));
        Assert.Contains($"labels[1] is {label}", e.Message);
        Assert.Contains("[0, 3]", e.Message);
    }

    [Fact]
    public void NaNInTheInputNamesSampleAndElement()
    {
        var inputs = new float[12];
        inputs[8] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => _net.TrainBatch(inputs, new[] { 0, 1 }, 2));
        Assert.Contains("sample 1, element 2", e.Message);
        Assert.Throws<ArgumentException>(() => _net.Forward(inputs.AsSpan(6, 6), new float[4]));
        Assert.Throws<ArgumentException>(() => _net.Predict(inputs, new float[8], 2));
    }

    [Fact]
    public void ForwardChecksBothSpans()
    {
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => _net.Forward(new float[5], new float[4])).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => _net.Forward(new float[6], new float[3])).ParamName);
    }

    [Fact]
    public void BadInputLeavesTheNetworkUntouched()
    {
        var before = _net.Parameters.ToArray();
        var gradients = _net.Gradients.ToArray();
        Assert.ThrowsAny<ArgumentException>(() => _net.TrainBatch(new float[12], new[] { 0, 9 }, 2));
        Assert.Equal(before, _net.Parameters.ToArray());
        Assert.Equal(gradients, _net.Gradients.ToArray());
    }

    [Fact]
    public void PredictMatchesForwardAcrossChunks()
    {
        // 600 samples cross Predict's 256-sample chunks; each row must equal the single-sample Forward.
        var random = new NetGen.Data.DeterministicRandom(3);
        var inputs = new float[600 * 6];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = random.NextSingle();
        var outputs = new float[600 * 4];
        _net.Predict(inputs, outputs, 600);
        var one = new float[4];
        foreach (int n in new[] { 0, 255, 256, 511, 599 })
        {
            _net.Forward(inputs.AsSpan(n * 6, 6), one);
            Assert.Equal(one, outputs.AsSpan(n * 4, 4).ToArray());
        }
    }

    [Fact]
    public void TrainingDoesNotAllocateAfterWarmUp()
    {
        var net = new WideCrossEntropy(2);
        var inputs = new float[32 * 40];
        var labels = new int[32];
        var adam = new Adam(0.001f);
        for (int i = 0; i < 3; i++) { net.TrainBatch(inputs, labels, 32); adam.Step(net); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) { net.TrainBatch(inputs, labels, 32); adam.Step(net); }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
