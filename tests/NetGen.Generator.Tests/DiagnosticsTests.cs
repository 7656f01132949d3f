using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Tests.Support;

namespace NetGen.Generator.Tests;

/// <summary>
/// Each NG diagnostic by id, severity, location (the span of the offending attribute or class name) and message;
/// and the generator's side of the contract: a class with errors gets no generated code.
/// </summary>
public sealed class DiagnosticsTests
{
    private static string Net(string attributes, string loss = "MeanSquaredError", string declaration = "public partial class Net { }") => $$"""
        using NetGen;

        [Network(Loss.{{loss}})]
        {{attributes}}
        {{declaration}}
        """;

    private const string ClassPrefix = "class ";

    /// <summary>The span of the <paramref name="occurrence"/>-th (0-based) occurrence of <paramref name="text"/> in <paramref name="source"/>.</summary>
    private static TextSpan SpanOf(string source, string text, int occurrence = 0)
    {
        // "class Name" locates a class name: the span is the identifier only.
        if (text.StartsWith(ClassPrefix, StringComparison.Ordinal))
        {
            var full = RawSpanOf(source, text, occurrence);
            return new TextSpan(full.Start + ClassPrefix.Length, full.Length - ClassPrefix.Length);
        }
        return RawSpanOf(source, text, occurrence);
    }

    private static TextSpan RawSpanOf(string source, string text, int occurrence)
    {
        int index = -1;
        for (int i = 0; i <= occurrence; i++)
        {
            index = source.IndexOf(text, index + 1, StringComparison.Ordinal);
            Assert.True(index >= 0, $"'{text}' (occurrence {occurrence}) not in the source");
        }
        return new TextSpan(index, text.Length);
    }

    /// <summary>Runs the analyzer, expects exactly one <paramref name="id"/>, located exactly on <paramref name="locatedAt"/>.</summary>
    private static Diagnostic Expect(string source, string id, string locatedAt, int occurrence = 0, DiagnosticSeverity severity = DiagnosticSeverity.Error)
    {
        var diagnostics = TestCompilation.RunAnalyzer(source);
        var matching = diagnostics.Where(d => d.Id == id).ToArray();
        Assert.True(matching.Length == 1, $"Expected one {id}, got:{Environment.NewLine}{TestCompilation.Format(diagnostics)}");
        var diagnostic = matching[0];
        Assert.Equal(severity, diagnostic.Severity);

        var expected = SpanOf(source, locatedAt, occurrence);
        Assert.True(diagnostic.Location.IsInSource, $"{id} has no source location");
        Assert.Equal(TestCompilation.SourcePath, diagnostic.Location.SourceTree!.FilePath);
        Assert.True(expected == diagnostic.Location.SourceSpan,
            $"{id} at {diagnostic.Location.SourceSpan} ('{source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length)}'), expected '{locatedAt}' at {expected}");
        // The line span must agree with the text span (LocationInfo stores both).
        var line = SourceText.From(source).Lines.GetLinePositionSpan(expected);
        Assert.Equal(line, diagnostic.Location.GetLineSpan().Span);

        Harness.VerifyAnalyzerReports(source, diagnostics);

        // The generator refuses exactly what the analyzer calls an error.
        var run = TestCompilation.RunGenerator(TestCompilation.Create(source));
        Assert.Null(run.Single.Exception);
        if (diagnostics.Errors().Any()) Assert.Empty(run.Sources);
        Assert.Empty(run.GeneratedCodeErrors);
        return diagnostic;
    }

    [Fact]
    public void Valid_network_has_no_diagnostics_and_is_generated()
    {
        var diagnostics = TestCompilation.RunAnalyzer(SnapshotTests.Xor);
        Assert.True(diagnostics.IsEmpty, TestCompilation.Format(diagnostics));
        var run = TestCompilation.RunGenerator(SnapshotTests.Xor);
        Assert.Single(run.Sources);
        Assert.Empty(run.OutputErrors);
    }

    [Fact]
    public void NG0001_not_partial()
    {
        string source = Net("[Input(2)]\n[Dense(1)]", declaration: "public class Plain { }");
        var d = Expect(source, "NG0001", "class Plain");
        Assert.Contains("'Plain'", d.GetMessage());
    }

    [Fact]
    public void NG0002_nested()
    {
        string source = """
            using NetGen;

            public partial class Outer
            {
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial class Inner { }
            }
            """;
        var d = Expect(source, "NG0002", "class Inner");
        Assert.Contains("nested in Outer", d.GetMessage());
    }

    [Fact]
    public void NG0002_generic()
    {
        var d = Expect(Net("[Input(2)]\n[Dense(1)]", declaration: "public partial class Gen<T> { }"), "NG0002", "class Gen");
        Assert.Contains("generic", d.GetMessage());
    }

    [Fact]
    public void NG0003_no_input()
    {
        var d = Expect(Net("[Dense(1)]"), "NG0003", "class Net");
        Assert.Contains("'Net'", d.GetMessage());
    }

    [Fact]
    public void NG0004_two_inputs_reported_on_the_second()
    {
        var d = Expect(Net("[Input(2)]\n[Dense(1)]\n[Input(3)]"), "NG0004", "Input(3)");
        Assert.Contains("2 times", d.GetMessage());
    }

    [Theory]
    [InlineData("[Input(0)]\n[Dense(1)]", "Input(0)", "Input: the feature count must be positive, but is 0")]
    [InlineData("[Input(-3)]\n[Dense(1)]", "Input(-3)", "but is -3")]
    [InlineData("[Input(1, 0, 4)]\n[Dense(1)]", "Input(1, 0, 4)", "height must be positive, but is 0")]
    [InlineData("[Input(2)]\n[Dense(0)]", "Dense(0)", "Dense(0): the unit count must be positive, but is 0")]
    [InlineData("[Input(2)]\n[Dense(4)]\n[Dense(-1, Name = \"head\")]", "Dense(-1, Name = \"head\")", "Dense 'head': the unit count must be positive, but is -1")]
    public void NG0005_non_positive_sizes(string attributes, string at, string message)
    {
        var d = Expect(Net(attributes), "NG0005", at);
        Assert.Contains(message, d.GetMessage());
    }

    [Theory]
    [InlineData("-0.1", "-0.1")]
    [InlineData("1.0", "1")]
    [InlineData("1.5", "1.5")]
    public void NG0006_dropout_rate_out_of_range(string rate, string shown)
    {
        var d = Expect(Net($"[Input(2)]\n[Dense(4)]\n[Dropout({rate})]\n[Dense(1)]"), "NG0006", $"Dropout({rate})");
        Assert.Equal($"Dropout rate must lie in [0, 1), but is {shown}", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void NG0006_dropout_rate_zero_is_fine()
    {
        Assert.DoesNotContain(TestCompilation.RunAnalyzer(Net("[Input(2)]\n[Dropout(0.0)]\n[Dense(1)]")), d => d.Id == "NG0006");
    }

    [Theory]
    [InlineData("GaussianNoise(-0.5)", "GaussianNoise: the standard deviation must be finite and ≥ 0, but is -0.5")]
    [InlineData("MaskingNoise(1.0)", "MaskingNoise: the rate must lie in [0, 1), but is 1")]
    [InlineData("MaskingNoise(-0.25)", "MaskingNoise: the rate must lie in [0, 1), but is -0.25")]
    public void NG0029_noise_out_of_range(string layer, string message)
    {
        var d = Expect(Net($"[Input(2)]\n[{layer}]\n[Dense(1)]"), "NG0029", layer);
        Assert.Equal(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void NG0030_rank_above_the_smaller_side()
    {
        var d = Expect(Net("[Input(4)]\n[LowRankDense(10, 5, Activation.Tanh)]\n[Dense(1)]"), "NG0030", "LowRankDense(10, 5, Activation.Tanh)");
        Assert.Equal("LowRankDense(10, rank 5, Tanh) on 4 inputs: the rank must lie in 1 to min(inputs, units) = 4, but is 5; " +
            "a larger rank cannot be reached and stores more than a full Dense layer", d.GetMessage());
        Expect(Net("[Input(4)]\n[LowRankDense(10, 0)]"), "NG0005", "LowRankDense(10, 0)");
        Assert.DoesNotContain(TestCompilation.RunAnalyzer(Net("[Input(4)]\n[GaussianNoise(0.0)]\n[LowRankDense(10, 4)]\n[MaskingNoise(0.0)]")), x => x.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
    }

    [Fact]
    public void NG0031_embedding_not_first()
    {
        var d = Expect(Net("[Input(5, 3)]\n[LSTM(4, ReturnSequences = true)]\n[Embedding(10, 4)]\n[Dense(1)]"), "NG0031", "Embedding(10, 4)");
        Assert.Equal("Embedding(10, 4) is layer 2; an Embedding reads token ids from [Input(steps)], so it must be the first layer (LSTM(4, sequences) on 5 steps × 3 gives 5 steps × 4)", d.GetMessage());
    }

    [Fact]
    public void NG0032_embedding_needs_token_ids()
    {
        var d = Expect(Net("[Input(1, 28, 28)]\n[Embedding(10, 4)]\n[Dense(1)]"), "NG0032", "Embedding(10, 4)");
        Assert.Equal("Embedding(10, 4) reads one token id per step from [Input(steps)], but the input is the image 1×28×28", d.GetMessage());
        Expect(Net("[Input(6, 2)]\n[Embedding(10, 4)]\n[Dense(1)]"), "NG0032", "Embedding(10, 4)");
    }

    [Fact]
    public void NG0033_recurrent_layer_needs_a_sequence()
    {
        var image = Expect(Net("[Input(1, 28, 28)]\n[LSTM(16)]\n[Dense(1)]"), "NG0033", "LSTM(16)");
        Assert.Equal("LSTM(16) needs a sequence input [batch, steps, features], but receives the image 1×28×28 (the network input is 1×28×28); " +
            "declare [Input(steps, features)], or put an [Embedding] first to read token ids", image.GetMessage());
        // [Input(steps)] of ids with no Embedding: a vector reaches the recurrent layer.
        var ids = Expect(Net("[Input(20)]\n[SimpleRNN(8)]\n[Dense(1)]"), "NG0033", "SimpleRNN(8)");
        Assert.Contains("receives a vector of 20 values", ids.GetMessage());
        // After a last-step LSTM the sequence is gone.
        Expect(Net("[Input(5, 3)]\n[LSTM(4)]\n[LSTM(2)]\n[Dense(1)]"), "NG0033", "LSTM(2)");
    }

    [Fact]
    public void NG0034_sequence_into_convolution()
    {
        var d = Expect(Net("[Input(28, 28)]\n[Conv2D(4, 3)]\n[Dense(1)]"), "NG0034", "Conv2D(4, 3)");
        Assert.Equal("Conv2D(4, 3) needs a C×H×W input, but receives a sequence of 28 steps × 28 (the network input is 28 steps × 28); " +
            "read the sequence with a recurrent layer, or declare the input as an image", d.GetMessage());
        Expect(Net("[Input(6, 4)]\n[MaxPool2D(2)]\n[Dense(1)]"), "NG0034", "MaxPool2D(2)");
    }

    [Fact]
    public void Recurrent_options_are_checked()
    {
        Expect(Net("[Input(5, 3)]\n[SimpleRNN(4, Activation.Sigmoid)]\n[Dense(1)]"), "NG0015", "SimpleRNN(4, Activation.Sigmoid)");
        Expect(Net("[Input(5, 3)]\n[LSTM(0)]\n[Dense(1)]"), "NG0005", "LSTM(0)");
        Expect(Net("[Input(5)]\n[Embedding(0, 4)]\n[LSTM(2)]\n[Dense(1)]"), "NG0005", "Embedding(0, 4)");
        Expect(Net("[Input(5, 3)]\n[LSTM(4, ForgetGateBias = double.NaN)]\n[Dense(1)]"), "NG0015", "LSTM(4, ForgetGateBias = double.NaN)");
        Assert.DoesNotContain(TestCompilation.RunAnalyzer(Net("[Input(9)]\n[Embedding(30, 8)]\n[LSTM(6, ReturnSequences = true, ForgetGateBias = 1)]\n[Dropout(0.1)]\n[SimpleRNN(5, Activation.ReLU, ReturnSequences = true)]\n[Dense(30, Activation.Softmax)]", "CrossEntropy")),
            x => x.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void NG0007_softmax_not_last()
    {
        var d = Expect(Net("[Input(2)]\n[Dense(3, Activation.Softmax)]\n[Dense(1)]"), "NG0007", "Dense(3, Activation.Softmax)");
        Assert.Equal("Dense(3, Softmax) is layer 1 of 2; Softmax is allowed only on the last layer", d.GetMessage());
    }

    [Fact]
    public void NG0008_cross_entropy_without_softmax_names_the_last_layer()
    {
        var d = Expect(Net("[Input(4)]\n[Dense(8, Activation.ReLU)]\n[Dense(3, Activation.Sigmoid)]", loss: "CrossEntropy"), "NG0008", "Dense(3, Activation.Sigmoid)");
        Assert.Equal("Loss.CrossEntropy needs a Softmax output layer, but the last layer is Dense(3, Sigmoid)", d.GetMessage());
    }

    [Fact]
    public void NG0008_binary_cross_entropy_without_sigmoid_names_the_last_layer()
    {
        var d = Expect(Net("[Input(4)]\n[Dense(1)]", loss: "BinaryCrossEntropy"), "NG0008", "Dense(1)");
        Assert.Equal("Loss.BinaryCrossEntropy needs a Sigmoid output layer, but the last layer is Dense(1)", d.GetMessage());
    }

    [Fact]
    public void NG0009_alpha_on_relu_is_a_warning_and_still_generates()
    {
        string source = Net("[Input(2)]\n[Dense(4, Activation.ReLU, Alpha = 0.3)]\n[Dense(1)]");
        var d = Expect(source, "NG0009", "Dense(4, Activation.ReLU, Alpha = 0.3)", severity: DiagnosticSeverity.Warning);
        Assert.Equal("Alpha = 0.3 has no effect on ReLU; only LeakyReLU and ELU use it", d.GetMessage());
        var run = TestCompilation.RunGenerator(source);
        Assert.Single(run.Sources);
        Assert.Empty(run.OutputErrors);
    }

    [Fact]
    public void NG0010_no_layers()
    {
        var d = Expect(Net("[Input(2)]"), "NG0010", "Input(2)");
        Assert.Contains("'Net'", d.GetMessage());
    }

    [Fact]
    public void NG0010_only_flatten_counts_as_no_layers()
    {
        Expect(Net("[Input(3)]\n[Flatten]"), "NG0010", "Input(3)");
    }

    [Fact]
    public void NG0015_loss_out_of_range()
    {
        var d = Expect(Net("[Input(2)]\n[Dense(1)]", loss: "MeanSquaredError").Replace("Loss.MeanSquaredError", "(Loss)42"), "NG0015", "Network((Loss)42)");
        Assert.Equal("Network: 42 is not a Loss", d.GetMessage());
    }

    [Fact]
    public void Layer_names_with_line_breaks_are_escaped_in_generated_code()
    {
        var run = TestCompilation.RunGenerator(Net("[Input(2)]\n[Dense(2, Name = \"two\\nlines \\\"quoted\\\"\")]\n[Dense(1)]"));
        Assert.Empty(run.OutputErrors);
        Assert.Contains("\"two\\u000Alines \\\"quoted\\\"\"", run.Sources.Single().SourceText.ToString());
    }

    [Theory]
    [InlineData("LeakyReLU", "0")]
    [InlineData("LeakyReLU", "-0.5")]
    [InlineData("ELU", "-1")]
    [InlineData("ELU", "double.NaN")]
    public void NG0011_alpha_not_positive(string activation, string alpha)
    {
        string at = $"Dense(4, Activation.{activation}, Alpha = {alpha})";
        var d = Expect(Net($"[Input(2)]\n[{at}]\n[Dense(1)]"), "NG0011", at);
        Assert.StartsWith("Dense(4): Alpha must be positive", d.GetMessage());
    }

    [Theory]
    [InlineData("Input(1, 2, 3, 4)", "4")]
    [InlineData("Input(1, 2, 3, 4, 5)", "5")]
    [InlineData("Input()", "0")]
    public void NG0012_input_rank(string input, string rank)
    {
        var d = Expect(Net($"[{input}]\n[Dense(1)]"), "NG0012", input);
        Assert.Contains($"given {rank} dimension(s)", d.GetMessage());
    }

    [Fact]
    public void NG0013_layers_without_network()
    {
        string source = """
            using NetGen;

            [Input(2)]
            [Dense(1)]
            public partial class Forgotten { }
            """;
        var d = Expect(source, "NG0013", "class Forgotten", severity: DiagnosticSeverity.Warning);
        Assert.Contains("'Forgotten'", d.GetMessage());
        Assert.Empty(TestCompilation.RunGenerator(source).Sources);
    }

    [Fact]
    public void Image_input_too_large_for_an_array_is_an_error_not_a_zero_sized_network()
    {
        // 65536 × 65536 × 1 = 2³² values: an int size would wrap to 0.
        string source = Net("[Input(65536, 65536, 1)]\n[Flatten]\n[Dense(1)]");
        var diagnostics = TestCompilation.RunAnalyzer(source);
        Assert.Contains(diagnostics, d => d.Id == "NG0014");
        Assert.Empty(TestCompilation.RunGenerator(source).Sources);
    }

    [Fact]
    public void Only_the_invalid_class_is_skipped()
    {
        string source = SnapshotTests.Xor + """

            [Network(Loss.CrossEntropy)]
            [Input(2)]
            [Dense(2, Activation.Sigmoid)]
            public partial class Broken { }
            """;
        Assert.Contains(TestCompilation.RunAnalyzer(source), d => d.Id == "NG0008");
        var run = TestCompilation.RunGenerator(source);
        Assert.Equal(new[] { Emit.HintName.For("XorNet") }, run.Sources.Select(s => s.HintName));
        Assert.Empty(run.OutputErrors);
    }

    [Theory]
    [InlineData("public int Seed => 1;", "Seed", "the property 'Seed'")]
    [InlineData("private float[] _parameters = new float[1];", "_parameters", "the field '_parameters'")]
    [InlineData("private int _concurrency;", "_concurrency", "the field '_concurrency'")]
    [InlineData("private class Workspace { }", "Workspace", "the nested type 'Workspace'")]
    [InlineData("public const int MaxTrainingBatchSize = 4;", "MaxTrainingBatchSize", "the field 'MaxTrainingBatchSize'")]
    [InlineData("public class Layers { }", "Layers", "the nested type 'Layers'")]
    [InlineData("public event System.Action Architecture;", "Architecture", "the event 'Architecture'")]
    [InlineData("public void Forward(System.ReadOnlySpan<float> input, System.Span<float> output) { }", "Forward", "the method Forward(System.ReadOnlySpan<float>, System.Span<float>)")]
    [InlineData("private int RunBackward(int batch) => batch;", "RunBackward", "the method RunBackward(int)")]
    public void NG0016_member_named_like_a_generated_member(string member, string at, string what)
    {
        var d = Expect(Net("[Input(2)]\n[Dense(1)]", declaration: $"public partial class Net {{ {member} }}"), "NG0016", at);
        Assert.Equal($"Network class 'Net' declares {what}, which NetGen generates for every network; rename or remove it", d.GetMessage());
    }

    [Theory]
    [InlineData("public Net() { }", "")]
    [InlineData("public Net(int size) { }", "int")]
    public void NG0016_constructor_with_a_generated_signature(string constructor, string parameters)
    {
        string source = Net("[Input(2)]\n[Dense(1)]", declaration: $"public partial class Net {{ {constructor} }}");
        int start = source.IndexOf("Net(", source.IndexOf("class Net", StringComparison.Ordinal) + 5, StringComparison.Ordinal);
        var d = Assert.Single(TestCompilation.RunAnalyzer(source), x => x.Id == "NG0016");
        Assert.Equal(new TextSpan(start, 3), d.Location.SourceSpan);
        Assert.Equal($"Network class 'Net' declares the constructor Net({parameters}), which NetGen generates for every network; rename or remove it", d.GetMessage());
        Assert.Empty(TestCompilation.RunGenerator(source).Sources);
    }

    [Theory]
    [InlineData("public float[] Forward(float[] input) => input;")]
    [InlineData("public int Predict() => 0;")]
    [InlineData("public Net(long seed) : this((int)seed) { }")]
    [InlineData("private void EnsureCapacity(int batch) { }")]
    [InlineData("private int _a1, _d1, _col1, _count;")] // workspace arrays live in the nested Workspace class
    [InlineData("static Net() { }")]
    public void Overloads_and_other_names_are_not_clashes(string member) => AssertNoClash(member);

    private static void AssertNoClash(string member)
    {
        string source = Net("[Input(2)]\n[Dense(1)]", declaration: $"public partial class Net {{ {member} }}");
        var run = TestCompilation.RunGenerator(source);
        Assert.Empty(TestCompilation.RunAnalyzer(run.Input).Errors());
        Assert.Single(run.Sources);
        Assert.True(run.OutputErrors.IsEmpty, TestCompilation.Format(run.OutputErrors));
    }

    [Fact]
    public void Generated_members_are_not_mistaken_for_the_users_once_generated()
    {
        // In a build the analyzer sees the generated half too: its members are NetGen's, not clashes.
        var run = TestCompilation.RunGenerator(SnapshotTests.FashionMlp);
        Assert.Single(run.Sources);
        var diagnostics = TestCompilation.RunAnalyzer(run.Output);
        Assert.True(diagnostics.IsEmpty, TestCompilation.Format(diagnostics));
    }

    [Theory]
    [InlineData("Forward")]
    [InlineData("Seed")]
    [InlineData("Workspace")]
    public void NG0017_class_named_like_a_generated_member(string name)
    {
        var d = Expect(Net("[Input(2)]\n[Dense(1)]", declaration: $"public partial class {name} {{ }}"), "NG0017", $"class {name}");
        Assert.Equal($"Network class '{name}' has the name of a member NetGen generates in it, and a member cannot be named like its class; rename the class", d.GetMessage());
    }

    [Fact]
    public void NG0018_primary_constructor()
    {
        var d = Expect(Net("[Input(2)]\n[Dense(1)]", declaration: "public partial class Net(int size) { }"), "NG0018", "(int size)");
        Assert.Equal("Network class 'Net' has a primary constructor; NetGen generates the constructors (Net() and Net(int seed)), so remove the parameter list", d.GetMessage());
    }

    [Theory]
    [InlineData("public static partial class Net { }", "static", "static")]
    [InlineData("file partial class Net { }", "file", "file-local")]
    public void NG0019_static_or_file_local(string declaration, string at, string what)
    {
        var d = Expect(Net("[Input(2)]\n[Dense(1)]", declaration: declaration), "NG0019", at);
        Assert.Equal($"Network class 'Net' is {what}; NetGen completes it with instance members in a file of its own, so it must be neither static nor file-local", d.GetMessage());
    }

    [Fact]
    public void NG0026_language_version_below_7_3()
    {
        string source = Net("[Input(2)]\n[Dense(1)]");
        var compilation = TestCompilation.Create(new[] { (source, TestCompilation.SourcePath) }, new CSharpParseOptions(LanguageVersion.CSharp7_2));
        var d = Assert.Single(TestCompilation.RunAnalyzer(compilation), x => x.Id == "NG0026");
        Assert.Equal(SpanOf(source, "class Net"), d.Location.SourceSpan);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("NetGen's generated code for 'Net' needs C# 7.3 or later, but the project compiles with C# 7.2; raise <LangVersion>", d.GetMessage());
        Assert.Empty(TestCompilation.RunGenerator(compilation).Sources);
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp7_3)]
    [InlineData(LanguageVersion.CSharp8)]
    [InlineData(LanguageVersion.CSharp9)]
    [InlineData(LanguageVersion.CSharp10)]
    [InlineData(LanguageVersion.Latest)]
    public void Generated_code_compiles_from_CSharp_7_3_on(LanguageVersion version)
    {
        const string source = """
            using NetGen;
            namespace Samples.Old
            {
                [Network(Loss.CrossEntropy)]
                [Input(1, 6, 6)]
                [GaussianNoise(0.1)]
                [Conv2D(2, 3, Activation = Activation.ReLU)]
                [MaxPool2D(2)]
                [Dropout(0.25)]
                [LowRankDense(5, 2, Activation.Tanh)]
                [MaskingNoise(0.1)]
                [Dense(4, Activation.Tanh)]
                [Dense(3, Activation.Softmax)]
                public partial class OldNet { }
            }
            """;
        var compilation = TestCompilation.Create(new[] { (source, TestCompilation.SourcePath) }, new CSharpParseOptions(version));
        Assert.Empty(TestCompilation.RunAnalyzer(compilation).Errors());
        var run = TestCompilation.RunGenerator(compilation);
        Assert.Single(run.Sources);
        Assert.True(run.OutputErrors.IsEmpty, TestCompilation.Format(run.OutputErrors));
    }

    [Fact]
    public void NG0027_layers_in_two_files_reported_on_the_later_file_whatever_the_compilation_order()
    {
        const string first = "using NetGen;\n\n[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(4)]\npublic partial class Net { }\n";
        const string second = "using NetGen;\n\n[Dense(3)]\n[Dense(1)]\npartial class Net { }\n";
        foreach (var files in new[] { new[] { (first, "A.cs"), (second, "B.cs") }, new[] { (second, "B.cs"), (first, "A.cs") } })
        {
            var compilation = TestCompilation.Create(files);
            var d = Assert.Single(TestCompilation.RunAnalyzer(compilation), x => x.Id == "NG0027");
            Assert.Equal("B.cs", d.Location.SourceTree!.FilePath);
            Assert.Equal(SpanOf(second, "Dense(3)"), d.Location.SourceSpan);
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Equal("Network 'Net' has layer attributes in both 'A.cs' and 'B.cs'; their order would depend on the order the compiler reads files, so put all of its layers on one declaration", d.GetMessage());
            Assert.Empty(TestCompilation.RunGenerator(compilation).Sources);
        }
    }

    [Fact]
    public void Input_alone_in_another_file_is_fine()
    {
        // Only the layers' order matters: [Network] and [Input] may sit on any declaration.
        var compilation = TestCompilation.Create(new[]
        {
            ("using NetGen;\n[Network(Loss.MeanSquaredError)]\n[Input(2)]\npublic partial class Net { }\n", "A.cs"),
            ("using NetGen;\n[Dense(3)]\n[Dense(1)]\npartial class Net { }\n", "B.cs"),
        });
        Assert.Empty(TestCompilation.RunAnalyzer(compilation));
        var run = TestCompilation.RunGenerator(compilation);
        Assert.Single(run.Sources);
        Assert.Empty(run.OutputErrors);
    }

    [Theory]
    [InlineData("public class Base { public Base(int x) { } }")]
    [InlineData("public class Base { private Base() { } public Base(int x) { } }")]
    public void NG0028_base_class_without_a_parameterless_constructor(string baseClass)
    {
        var d = Expect(Net("[Input(2)]\n[Dense(1)]", declaration: "public partial class Net : System.IDisposable, Base { public void Dispose() { } }\n" + baseClass), "NG0028", "Base");
        Assert.Equal("Network class 'Net' derives from 'Base', which has no parameterless constructor it can call; NetGen's generated constructors call base(), so give 'Base' one or derive from another class", d.GetMessage());
    }

    [Theory]
    [InlineData("public class Base { protected Base() { } }")]
    [InlineData("public class Base { public Base(int x = 0, params int[] more) { } }")]
    public void A_base_class_with_a_callable_constructor_is_fine(string baseClass)
    {
        var run = TestCompilation.RunGenerator(Net("[Input(2)]\n[Dense(1)]", declaration: "public partial class Net : Base { }\n" + baseClass));
        Assert.Empty(TestCompilation.RunAnalyzer(run.Input));
        Assert.Single(run.Sources);
        Assert.True(run.OutputErrors.IsEmpty, TestCompilation.Format(run.OutputErrors));
    }

    [Fact]
    public void NG0015_alpha_too_large_for_a_float()
    {
        var d = Expect(Net("[Input(2)]\n[Dense(2, Activation.ELU, Alpha = 1e308)]\n[Dense(1)]"), "NG0015", "Dense(2, Activation.ELU, Alpha = 1e308)");
        Assert.Equal("Dense(2): Alpha = 1E+308 is too large for a float (at most 3.4028235E+38)", d.GetMessage());
    }

    [Fact]
    public void Every_descriptor_has_a_unique_id_and_a_title()
    {
        var all = Diagnostics.DiagnosticDescriptors.All;
        Assert.Equal(all.Length, all.Select(d => d.Id).Distinct().Count());
        Assert.All(all, d => Assert.Matches("^NG[0-9]{4}$", d.Id));
        Assert.All(all, d => Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString())));
        Assert.Equal(all.Select(d => d.Id).Order(StringComparer.Ordinal), new NetworkAnalyzer().SupportedDiagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
    }
}
