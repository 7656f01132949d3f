using System;
using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

/// <summary>The fused losses' gradients with targets that are not one-hot, worked by hand.</summary>
public class LossKernelTests
{
    /// <summary>
    /// Issue 11's example: logits 0 (p = ⅓ each) and targets [1, 1, 0]. −Σt·ln p has gradient p·Σt − t = [−⅓, −⅓, ⅔]
    /// (what PyTorch's F.cross_entropy gives); the naive p − t would give [−⅔, −⅔, ⅓].
    /// </summary>
    [Fact]
    public void CrossEntropyGradientScalesTheProbabilitiesByTheTargetSum()
    {
        float[] z = [0f, 0f, 0f];
        float[] grad = new float[3];
        float loss = LossKernels.SoftmaxCrossEntropy(z, [1f, 1f, 0f], grad, 1, 3);
        Assert.Equal(2 * Math.Log(3), loss, 1e-6);
        Assert.Equal(-1f / 3, grad[0], 1e-6f);
        Assert.Equal(-1f / 3, grad[1], 1e-6f);
        Assert.Equal(2f / 3, grad[2], 1e-6f);
    }

    [Fact]
    public void CrossEntropyWithAllZeroTargetsHasNoLossAndNoGradient()
    {
        float[] z = [3f, -1f, 0.5f, 2f];
        float[] grad = [9f, 9f, 9f, 9f];
        float loss = LossKernels.SoftmaxCrossEntropy(z, new float[4], grad, 1, 4);
        Assert.Equal(0f, loss);
        Assert.All(grad, g => Assert.Equal(0f, g));
    }

    /// <summary>Σt is per row: a one-hot row next to a [1, 1, 0] row gets p − t, over the batch of 2.</summary>
    [Fact]
    public void TheTargetSumIsTakenPerRow()
    {
        float[] z = [0f, 0f, 0f, 0f, 0f, 0f];
        float[] grad = new float[6];
        LossKernels.SoftmaxCrossEntropy(z, [1f, 1f, 0f, 0f, 1f, 0f], grad, 2, 3);
        float[] expected = [-1f / 6, -1f / 6, 2f / 6, 1f / 6, -2f / 6, 1f / 6];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], grad[i], 1e-6f);
    }

    /// <summary>Binary cross-entropy from logits is right for soft targets: d/dz of −[t ln σ + (1 − t) ln(1 − σ)] = σ − t.</summary>
    [Theory]
    [InlineData(0.0f, 0.3f)]
    [InlineData(2.0f, 0.75f)]
    [InlineData(-40f, 0.5f)]
    public void BinaryCrossEntropyWithSoftTargetsMatchesItsDefinition(float logit, float target)
    {
        float[] z = [logit];
        float[] grad = new float[1];
        float loss = LossKernels.SigmoidBinaryCrossEntropy(z, [target], grad, 1, 1);
        double sigma = 1 / (1 + Math.Exp(-(double)logit));
        // ln σ(z) = −ln(1 + e^{−z}) and ln(1 − σ(z)) = −z − ln(1 + e^{−z}), written so that z = −40 stays finite.
        double softplus = Math.Log(1 + Math.Exp(-(double)logit));
        double expected = target * softplus + (1 - target) * (logit + softplus);
        Assert.Equal(expected, loss, 1e-5 * Math.Max(1, expected));
        Assert.Equal(sigma - target, grad[0], 1e-6);
    }
}
