using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NetGen.Generator.Tests.Support;

namespace NetGen.Generator.Tests;

/// <summary>
/// Exact generated output for representative networks, checked in under Snapshots/ and verified by
/// Microsoft.CodeAnalysis.Testing's source-generator harness: a change in emission shows up as a diff; accept deliberate
/// changes with NETGEN_ACCEPT_SNAPSHOTS=1. Every snapshot must also compile.
/// </summary>
public sealed class SnapshotTests
{
    public const string Xor = """
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(2, Activation.Sigmoid)]
        [Dense(1, Activation.Sigmoid)]
        public partial class XorNet { }
        """;

    public const string Sinus = """
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(1)]
        [Dense(3, Activation.Tanh)]
        [Dense(1, Activation.Identity)]
        public partial class SinusNet { }
        """;

    public const string FashionMlp = """
        using NetGen;

        namespace Samples.Fashion
        {
            [Network(Loss.CrossEntropy)]
            [Input(784)]
            [Dense(128, Activation.ReLU)]
            [Dropout(0.2)]
            [Dense(10, Activation.Softmax)]
            public partial class FashionMlp { }
        }
        """;

    public const string Bce = """
        using NetGen;

        namespace Samples;

        [Network(Loss.BinaryCrossEntropy)]
        [Input(3)]
        [Dense(4, Activation.LeakyReLU, Alpha = 0.2, Trainable = false)]
        [Dense(3, Activation.LeakyReLU, Alpha = 0.2, Bias = false, Name = "hidden")]
        [Dense(1, Activation.Sigmoid)]
        public partial class FrozenBceNet { }
        """;

    public const string EluImage = """
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(1, 4, 4)]
        [Flatten]
        [Dense(5, Activation.ELU)]
        [Dense(2)]
        public partial class EluImageNet { }
        """;

    // The convnet, plus a padded stride-2 convolution and average pooling.
    public const string LeNet = """
        using NetGen;

        [Network(Loss.CrossEntropy)]
        [Input(1, 28, 28)]
        [Conv2D(20, kernel: 5, Activation = Activation.ReLU)]
        [MaxPool2D(2)]
        [Conv2D(8, kernel: 3, Stride = 2, Padding = 1, Activation = Activation.Tanh)]
        [AvgPool2D(2)]
        [Dense(100, Activation.ReLU)]
        [Dense(10, Activation.Softmax)]
        public partial class LeNetish { }
        """;

    // Input noise, a low-rank layer on a kernel-sized input and a small unrolled one, masking between layers.
    public const string Denoising = """
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(64)]
        [GaussianNoise(0.1)]
        [LowRankDense(32, 8, Activation.ReLU, Name = "encoder")]
        [MaskingNoise(0.2)]
        [LowRankDense(64, 4, Activation.Sigmoid, Name = "decoder")]
        public partial class DenoisingLowRank { }
        """;

    // A next-character model: token ids, an embedding, a stateful LSTM over every step, a time-distributed softmax.
    public const string CharLstm = """
        using NetGen;

        [Network(Loss.CrossEntropy)]
        [Input(64)]
        [Embedding(96, 32)]
        [LSTM(128, ReturnSequences = true, ForgetGateBias = 1, Stateful = true)]
        [Dense(96, Activation.Softmax)]
        public partial class CharLstm { }
        """;

    // Sequence features through a SimpleRNN over every step, then an LSTM read at its last step.
    public const string SequenceClassifier = """
        using NetGen;

        [Network(Loss.CrossEntropy)]
        [Input(28, 28)]
        [SimpleRNN(16, ReturnSequences = true)]
        [LSTM(32, Init = Init.Glorot)]
        [Dense(10, Activation.Softmax)]
        public partial class SequenceClassifier { }
        """;

    [Theory]
    [InlineData("CharLstm", CharLstm, "CharLstm")]
    [InlineData("SequenceClassifier", SequenceClassifier, "SequenceClassifier")]
    [InlineData("DenoisingLowRank", Denoising, "DenoisingLowRank")]
    [InlineData("XorNet", Xor, "XorNet")]
    [InlineData("SinusNet", Sinus, "SinusNet")]
    [InlineData("FashionMlp", FashionMlp, "Samples.Fashion.FashionMlp")]
    [InlineData("FrozenBceNet", Bce, "Samples.FrozenBceNet")]
    [InlineData("EluImageNet", EluImage, "EluImageNet")]
    [InlineData("LeNetish", LeNet, "LeNetish")]
    public async Task Generated_code_matches_snapshot_and_compiles(string name, string source, string fullName)
    {
        string hintName = Emit.HintName.For(fullName);
        var run = TestCompilation.RunGenerator(source);
        Assert.Null(run.Single.Exception);
        Assert.Empty(TestCompilation.RunAnalyzer(run.Input).Errors());
        // Accept mode rewrites the snapshot from this run; the harness below then checks it like any other.
        if (Snapshot.Accepting) Snapshot.Match(name, run.SourceText(hintName));

        string path = Path.Combine(RepoPaths.Snapshots, name + ".g.cs");
        Assert.True(File.Exists(path), $"Snapshot {path} does not exist; set {Snapshot.AcceptVariable}=1 to write it.");
        // The generator's only output, compared line by line with a diff on failure, and compiled with the user's half.
        await Harness.VerifyGeneratedAsync(source, hintName, File.ReadAllText(path));
    }

    [Fact]
    public async Task A_changed_snapshot_fails_with_a_readable_diff()
    {
        // The generator's own output as the baseline, not the file: accept mode may be rewriting the files meanwhile.
        string expected = TestCompilation.RunGenerator(Xor).SourceText(Emit.HintName.For("XorNet"));
        const string line = "public int InputSize => 2;";
        Assert.Contains(line, expected);
        string changed = expected.Replace(line, "public int InputSize => 3;");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Harness.VerifyGeneratedAsync(Xor, Emit.HintName.For("XorNet"), changed));
        // The harness names the file and shows the expected line against the generated one, as a unified diff.
        Assert.Contains("XorNet", error.Message);
        Assert.Contains("-    public int InputSize => 3;", error.Message);
        Assert.Contains("+    public int InputSize => 2;", error.Message);
    }

    [Fact]
    public void Summary_returns_the_header_table()
    {
        string code = TestCompilation.RunGenerator(Denoising).Sources.Single().SourceText.ToString();
        string[] lines = code.Replace("\r\n", "\n").Split('\n');
        var header = lines.Skip(3).TakeWhile(l => l != "//").Select(l => l.Substring(5)).ToArray();
        string summaryLine = lines.Single(l => l.Contains("public string Summary() => \""));
        int start = summaryLine.IndexOf('"') + 1;
        string literal = summaryLine.Substring(start, summaryLine.LastIndexOf('"') - start);
        Assert.Equal(string.Join("\\u000A", header) + "\\u000A", literal); // Literal.String escapes line breaks
        Assert.Contains("LowRankDense(32, rank 8, ReLU)", literal);
    }

    [Fact]
    public void Generation_is_deterministic()
    {
        string first = TestCompilation.RunGenerator(FashionMlp).Sources.Single().SourceText.ToString();
        string second = TestCompilation.RunGenerator(FashionMlp).Sources.Single().SourceText.ToString();
        Assert.Equal(first, second);
    }
}
