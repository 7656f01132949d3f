using System;
using System.Linq;
using NetGen.Data;

namespace NetGen.Tests.Sequences;

/// <summary>Quick wiring checks of declared recurrent networks: float central differences on a few parameters.</summary>
public class SequenceSmokeTests
{
    static double LossAt(INetwork net, float[] inputs, float[] targets, int batch)
    {
        float loss = net.TrainBatch(inputs, targets, batch);
        return loss;
    }

    static void CheckSomeGradients(INetwork net, float[] inputs, float[] targets, int batch, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var p = net.Parameters;
        for (int i = 0; i < p.Length; i++) p[i] = (float)(random.NextDouble() * 0.8 - 0.4);
        net.TrainBatch(inputs, targets, batch);
        var g = net.Gradients.ToArray();
        int checkedCount = 0;
        for (int k = 0; k < net.ParameterCount; k += Math.Max(1, net.ParameterCount / 40))
        {
            float saved = net.Parameters[k];
            const float h = 1e-2f;
            net.Parameters[k] = saved + h; double up = LossAt(net, inputs, targets, batch);
            net.Parameters[k] = saved - h; double down = LossAt(net, inputs, targets, batch);
            net.Parameters[k] = saved;
            double numeric = (up - down) / (2 * h);
            Assert.True(Math.Abs(numeric - g[k]) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"parameter {k}: analytic {g[k]}, numeric {numeric}");
            checkedCount++;
        }
        Assert.True(checkedCount > 10);
    }

    [Fact]
    public void Next_token_gradients()
    {
        var net = new TinyNextToken(1);
        int batch = 3;
        var random = new DeterministicRandom(5);
        var tokens = Enumerable.Range(0, batch * 7).Select(_ => (float)random.NextInt(11)).ToArray();
        var targets = new float[batch * net.OutputSize];
        for (int r = 0; r < batch * 7; r++) targets[r * 11 + random.NextInt(11)] = 1;
        CheckSomeGradients(net, tokens, targets, batch, 9);
    }

    [Fact]
    public void Simple_rnn_gradients()
    {
        var net = new TinySimpleRnn(1);
        int batch = 4;
        var random = new DeterministicRandom(6);
        var x = Enumerable.Range(0, batch * net.InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var t = Enumerable.Range(0, batch * net.OutputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        CheckSomeGradients(net, x, t, batch, 10);
    }

    [Fact]
    public void Two_layer_lstm_gradients()
    {
        var net = new TwoLayerLstm(1);
        int batch = 2;
        var random = new DeterministicRandom(7);
        var x = Enumerable.Range(0, batch * net.InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var t = new float[batch * 3];
        for (int r = 0; r < batch; r++) t[r * 3 + random.NextInt(3)] = 1;
        CheckSomeGradients(net, x, t, batch, 11);
    }

    [Fact]
    public void Mixed_sequence_gradients()
    {
        var net = new MixedSequence(1);
        int batch = 3;
        var random = new DeterministicRandom(8);
        var x = Enumerable.Range(0, batch * net.InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var t = Enumerable.Range(0, batch * net.OutputSize).Select(_ => (float)random.NextDouble()).ToArray();
        CheckSomeGradients(net, x, t, batch, 12);
    }
}
