using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NetGen.Generator.Tests.Support;

namespace NetGen.Generator.Tests;

/// <summary>Every convolution and pooling shape diagnostic (NG0020–NG0025), by id, severity, location and message.</summary>
public class ConvDiagnosticsTests
{
    [Fact]
    public void ACleanConvNetReportsNothing()
    {
        var diagnostics = Analyze("""
            [Network(Loss.CrossEntropy)]
            [Input(1, 28, 28)]
            [Conv2D(20, kernel: 5, Activation = Activation.ReLU)]
            [MaxPool2D(2)]
            [Dense(100, Activation.ReLU)]
            [Dense(10, Activation.Softmax)]
            public partial class LeNetish { }
            """);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void NG0020_KernelLargerThanThePaddedInput()
    {
        var d = Single(Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(1, 4, 4)]
            [Conv2D(2, 5)]
            [Dense(2)]
            public partial class Net { }
            """), "NG0020", "Conv2D(2, 5)");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("5×5 kernel is larger than its padded input 4×4", d.GetMessage());
        Assert.Contains("the network input is 1×4×4", d.GetMessage());
    }

    [Fact]
    public void NG0020_MessageCarriesTheTrailOfComputedShapes()
    {
        var d = Single(Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(1, 8, 8)]
            [Conv2D(2, 3)]
            [MaxPool2D(2)]
            [Conv2D(4, 5, Padding = 0)]
            [Dense(2)]
            public partial class Net { }
            """), "NG0020", "Conv2D(4, 5, Padding = 0)");
        Assert.Contains("Conv2D(2, 3) on 1×8×8 gives 2×6×6; MaxPool2D(2) gives 2×3×3", d.GetMessage());
        Assert.Contains("larger than its padded input 3×3", d.GetMessage());
    }

    [Fact]
    public void NG0020_PaddingCountsTowardsTheInput()
    {
        var diagnostics = Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(1, 3, 3)]
            [Conv2D(2, 5, Padding = 1)]
            [Dense(2)]
            public partial class Net { }
            """);
        Assert.Empty(diagnostics); // 3 + 2 = 5: exactly fits, one output pixel
    }

    [Fact]
    public void NG0021_WarnsWhenTheStrideDropsRowsAndColumns()
    {
        var d = Single(Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(1, 7, 8)]
            [Conv2D(2, 2, Stride = 2)]
            [Dense(2)]
            public partial class Net { }
            """), "NG0021", "Conv2D(2, 2, Stride = 2)");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains("the last 1 row(s) and 0 column(s) are dropped", d.GetMessage());
        Assert.Contains("3×4", d.GetMessage());
    }

    [Fact]
    public void NG0021_AlsoForPooling()
    {
        var d = Single(Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(3, 9, 9)]
            [AvgPool2D(2)]
            [Dense(2)]
            public partial class Net { }
            """), "NG0021", "AvgPool2D(2)");
        Assert.Contains("the last 1 row(s) and 1 column(s) are dropped", d.GetMessage());
    }

    [Fact]
    public void NG0022_PoolWindowLargerThanItsInput()
    {
        var d = Single(Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(1, 8, 8)]
            [Conv2D(2, 3)]
            [MaxPool2D(7)]
            [Dense(2)]
            public partial class Net { }
            """), "NG0022", "MaxPool2D(7)");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("MaxPool2D(7) on 2×6×6 gives an output of 2×0×0", d.GetMessage());
        Assert.Contains("Conv2D(2, 3) on 1×8×8 gives 2×6×6", d.GetMessage());
    }

    [Fact]
    public void NG0023_DenseStraightOnAnImageIsInformational()
    {
        var d = Single(Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(2, 3, 4)]
            [Dense(5)]
            public partial class Net { }
            """), "NG0023", "Dense(5)");
        Assert.Equal(DiagnosticSeverity.Info, d.Severity);
        Assert.Contains("2×3×4 image flattened to 24 values", d.GetMessage());
    }

    [Fact]
    public void NG0023_IsNotReportedForDenseAfterAConv()
    {
        var diagnostics = Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(1, 6, 6)]
            [Conv2D(2, 3)]
            [Dense(5)]
            public partial class Net { }
            """);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void NG0024_ConvolutionOnAVector()
    {
        var d = Single(Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(16)]
            [Conv2D(2, 3)]
            [Dense(2)]
            public partial class Net { }
            """), "NG0024", "Conv2D(2, 3)");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("receives a vector of 16 values", d.GetMessage());
    }

    [Fact]
    public void NG0024_PoolingAfterDense()
    {
        var d = Single(Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(1, 4, 4)]
            [Dense(8)]
            [MaxPool2D(2)]
            [Dense(2)]
            public partial class Net { }
            """).Where(x => x.Id != "NG0023").ToImmutableArray(), "NG0024", "MaxPool2D(2)");
        Assert.Contains("receives a vector of 8 values (Dense(8) on 1×4×4 gives 8)", d.GetMessage());
    }

    [Theory]
    [InlineData("Conv2D(2, 4, Padding = Padding.Same)", "4×4 with stride 1")]
    [InlineData("Conv2D(2, 3, Stride = 2, Padding = Padding.Same)", "3×3 with stride 2")]
    [InlineData("Conv2D(2, 3, KernelWidth = 2, Padding = Padding.Same)", "3×2 with stride 1")]
    public void NG0025_SamePaddingNeedsStrideOneAndAnOddKernel(string conv, string detail)
    {
        var d = Single(Analyze($$"""
            [Network(Loss.MeanSquaredError)]
            [Input(1, 8, 8)]
            [{{conv}}]
            [Dense(2)]
            public partial class Net { }
            """), "NG0025", conv);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains(detail, d.GetMessage());
    }

    [Fact]
    public void SamePaddingWithAnOddRectangularKernelKeepsTheSize()
    {
        var diagnostics = Analyze("""
            [Network(Loss.MeanSquaredError)]
            [Input(3, 7, 9)]
            [Conv2D(2, 3, KernelWidth = 5, Padding = Padding.Same)]
            [MaxPool2D(7, Stride = 2)]
            [Dense(2)]
            public partial class Net { }
            """);
        // 2×7×9 after Same; the 7×7 pool with stride 2 gives 2×1×2 exactly.
        Assert.Empty(diagnostics);
    }

    /// <summary>The text of the last source <see cref="Analyze"/> compiled (xUnit runs a class's tests one at a time).</summary>
    [ThreadStatic] static string Source = "";

    /// <summary>The one diagnostic with <paramref name="id"/>; it must sit on the attribute whose text is <paramref name="attribute"/>.</summary>
    static Diagnostic Single(ImmutableArray<Diagnostic> diagnostics, string id, string attribute)
    {
        var matching = diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"expected one {id}, got: {string.Join(" | ", diagnostics.Select(d => d.ToString()))}");
        Assert.True(diagnostics.Length == 1, $"expected only {id}, got: {string.Join(" | ", diagnostics.Select(d => d.ToString()))}");
        var d = matching[0];
        // LocationInfo rebuilds the location from path and span (no syntax tree is kept), so read the span from our source.
        Assert.Equal("Net.cs", d.Location.GetLineSpan().Path);
        Assert.Equal(attribute, Source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        Harness.VerifyAnalyzerReports(Source, TestCompilation.RunAnalyzer(Source));
        return d;
    }

    /// <summary>Compiles <paramref name="declaration"/> (with NetGen usings) and runs NetworkAnalyzer over it.</summary>
    static ImmutableArray<Diagnostic> Analyze(string declaration)
    {
        string source = Source = "using NetGen;\nnamespace Sample;\n" + declaration;
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview), path: "Net.cs");
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(NetGen.INetwork).Assembly.Location));
        var compilation = CSharpCompilation.Create("ConvDiagnostics", new[] { tree }, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var compileErrors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(compileErrors.Count == 0, "the test source must compile: " + string.Join(" | ", compileErrors));
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer());
        return compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }
}
