using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
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
    [InlineData("Input(2, 3)", "2")]
    [InlineData("Input(1, 2, 3, 4)", "4")]
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
