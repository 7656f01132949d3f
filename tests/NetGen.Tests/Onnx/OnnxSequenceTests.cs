using System;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NetGen.Tests.Sequences;

namespace NetGen.Tests.Onnx;

/// <summary>
/// Sequence networks exported and run by ONNX Runtime against <see cref="INetwork.Predict"/>: Embedding as Gather
/// over int64 ids, LSTM and RNN (tanh and ReLU) batch-first with the gates reordered to ONNX's i, o, f, c, every step or
/// the last, stacked, and Dense at every step (MatMul + Add, softmax over the last axis).
/// </summary>
public class OnnxSequenceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<string> Networks() => new() { nameof(TinyNextToken), nameof(TinySimpleRnn), nameof(TwoLayerLstm), nameof(MixedSequence) };

    static INetwork Make(string name) => name switch
    {
        nameof(TinyNextToken) => new TinyNextToken(3),
        nameof(TinySimpleRnn) => new TinySimpleRnn(4),
        nameof(TwoLayerLstm) => new TwoLayerLstm(5),
        _ => new MixedSequence(6),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void OnnxRuntimeAgreesWithPredict(string name)
    {
        var network = Make(name);
        // Random weights well away from the initial ones, so that every gate is exercised and a swapped gate shows.
        var random = new Random(name.Length * 31);
        var parameters = network.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)(random.NextDouble() * 1.6 - 0.8);
        const int batch = 3;
        bool tokens = name == nameof(TinyNextToken);
        var inputs = new float[batch * network.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = tokens ? random.Next(11) : (float)(random.NextDouble() * 4 - 2);
        var expected = new float[batch * network.OutputSize];
        network.Predict(inputs, expected, batch);

        using var stream = new MemoryStream();
        network.ExportOnnx(stream);
        using var session = new InferenceSession(stream.ToArray());
        var shape = session.InputMetadata["input"].Dimensions.ToArray();
        shape[0] = batch;
        NamedOnnxValue input = tokens
            ? NamedOnnxValue.CreateFromTensor("input", new DenseTensor<long>(inputs.Select(v => (long)v).ToArray(), shape))
            : NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(inputs, shape));
        using var results = session.Run(new[] { input });
        float[] actual = results.Single().AsEnumerable<float>().ToArray();

        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]), scale = Math.Max(Math.Abs(expected[i]), Math.Abs(actual[i]));
            Assert.True(error <= 2e-5 * scale + 2e-6, $"{name}: output {i} is {actual[i]:R} in ONNX Runtime but {expected[i]:R} from Predict.");
            worst = Math.Max(worst, error / Math.Max(scale, 1e-30));
        }
        output.WriteLine($"{name}: largest relative difference {worst:E2} over {expected.Length} outputs");
    }
}
