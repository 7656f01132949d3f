using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using NetGen.Data;
using NetGen.Tests.Parity;

namespace NetGen.Tests.Sequences;

/// <summary>
/// Declared sequence networks against PyTorch on identical weights, copied flat into <c>nn.Embedding</c>,
/// <c>nn.RNN</c> / <c>nn.LSTM(batch_first=True)</c> and <c>nn.Linear</c> by NetGen's layout (torch_sequence.py, float64):
/// inference outputs, loss, every gradient, then two optimizer steps each of Adam and of SGD with momentum (the loss
/// after the first, every parameter after the second). This checks what the double reference cannot: that the layouts
/// and the gate order really are PyTorch's, so weights move between the two by copying.
/// </summary>
public class SequenceParityTests
{
    const float AdamRate = 0.01f, SgdRate = 0.1f, SgdMomentum = 0.9f;

    [TorchFact] public void Next_token_lstm_with_per_step_labels_matches_pytorch() => Check(nameof(TinyNextToken), 3);
    [TorchFact] public void Token_simple_rnn_into_last_step_lstm_matches_pytorch() => Check(nameof(TokenStack), 4);
    [TorchFact] public void Simple_rnn_last_step_regression_matches_pytorch() => Check(nameof(TinySimpleRnn), 1);
    [TorchFact] public void Two_stacked_lstms_match_pytorch() => Check(nameof(TwoLayerLstm), 3);
    [TorchFact] public void Relu_rnn_time_distributed_dense_and_a_second_rnn_match_pytorch() => Check(nameof(RnnStackMse), 3);
    [TorchFact] public void Time_distributed_dense_around_lstm_and_relu_rnn_matches_pytorch() => Check(nameof(MixedSequence), 2);
    [TorchFact] public void Per_step_binary_cross_entropy_matches_pytorch() => Check(nameof(PerStepBce), 3);
    [TorchFact] public void Per_step_softmax_under_mse_matches_pytorch() => Check(nameof(PerStepSoftmaxMse), 2);

    static object Describe(RefLayer layer) => layer switch
    {
        RefEmbedding e => new { kind = "Embedding", vocabulary = e.Vocabulary, dimension = e.Dimension },
        RefSimpleRnn r => new { kind = "RNN", units = r.Units, activation = r.Activation.ToString(), sequences = r.Sequences },
        RefLstm r => new { kind = "LSTM", units = r.Units, sequences = r.Sequences },
        RefDense d => new { kind = "Dense", units = d.Units, activation = d.Activation.ToString(), alpha = d.Alpha, bias = d.Bias },
        _ => throw new NotSupportedException(layer.ToString()),
    };

    static void Check(string name, int batch)
    {
        var (create, reference) = SequenceGradientTests.Networks[name];
        var net = create();
        var random = new DeterministicRandom((ulong)net.ParameterCount * 7 + (ulong)batch);
        SequenceData.Randomize(net.Parameters, ref random, 0.5);
        var data = SequenceData.MakeBatch(net, reference, batch, ref random);
        var initial = net.Parameters.ToArray();

        // NetGen: outputs, loss and gradients at the initial weights, then each optimizer's two steps from them.
        var outputs = new float[batch * net.OutputSize];
        net.Predict(data.Inputs, outputs, batch);
        float loss = Train(net, data, batch);
        var gradients = net.Gradients.ToArray();
        var optimizers = new (Optimizer Optimizer, object Spec)[]
        {
            (new Adam(AdamRate), new { kind = "Adam", lr = AdamRate }),
            (new Sgd(SgdRate, SgdMomentum), new { kind = "Sgd", lr = SgdRate, momentum = SgdMomentum }),
        };
        var stepped = new List<(float SecondLoss, float[] Parameters)>();
        foreach (var (optimizer, _) in optimizers)
        {
            initial.CopyTo(net.Parameters);
            Train(net, data, batch);
            optimizer.Step(net);
            float second = Train(net, data, batch);
            optimizer.Step(net);
            stepped.Add((second, net.Parameters.ToArray()));
        }

        string folder = Directory.CreateTempSubdirectory("netgen-sequence-parity-").FullName;
        try
        {
            var spec = new Dictionary<string, object>
            {
                ["batch"] = batch, ["steps"] = reference.Steps, ["features"] = reference.Features, ["loss"] = net.Loss.ToString(),
                ["layers"] = reference.Layers.Select(Describe).ToArray(), ["optimizers"] = optimizers.Select(o => o.Spec).ToArray(),
            };
            File.WriteAllText(Path.Combine(folder, "spec.json"), System.Text.Json.JsonSerializer.Serialize(spec));
            Write(folder, "parameters.f32", initial);
            Write(folder, "inputs.f32", data.Inputs);
            Write(folder, "targets.f32", data.Targets);
            RunTorch(folder);
            var torch = MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(Path.Combine(folder, "result.f64"))).ToArray();
            int p = net.ParameterCount, o = outputs.Length;
            Assert.Equal(o + 1 + p + optimizers.Length * (1 + p), torch.Length);

            Close("output", torch.AsSpan(0, o), outputs, 2e-5);
            Assert.Equal(torch[o], loss, 2e-5 * Math.Max(1, Math.Abs(torch[o])));
            Close("gradient", torch.AsSpan(o + 1, p), gradients, 2e-4);
            for (int k = 0; k < optimizers.Length; k++)
            {
                int at = o + 1 + p + k * (1 + p);
                string kind = optimizers[k].Optimizer.Kind;
                Assert.True(Math.Abs(torch[at] - stepped[k].SecondLoss) <= 5e-5 * Math.Max(1, Math.Abs(torch[at])),
                    $"{kind}: loss after one step: PyTorch {torch[at]:R}, NetGen {stepped[k].SecondLoss:R}");
                // Parameters after two steps: each moved by about a learning rate (Adam) or a learning rate times a gradient
                // (SGD), so the error is judged against the rate.
                var expected = torch.AsSpan(at + 1, p);
                double allowed = 1e-6 + 2e-3 * optimizers[k].Optimizer.LearningRate;
                for (int i = 0; i < p; i++)
                    Assert.True(Math.Abs(expected[i] - stepped[k].Parameters[i]) <= allowed,
                        $"{kind}: parameter {i} after two steps: PyTorch {expected[i]:E8}, NetGen {stepped[k].Parameters[i]:E8} (started at {initial[i]:E8})");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static float Train(INetwork net, SequenceData.Batch data, int batch) =>
        data.Labels is null ? net.TrainBatch(data.Inputs, data.Targets, batch) : net.TrainBatch(data.Inputs, data.Labels, batch);

    static void Write(string folder, string file, float[] values) =>
        File.WriteAllBytes(Path.Combine(folder, file), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    static void Close(string what, ReadOnlySpan<double> expected, float[] actual, double tolerance)
    {
        double scale = 1e-3;
        foreach (double v in expected) scale = Math.Max(scale, Math.Abs(v));
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tolerance * scale, $"{what} {k}: PyTorch {expected[k]:E6}, NetGen {actual[k]:E6}");
    }

    static void RunTorch(string folder)
    {
        var start = new ProcessStartInfo(TorchFactAttribute.Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sequences", "torch_sequence.py"));
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"torch_sequence.py failed ({process.ExitCode}):{Environment.NewLine}{errors}");
    }
}
