using System;
using NetGen.Data;

namespace NetGen.Tests.Networks;

/// <summary>242 parameters: 4 shared 3×3 filters see the bar's shape wherever it sits.</summary>
[Network(Loss.CrossEntropy)]
[Input(1, 12, 12)]
[Conv2D(4, 3, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Dense(2, Activation.Softmax)]
public partial class BarConv { }

/// <summary>296 parameters: the MLP of about the same size must learn the bar at every position separately.</summary>
[Network(Loss.CrossEntropy)]
[Input(144)]
[Dense(2, Activation.ReLU)]
[Dense(2, Activation.Softmax)]
public partial class BarMlp { }

/// <summary>
/// A task convolution is made for: is the short bar in a noisy 12×12 image horizontal or vertical? Every bar has
/// the same pixel sum, so no position-wise linear feature separates the classes; shared filters do.
/// </summary>
public class ConvLearningTests(Xunit.Abstractions.ITestOutputHelper output)
{
    const int Side = 12, Length = 3;

    static (float[] Images, int[] Labels) MakeBars(int count, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var images = new float[count * Side * Side];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            var image = images.AsSpan(n * Side * Side, Side * Side);
            for (int i = 0; i < image.Length; i++) image[i] = (float)(random.NextDouble() * 0.6 - 0.3);
            int vertical = random.NextInt(2);
            labels[n] = vertical;
            int rows = vertical == 1 ? Length : 1, cols = vertical == 1 ? 1 : Length;
            int top = random.NextInt(Side - rows + 1), left = random.NextInt(Side - cols + 1);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    image[(top + r) * Side + left + c] += 1f;
        }
        return (images, labels);
    }

    static double TrainAndTest(INetwork net, float[] trainX, int[] trainY, float[] testX, int[] testY, int epochs)
    {
        var adam = new Adam(0.01f);
        const int batch = 32;
        int size = net.InputSize, count = trainY.Length;
        for (int epoch = 0; epoch < epochs; epoch++)
            for (int start = 0; start + batch <= count; start += batch)
            {
                net.TrainBatch(trainX.AsSpan(start * size, batch * size), trainY.AsSpan(start, batch), batch);
                adam.Step(net);
            }
        var outputs = new float[testY.Length * 2];
        net.Predict(testX, outputs, testY.Length);
        int correct = 0;
        for (int n = 0; n < testY.Length; n++)
            if ((outputs[2 * n + 1] > outputs[2 * n] ? 1 : 0) == testY[n]) correct++;
        return (double)correct / testY.Length;
    }

    [Fact]
    public void AConvNetLearnsBarOrientationWhereASimilarSizedMlpCannot()
    {
        var (trainX, trainY) = MakeBars(2048, 1);
        var (testX, testY) = MakeBars(1000, 2);
        var conv = new BarConv(3);
        var mlp = new BarMlp(3);
        Assert.InRange(conv.ParameterCount, 200, 300);
        Assert.InRange(mlp.ParameterCount, 250, 350);

        double convAccuracy = TrainAndTest(conv, trainX, trainY, testX, testY, epochs: 15);
        double mlpAccuracy = TrainAndTest(mlp, trainX, trainY, testX, testY, epochs: 15);
        output.WriteLine($"test accuracy: conv {convAccuracy:P1}, MLP {mlpAccuracy:P1}");
        Assert.True(convAccuracy >= 0.95, $"conv test accuracy {convAccuracy:P1} (MLP {mlpAccuracy:P1})");
        Assert.True(convAccuracy - mlpAccuracy >= 0.15, $"conv {convAccuracy:P1} should clearly beat the MLP's {mlpAccuracy:P1}");
    }
}
