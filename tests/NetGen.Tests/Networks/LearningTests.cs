using System;

namespace NetGen.Tests.Networks;

[Network(Loss.MeanSquaredError)]
[Input(2)]
[Dense(2, Activation.Sigmoid)]
[Dense(1, Activation.Sigmoid)]
public partial class Xor221 { }

[Network(Loss.MeanSquaredError)]
[Input(1)]
[Dense(3, Activation.Tanh)]
[Dense(1)]
public partial class Sinus131 { }

/// <summary>The course's two classic examples, trained with the public API exactly as a user would.</summary>
public class LearningTests
{
    static readonly float[] XorInputs = [0, 0, 0, 1, 1, 0, 1, 1];
    static readonly float[] XorTargets = [0, 1, 1, 0];

    [Fact]
    public void XorConvergesUnderPlainSgd()
    {
        var net = new Xor221(seed: 1);
        var sgd = new Sgd(learningRate: 2f);
        float loss = float.NaN;
        for (int epoch = 0; epoch < 5000; epoch++)
        {
            loss = net.TrainBatch(XorInputs, XorTargets, 4);
            sgd.Step(net);
        }
        Assert.True(loss < 0.01f, $"loss after 5000 epochs: {loss}");
        var output = new float[1];
        for (int i = 0; i < 4; i++)
        {
            net.Forward(XorInputs.AsSpan(i * 2, 2), output);
            Assert.True(Math.Abs(output[0] - XorTargets[i]) < 0.2f, $"{XorInputs[i * 2]} xor {XorInputs[i * 2 + 1]} gave {output[0]}");
        }
    }

    [Fact]
    public void XorAlsoConvergesOnlineOneSampleAtATime()
    {
        var net = new Xor221(seed: 2);
        var sgd = new Sgd(learningRate: 0.5f, momentum: 0.9f);
        for (int epoch = 0; epoch < 3000; epoch++)
            for (int i = 0; i < 4; i++)
            {
                net.TrainBatch(XorInputs.AsSpan(i * 2, 2), XorTargets.AsSpan(i, 1), 1);
                sgd.Step(net);
            }
        var outputs = new float[4];
        net.Predict(XorInputs, outputs, 4);
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(outputs[i] - XorTargets[i]) < 0.2f, $"sample {i}: {outputs[i]}");
    }

    [Fact]
    public void SinusIsApproximatedByAOneThreeOneTanhNetwork()
    {
        // 1-3-1 tanh/linear on [−π, π], full batch, Adam: the course's function-approximation example.
        const int points = 64;
        var x = new float[points];
        var t = new float[points];
        for (int i = 0; i < points; i++) { x[i] = -MathF.PI + 2 * MathF.PI * i / (points - 1); t[i] = MathF.Sin(x[i]); }
        var net = new Sinus131(seed: 3);
        var adam = new Adam(0.01f);
        for (int epoch = 0; epoch < 3000; epoch++)
        {
            net.TrainBatch(x, t, points);
            adam.Step(net);
        }

        // Mean squared error on a finer grid than the training points.
        const int grid = 201;
        var gx = new float[grid];
        var gy = new float[grid];
        for (int i = 0; i < grid; i++) gx[i] = -MathF.PI + 2 * MathF.PI * i / (grid - 1);
        net.Predict(gx, gy, grid);
        double mse = 0;
        for (int i = 0; i < grid; i++) mse += Math.Pow(gy[i] - Math.Sin(gx[i]), 2) / grid;
        Assert.True(mse < 0.01, $"grid MSE {mse}");
    }

    [Fact]
    public void TheSameSeedGivesTheSameParametersBitForBit()
    {
        static float[] Train(int seed)
        {
            var net = new DropoutCrossEntropy(seed);
            var adam = new Adam(0.01f) { WeightDecay = 1e-4f };
            var random = new NetGen.Data.DeterministicRandom(1234);
            var inputs = new float[64 * 20];
            var labels = new int[64];
            for (int i = 0; i < inputs.Length; i++) inputs[i] = random.NextSingle();
            for (int i = 0; i < labels.Length; i++) labels[i] = random.NextInt(4);
            for (int step = 0; step < 50; step++)
            {
                net.TrainBatch(inputs, labels, 64);
                adam.Step(net);
            }
            return net.Parameters.ToArray();
        }
        var first = Train(7);
        Assert.Equal(first, Train(7));
        Assert.NotEqual(first, Train(8));
    }
}
