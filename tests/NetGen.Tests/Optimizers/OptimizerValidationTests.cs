using System;

namespace NetGen.Tests.Optimizers;

/// <summary>
/// Hyperparameters are checked where they are set, constructor or property: a NaN learning rate or a β of 1 is an
/// ArgumentOutOfRangeException naming the parameter, the expected range and the value, never a silently broken run.
/// </summary>
public class OptimizerValidationTests
{
    public static TheoryData<float> BadRates() => new() { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -1e-3f };

    [Theory]
    [MemberData(nameof(BadRates))]
    public void EveryConstructorRefusesABadLearningRate(float rate)
    {
        foreach (Func<Optimizer> create in new Func<Optimizer>[]
                 { () => new Sgd(rate), () => new Sgd(rate, 0.9f), () => new Adam(rate), () => new AdamW(rate), () => new RmsProp(rate), () => new AdaGrad(rate) })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(create);
            Assert.Equal("learningRate", error.ParamName);
            Assert.Equal(rate, error.ActualValue);
            Assert.Contains("expected a finite value ≥ 0", error.Message);
        }
    }

    [Theory]
    [MemberData(nameof(BadRates))]
    public void TheLearningRateAndWeightDecaySettersRefuseBadValuesAndKeepTheOldOne(float value)
    {
        var sgd = new Sgd(0.1f) { WeightDecay = 0.01f };
        var rate = Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = value);
        Assert.Equal("LearningRate", rate.ParamName);
        Assert.Contains($"LearningRate is {Text(value)}; expected a finite value ≥ 0", rate.Message);
        var decay = Assert.Throws<ArgumentOutOfRangeException>(() => sgd.WeightDecay = value);
        Assert.Equal("WeightDecay", decay.ParamName);
        Assert.Equal((0.1f, 0.01f), (sgd.LearningRate, sgd.WeightDecay));
    }

    [Fact]
    public void ZeroIsAValidLearningRate() => Assert.Equal(0f, new Adam(0f) { LearningRate = 0f }.LearningRate); // warm-up schedules start there

    [Theory]
    [InlineData(1f)]
    [InlineData(1.5f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void AdamRefusesBetasOutsideZeroToOne(float beta)
    {
        var adam = new Adam(1e-3f);
        var first = Assert.Throws<ArgumentOutOfRangeException>(() => adam.Beta1 = beta);
        Assert.Equal("Beta1", first.ParamName);
        Assert.Contains($"Beta1 is {Text(beta)}; expected 0 ≤ Beta1 < 1", first.Message);
        var second = Assert.Throws<ArgumentOutOfRangeException>(() => adam.Beta2 = beta);
        Assert.Equal("Beta2", second.ParamName);
        Assert.Contains("expected 0 ≤ Beta2 < 1", second.Message);
        Assert.Equal((0.9f, 0.999f), (adam.Beta1, adam.Beta2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(1e-3f) { Beta1 = beta });
    }

    [Fact]
    public void BetasOnTheClosedEndAreAccepted()
    {
        var adam = new Adam(1e-3f) { Beta1 = 0f, Beta2 = 0.99999f };
        Assert.Equal((0f, 0.99999f), (adam.Beta1, adam.Beta2));
    }

    [Theory]
    [InlineData(-1e-8f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void EveryEpsilonRefusesNegativeOrNonFiniteValues(float epsilon)
    {
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(1e-3f).Epsilon = epsilon).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(1e-3f).Epsilon = epsilon).ParamName);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AdaGrad(1e-3f).Epsilon = epsilon);
        Assert.Contains($"Epsilon is {Text(epsilon)}; expected a finite value ≥ 0", error.Message);
        Assert.Equal(0f, new Adam(1e-3f) { Epsilon = 0f }.Epsilon);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1.01f)]
    [InlineData(float.NaN)]
    public void RmsPropRefusesAnAlphaOutsideZeroToOne(float alpha)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(1e-3f).Alpha = alpha);
        Assert.Equal("Alpha", error.ParamName);
        Assert.Contains("expected 0 ≤ Alpha ≤ 1", error.Message);
    }

    [Theory]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void SgdRefusesABadMomentum(float momentum)
    {
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum)).ParamName);
        Assert.Equal("Momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f).Momentum = momentum).ParamName);
    }

    static string Text(float value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
