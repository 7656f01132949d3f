namespace NetGen.Tests;

public class SmokeTests
{
    [Fact]
    public void AttributesCarryTheirArguments()
    {
        var dense = new DenseAttribute(128, Activation.ReLU) { Alpha = 0.1 };
        Assert.Equal(128, dense.Units);
        Assert.Equal(Activation.ReLU, dense.Activation);
        Assert.True(dense.Trainable);
    }
}
