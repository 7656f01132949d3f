using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NetGen.Onnx;
using NetGen.Tests.Networks;

namespace NetGen.Tests.Onnx;

// Networks that only the exporter needs: an image output, a Dropout last, a network of Dropout alone.
[Network(Loss.MeanSquaredError)]
[Input(2, 6, 6)]
[Conv2D(3, 3, Padding = 1, Activation = Activation.ELU, Alpha = 0.3)]
[AvgPool2D(2)]
[Dropout(0.2)]
public partial class OnnxImageOutput { }

[Network(Loss.MeanSquaredError)]
[Input(4)]
[Dropout(0.5)]
public partial class OnnxDropoutOnly { }

[Network(Loss.MeanSquaredError)]
[Input(6)]
[Dense(5, Activation.Identity, Bias = false)]
[Dense(4, Activation.LeakyReLU, Alpha = 0.05)]
public partial class OnnxNoBiasLinear { }

[Network(Loss.CrossEntropy)]
[Input(12)]
[GaussianNoise(0.3)]
[LowRankDense(8, 3, Activation.Tanh)]
[MaskingNoise(0.2)]
[LowRankDense(5, 2, Activation.Softmax, Bias = false)]
public partial class OnnxLowRankNoisy { }

/// <summary>
/// Every exported test network is run by ONNX Runtime and must agree with <see cref="INetwork.Predict"/>: every layer
/// kind (Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, Dropout, LowRankDense as two Gemms, the noise layers left out)
/// and every activation, with and without bias, strides,
/// padding (Same, explicit, rectangular kernels), overlapping and gapped pools.
/// </summary>
public class OnnxExportTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // |onnx − predict| ≤ 1e-5 · max(|onnx|, |predict|), plus 1e-6 absolute for values that are all but zero.
    const double Relative = 1e-5, Absolute = 1e-6;

    // Each exported through its generated ExportOnnx(Stream).
    public static IEnumerable<object[]> Networks() => new Func<INetwork>[]
    {
        () => new SigmoidMse(1), () => new TanhMse(2), () => new ReluMse(3), () => new LeakyMse(4), () => new EluMse(5),
        () => new SoftmaxMse(6), () => new TanhCrossEntropy(7), () => new EluBinaryCrossEntropy(8), () => new SingleOutputBce(9),
        () => new WideCrossEntropy(10), () => new FrozenFirst(11), () => new ImageFlatten(12), () => new DropoutCrossEntropy(13),
        () => new LeNetish(14), () => new ConvBasic(15), () => new ConvStride2Pad1(16), () => new ConvSameRect(17),
        () => new ConvRectStride2(18), () => new ConvMaxPool(19), () => new ConvMaxPoolOverlap(20), () => new ConvMaxPoolGaps(21),
        () => new ConvAvgPoolOverlap(22), () => new ConvAvgPoolConv(23), () => new ConvWide(24),
        () => new OnnxImageOutput(25), () => new OnnxDropoutOnly(26), () => new OnnxNoBiasLinear(27), () => new OnnxLowRankNoisy(28),
    }.Select(make => new object[] { make().GetType().Name, make });

    [Theory]
    [MemberData(nameof(Networks))]
    public void OnnxRuntimeAgreesWithPredict(string name, Func<INetwork> make)
    {
        var network = make();
        const int batch = 5;
        var random = new Random(name.Length * 7919);
        var inputs = new float[batch * network.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(random.NextDouble() * 4 - 2);
        var expected = new float[batch * network.OutputSize];
        network.Predict(inputs, expected, batch);

        using var stream = new MemoryStream();
        network.ExportOnnx(stream);
        float[] actual = RunOnnx(stream.ToArray(), network, inputs, batch);

        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]), scale = Math.Max(Math.Abs(expected[i]), Math.Abs(actual[i]));
            Assert.True(error <= Relative * scale + Absolute,
                $"{name}: output {i} is {actual[i]:R} in ONNX Runtime but {expected[i]:R} from Predict (error {error:E2}).");
            worst = Math.Max(worst, error / Math.Max(scale, 1e-30));
        }
        output.WriteLine($"{name}: largest relative difference {worst:E2} over {expected.Length} outputs");
    }

    [Fact]
    public void ModelDeclaresOpset17AndABatchDimension()
    {
        using var stream = new MemoryStream();
        new LeNetish(1).ExportOnnx(stream);
        using var session = new InferenceSession(stream.ToArray());
        Assert.Equal("NetGen", session.ModelMetadata.ProducerName);
        Assert.Equal("LeNetish", session.ModelMetadata.GraphName);
        Assert.Equal(new[] { -1, 1, 28, 28 }, session.InputMetadata["input"].Dimensions);
        Assert.Equal(new[] { -1, 10 }, session.OutputMetadata["output"].Dimensions);
        Assert.Equal(17, OnnxGraphBuilder.OpsetVersion);
    }

    [Fact]
    public void ExportToPathWritesTheSameBytesAndLeavesNoTemporaryFile()
    {
        string folder = Directory.CreateTempSubdirectory("netgen-onnx-").FullName;
        try
        {
            var network = new ConvMaxPool(3);
            string path = Path.Combine(folder, "model.onnx");
            File.WriteAllText(path, "an older file");
            network.ExportOnnx(path);
            using var stream = new MemoryStream();
            network.ExportOnnx(stream);
            Assert.Equal(stream.ToArray(), File.ReadAllBytes(path));
            Assert.Equal(new[] { "model.onnx" }, Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ExportToAMissingFolderThrowsNamingThePathAndWritesNothing()
    {
        string folder = Directory.CreateTempSubdirectory("netgen-onnx-").FullName;
        try
        {
            string path = Path.Combine(folder, "missing", "model.onnx");
            var error = Assert.ThrowsAny<IOException>(() => new SigmoidMse(1).ExportOnnx(path));
            Assert.Contains(path, error.Message);
            Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
            Assert.Throws<IOException>(() => new SigmoidMse(1).ExportOnnx(folder)); // a directory, not a file
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ExportIsDeterministic()
    {
        using var first = new MemoryStream();
        using var second = new MemoryStream();
        new ConvSameRect(5).ExportOnnx(first);
        new ConvSameRect(5).ExportOnnx(second);
        Assert.Equal(first.ToArray(), second.ToArray());
    }

    [Fact]
    public void ExportSeesTheCurrentWeights()
    {
        var network = new TanhMse(1);
        network.Parameters.Clear();
        var inputs = new float[] { 1, 2, 3, 4, 5 };
        using var stream = new MemoryStream();
        network.ExportOnnx(stream);
        Assert.All(RunOnnx(stream.ToArray(), network, inputs, 1), value => Assert.Equal(0f, value));
    }

    [Fact]
    public void AHandWrittenNetworkHasNoGraph()
    {
        INetwork network = new NetGen.Tests.Support.FakeNetwork(3, 2);
        var error = Assert.Throws<NotSupportedException>(() => network.ExportOnnx(new MemoryStream()));
        Assert.Contains("FakeNetwork", error.Message);
    }

    [Fact]
    public void ALayerWithoutAnOnnxCounterpartThrowsNamingIt()
    {
        var builder = OnnxGraphBuilder.ForVector("Net", new float[10], 4);
        var error = Assert.Throws<NotSupportedException>(() => builder.Unsupported("LSTM", "lstm1"));
        Assert.Contains("LSTM", error.Message);
        Assert.Contains("lstm1", error.Message);
    }

    [Fact]
    public void BuilderRefusesWeightsOutsideTheParametersNamingBothSizes()
    {
        var builder = OnnxGraphBuilder.ForVector("Net", new float[10], 4);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.Dense("d", 4, 3, 0, true, Activation.ReLU, 0));
        Assert.Contains("12", error.Message);
        Assert.Contains("10", error.Message);
        Assert.Throws<ArgumentException>(() => builder.Dense("d", 5, 2, 0, false, Activation.ReLU, 0)); // 4 inputs, not 5
    }

    static float[] RunOnnx(byte[] model, INetwork network, float[] inputs, int batch)
    {
        using var session = new InferenceSession(model);
        var shape = network.Layers.Count > 0 && IsImageInput(session) ? session.InputMetadata["input"].Dimensions.ToArray() : new[] { -1, network.InputSize };
        shape[0] = batch;
        var tensor = new DenseTensor<float>(inputs, shape);
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", tensor) });
        return results.Single().AsEnumerable<float>().ToArray();
    }

    static bool IsImageInput(InferenceSession session) => session.InputMetadata["input"].Dimensions.Length == 4;
}
