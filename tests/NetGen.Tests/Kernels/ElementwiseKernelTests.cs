using System;
using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

[Collection(KernelCollection.Name)]
public class ElementwiseKernelTests
{
    static readonly int[] Lengths = [0, 1, 7, 8, 9, 15, 16, 17, 33, 100, 1000];

    [Theory]
    [InlineData(0f)] [InlineData(0.1f)] [InlineData(0.5f)] [InlineData(0.9f)] [InlineData(1f / 3)]
    public void DropoutMaskIsTheScalarHashOfEachIndex(float rate)
    {
        foreach (int length in Lengths)
        {
            var input = TestData.Random(length, 9);
            var output = new float[length];
            var mask = new float[length];
            DropoutKernels.Forward(input, output, mask, rate, 1234, 56);
            float scale = 1f / (1f - rate);
            ulong key = SplitMix.Mix(1234 ^ SplitMix.Mix(56 + 0x632BE59BD9B4E019UL));
            int dropped = 0;
            for (int i = 0; i < length; i++)
            {
                float m = SplitMix.UnitFloat(SplitMix.Mix(key + (ulong)i)) < rate ? 0f : scale;
                Assert.Equal(m, mask[i]);
                Assert.Equal(input[i] * m, output[i]);
                if (m == 0f) dropped++;
            }
            if (length == 1000) Assert.InRange(dropped, rate * 1000 - 60, rate * 1000 + 60);
        }
    }

    static void CheckActivation<TAct>(Act act) where TAct : struct, IActivation
    {
        foreach (int width in Widths.All)
        {
            using var simd = new WidthScope(width);
            CheckActivationAtWidth<TAct>(act);
        }
    }

    static void CheckActivationAtWidth<TAct>(Act act) where TAct : struct, IActivation
    {
        const float Alpha = 0.2f;
        foreach (int length in Lengths)
        {
            var pre = TestData.Random(length, 3, 4f);
            var values = (float[])pre.Clone();
            ElementwiseKernels.Apply<TAct>(values, Alpha);
            for (int i = 0; i < length; i++)
                Assert.True(Math.Abs(values[i] - ActRef.Apply(act, pre[i], Alpha)) <= 2e-7 * (1 + Math.Abs(values[i])), $"{act} Apply at {i} of {length}");

            var grad = TestData.Random(length, 4);
            var g = (float[])grad.Clone();
            ElementwiseKernels.MultiplyByDerivative<TAct>(values, g, Alpha);
            for (int i = 0; i < length; i++)
                Assert.True(Math.Abs(g[i] - grad[i] * ActRef.Derivative(act, values[i], Alpha)) <= 2e-7 * Math.Abs(grad[i]) * 2, $"{act} derivative at {i} of {length}");

            var mask = TestData.Random(length, 5);
            var d = new float[length];
            ElementwiseKernels.MultiplyByMaskAndDerivative<TAct>(grad, mask, values, d, Alpha);
            for (int i = 0; i < length; i++)
            {
                double e = (double)grad[i] * mask[i] * ActRef.Derivative(act, values[i], Alpha);
                Assert.True(Math.Abs(d[i] - e) <= 4e-7 * Math.Abs((double)grad[i] * mask[i]), $"{act} mask·derivative at {i} of {length}");
            }
            ElementwiseKernels.Multiply(grad, mask, d);
            for (int i = 0; i < length; i++) Assert.Equal(grad[i] * mask[i], d[i]);
        }
    }

    [Fact] public void IdentityKernels() => CheckActivation<Identity>(Act.Identity);
    [Fact] public void SigmoidKernels() => CheckActivation<Sigmoid>(Act.Sigmoid);
    [Fact] public void TanhKernels() => CheckActivation<Tanh>(Act.Tanh);
    [Fact] public void ReLUKernels() => CheckActivation<ReLU>(Act.ReLU);
    [Fact] public void LeakyReLUKernels() => CheckActivation<LeakyReLU>(Act.LeakyReLU);
    [Fact] public void ELUKernels() => CheckActivation<ELU>(Act.ELU);

    [Theory]
    [InlineData(1, 10)] [InlineData(64, 10)] [InlineData(5, 1000)] [InlineData(3, 2)]
    public void SoftmaxCrossEntropyWithLabelsMatchesDoubleReference(int batch, int classes)
    {
        var logits = TestData.Random(batch * classes, 11, 30f);
        logits[0] = 200f; // a huge logit must not overflow
        var labels = new int[batch];
        for (int n = 0; n < batch; n++) labels[n] = (n * 7 + 3) % classes;
        var z = (float[])logits.Clone();
        var grad = new float[batch * classes];
        float loss = LossKernels.SoftmaxCrossEntropy(z, labels, grad, batch, classes);
        double total = 0;
        for (int n = 0; n < batch; n++)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < classes; k++) max = Math.Max(max, logits[n * classes + k]);
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += Math.Exp(logits[n * classes + k] - max);
            total += max + Math.Log(sum) - logits[n * classes + labels[n]];
            for (int k = 0; k < classes; k++)
            {
                double p = Math.Exp(logits[n * classes + k] - max) / sum;
                Assert.True(Math.Abs(z[n * classes + k] - p) <= 1e-6 * p + 1e-12, $"p[{n},{k}]");
                double g = (p - (k == labels[n] ? 1 : 0)) / batch;
                Assert.True(Math.Abs(grad[n * classes + k] - g) <= 1e-6 * Math.Abs(g) + 1e-7 / batch, $"grad[{n},{k}]");
            }
        }
        Assert.True(Math.Abs(loss - total / batch) <= 1e-5 * (1 + total / batch), $"loss {loss} vs {total / batch}");
    }
}
