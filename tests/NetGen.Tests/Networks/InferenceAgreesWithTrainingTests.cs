using System;
using NetGen.Data;

namespace NetGen.Tests.Networks;

/// <summary>
/// Inference shares arrays between buffers whose lifetimes do not overlap; training keeps one array per buffer.
/// So for a network without dropout, the loss recomputed from Predict's outputs must equal the loss TrainBatch
/// computes from its own forward pass: any array reused too early would show here.
/// </summary>
public sealed class InferenceAgreesWithTrainingTests
{
    public static TheoryData<string> Networks => new()
    {
        nameof(LeNetish), nameof(ConvBasic), nameof(ConvStride2Pad1), nameof(ConvSameRect), nameof(ConvRectStride2), nameof(ConvMaxPool),
        nameof(ConvMaxPoolOverlap), nameof(ConvMaxPoolGaps), nameof(ConvAvgPoolOverlap), nameof(ConvAvgPoolConv), nameof(ConvWide),
        nameof(SigmoidMse), nameof(SoftmaxMse), nameof(ImageFlatten),
    };

    private static INetwork Create(string name) => name switch
    {
        nameof(LeNetish) => new LeNetish(5), nameof(ConvBasic) => new ConvBasic(5), nameof(ConvStride2Pad1) => new ConvStride2Pad1(5),
        nameof(ConvSameRect) => new ConvSameRect(5), nameof(ConvRectStride2) => new ConvRectStride2(5), nameof(ConvMaxPool) => new ConvMaxPool(5),
        nameof(ConvMaxPoolOverlap) => new ConvMaxPoolOverlap(5), nameof(ConvMaxPoolGaps) => new ConvMaxPoolGaps(5),
        nameof(ConvAvgPoolOverlap) => new ConvAvgPoolOverlap(5), nameof(ConvAvgPoolConv) => new ConvAvgPoolConv(5), nameof(ConvWide) => new ConvWide(5),
        nameof(SigmoidMse) => new SigmoidMse(5), nameof(SoftmaxMse) => new SoftmaxMse(5), nameof(ImageFlatten) => new ImageFlatten(5),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_loss_of_Predicts_outputs_is_the_loss_TrainBatch_computes(string name)
    {
        var net = Create(name);
        const int batch = 7;
        var random = new DeterministicRandom(11);
        var inputs = new float[batch * net.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = random.NextSingle() * 2 - 1;
        var outputs = new float[batch * net.OutputSize];
        net.Predict(inputs, outputs, batch);

        double expected = 0;
        float trained;
        if (net.Loss == Loss.MeanSquaredError)
        {
            var targets = new float[outputs.Length];
            for (int i = 0; i < targets.Length; i++) targets[i] = random.NextSingle();
            for (int i = 0; i < outputs.Length; i++) expected += 0.5 * (outputs[i] - targets[i]) * (double)(outputs[i] - targets[i]);
            trained = net.TrainBatch(inputs, targets, batch);
        }
        else
        {
            var labels = new int[batch];
            int classes = net.OutputSize == 1 ? 2 : net.OutputSize;
            for (int n = 0; n < batch; n++) labels[n] = random.NextInt(classes);
            for (int n = 0; n < batch; n++)
            {
                if (net.Loss == Loss.CrossEntropy) { expected -= Math.Log(outputs[n * net.OutputSize + labels[n]]); continue; }
                // Binary cross-entropy on every output, against the one-hot target (the label itself for one output).
                for (int k = 0; k < net.OutputSize; k++)
                {
                    bool positive = net.OutputSize == 1 ? labels[n] == 1 : labels[n] == k;
                    double p = outputs[n * net.OutputSize + k];
                    expected -= Math.Log(positive ? p : 1 - p);
                }
            }
            trained = net.TrainBatch(inputs, labels, batch);
        }
        expected /= batch;
        Assert.Equal(expected, trained, 2e-5 * Math.Max(1, Math.Abs(expected)));
    }
}
