using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Emit;
using NetGen.Generator.Planning;
using NetGen.Generator.Tests.Support;
using Xunit.Abstractions;

namespace NetGen.Generator.Tests;

/// <summary>
/// Names and sizes the generator once tripped on: it must neither throw (which drops every network's code) nor
/// emit code that does not compile.
/// </summary>
public sealed class RobustnessTests(ITestOutputHelper output)
{
    private static GeneratorRun GenerateAndCompile(string source, int expectedFiles)
    {
        var run = TestCompilation.RunGenerator(source);
        Assert.Null(run.Single.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(TestCompilation.RunAnalyzer(run.Input).Errors());
        Assert.Equal(expectedFiles, run.Sources.Length);
        Assert.True(run.OutputErrors.IsEmpty, TestCompilation.Format(run.OutputErrors));
        return run;
    }

    private const string Layers = "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3, Activation.ReLU)] [Dense(1)]";

    [Fact]
    public void Keyword_namespaces_and_class_names_are_escaped()
    {
        // '@' in a hint name made Roslyn throw (CS8785), dropping the other network too; "class class" did not compile.
        var run = GenerateAndCompile($$"""
            using NetGen;
            namespace @class.@int.record { {{Layers}} public partial class @class { } }
            namespace Plain { {{Layers}} public partial class @var { } }
            """, expectedFiles: 2);
        Assert.Contains(run.Sources, s => s.SourceText.ToString().Contains("namespace @class.@int.@record\n{\n    partial class @class : global::NetGen.INetwork"));
    }

    [Fact]
    public void Networks_whose_names_differ_only_in_case_get_distinct_files()
    {
        // Roslyn compares hint names case-insensitively: N.Net and N.NET once clashed.
        var run = GenerateAndCompile($$"""
            using NetGen;
            namespace N { {{Layers}} public partial class Net { } }
            namespace N { {{Layers}} public partial class NET { } }
            namespace n { {{Layers}} public partial class Net { } }
            """, expectedFiles: 3);
        Assert.Equal(3, run.Sources.Select(s => s.HintName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Hint_names_are_the_full_name_sanitized_plus_a_hash_of_the_exact_name()
    {
        Assert.Matches("^N\\.Net\\.[0-9a-f]{8}\\.g\\.cs$", HintName.For("N.Net"));
        Assert.Matches("^_n_code\\.[0-9a-f]{8}\\.g\\.cs$", HintName.For("Ünïcode"));
        Assert.NotEqual(HintName.For("N.Net").ToUpperInvariant(), HintName.For("N.NET").ToUpperInvariant());
        Assert.Equal(HintName.For("N.Net"), HintName.For("N.Net"));
    }

    [Fact]
    public void Generic_looking_and_non_ascii_names()
    {
        // Net<T> is rejected (NG0002) without an exception; the others are emitted and compile.
        var run = TestCompilation.RunGenerator($$"""
            using NetGen;
            namespace G { {{Layers}} public partial class Net<T> { } }
            namespace G { {{Layers}} public partial class Net_1 { } }
            namespace G { {{Layers}} public partial class Ünïcode { } }
            namespace G { {{Layers}} public partial class Ünïcöde { } }
            """);
        Assert.Null(run.Single.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(3, run.Sources.Length);
        Assert.True(run.OutputErrors.IsEmpty, TestCompilation.Format(run.OutputErrors));
        Assert.Contains(TestCompilation.RunAnalyzer(run.Input), d => d.Id == "NG0002");
    }

    [Fact]
    public void A_type_named_var_in_the_namespace_does_not_capture_the_generated_locals()
    {
        GenerateAndCompile($$"""
            using NetGen;
            namespace V { {{Layers}} public partial class var { } }
            namespace V { {{Layers}} public partial class Other { } }
            """, expectedFiles: 2);
    }

    [Theory]
    [InlineData("\\r")]
    [InlineData("\\n")]
    [InlineData("\\u2028")]
    [InlineData("\\u2029")]
    [InlineData("\\u0085")]
    public void Line_breaks_in_layer_names_stay_out_of_comments(string lineBreak)
    {
        GenerateAndCompile($$"""
            using NetGen;
            [Network(Loss.MeanSquaredError)]
            [Input(1, 4, 4)]
            [Conv2D(2, 3, Name = "conv{{lineBreak}}int x = ;")]
            [MaxPool2D(2, Name = "pool{{lineBreak}}int y = ;")]
            [Dropout(0.5, Name = "drop{{lineBreak}}int z = ;")]
            [Flatten(Name = "flat{{lineBreak}}int w = ;")]
            [Dense(2, Name = "dense{{lineBreak}}int v = ;")]
            public partial class Named { }
            """, expectedFiles: 1);
    }

    [Fact]
    public void Network_attribute_on_two_partial_declarations_gives_one_file_and_no_exception()
    {
        // The compiler reports CS0579; the generator found the class twice and added two files of one hint name.
        var run = TestCompilation.RunGenerator("""
            using NetGen;
            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            [Dense(1)]
            public partial class Net { }
            [Network(Loss.MeanSquaredError)]
            partial class Net { }
            """);
        Assert.Null(run.Single.Exception);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id is "CS8784" or "CS8785");
        Assert.Single(run.Sources);
    }

    [Fact]
    public void An_exception_while_emitting_becomes_NG9999_on_the_class()
    {
        var model = ModelPurityTests.ParseSingle(SnapshotTests.Xor);
        var plan = NetGen.Generator.Lowering.Lowerer.Lower(NetworkPlanner.Plan(model).Plan!);
        string? added = null;

        var failure = NetworkGenerator.TryAddSource(plan, _ => throw new InvalidOperationException("emitter bug"), (name, _) => added = name);
        Assert.NotNull(failure);
        Assert.Equal("NG9999", failure!.Id);
        Assert.Equal(DiagnosticSeverity.Error, failure.Severity);
        Assert.Equal("NetGen could not process 'XorNet': InvalidOperationException: emitter bug. Please report this.", failure.GetMessage());
        Assert.Equal(model.Location!.Span, failure.Location.SourceSpan);
        Assert.Null(added);

        // AddSource itself may refuse (a bad hint name): the same.
        var refused = NetworkGenerator.TryAddSource(plan, NetworkEmitter.Emit, (_, _) => throw new ArgumentException("bad hint name"));
        Assert.Contains("ArgumentException: bad hint name", refused!.GetMessage());

        Assert.Null(NetworkGenerator.TryAddSource(plan, NetworkEmitter.Emit, (name, _) => added = name));
        Assert.Equal(HintName.For("XorNet"), added);
    }

    [Fact]
    public void Three_hundred_tiny_layers_share_one_unrolling_budget()
    {
        // Each 16×16 layer unrolled is ~36 KB of C#: 300 of them were 10.9 MB and took 70 s to compile.
        string layers = string.Join("\n", Enumerable.Repeat("[Dense(16, Activation.Tanh)]", 300));
        var run = GenerateAndCompile($"using NetGen;\n[Network(Loss.MeanSquaredError)]\n[Input(16)]\n{layers}\npublic partial class Deep {{ }}\n", expectedFiles: 1);
        string text = run.Sources[0].SourceText.ToString();
        output.WriteLine($"300 Dense(16) layers: {text.Length:N0} characters emitted");
        Assert.True(text.Length < 1_500_000, $"{text.Length:N0} characters emitted");
        // The budget goes to the first layers; the rest call the kernels.
        int unrolled = CpuOps.UnrolledWeightBudget / (16 * 16);
        Assert.Equal(2 * unrolled, text.Split("weights: unrolled into scalar code").Length - 1); // in inference and in training
        Assert.Contains("global::NetGen.Kernels.DenseKernels.Forward<", text);
    }
}
