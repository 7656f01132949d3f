using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace NetGen.Generator.Tests.Support;

/// <summary>Builds compilations from source text and runs NetGen's generator and analyzer over them.</summary>
internal static class TestCompilation
{
    public const string SourcePath = "Network.cs";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The runtime (NetGen.dll) plus every trusted platform assembly of the test host.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        var tpa = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "";
        foreach (var path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            // The test host's own assemblies (xunit, Roslyn, the generator) are not what a user compiles against.
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32", StringComparison.Ordinal)
                || name is "System" or "mscorlib" or "netstandard" or "Microsoft.CSharp" or "Microsoft.VisualBasic")
                paths.Add(path);
        }
        paths.Add(typeof(NetGen.INetwork).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    public static CSharpCompilation Create(string source, string path = SourcePath) => Create(new[] { (source, path) });

    /// <summary>A compilation of the given files; nullable is enabled where the language version has it.</summary>
    public static CSharpCompilation Create(IEnumerable<(string Source, string Path)> sources, CSharpParseOptions? parseOptions = null)
    {
        parseOptions ??= ParseOptions;
        return CSharpCompilation.Create(
            "NetGenTestAssembly",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Source, parseOptions, s.Path)),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true,
                nullableContextOptions: parseOptions.LanguageVersion >= LanguageVersion.CSharp8 ? NullableContextOptions.Enable : NullableContextOptions.Disable));
    }

    /// <summary>A driver that parses generated code as the compilation's own trees are parsed (a build uses the project's options for both).</summary>
    public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once; the result carries the generated sources and the compilation that includes them.</summary>
    public static GeneratorRun RunGenerator(CSharpCompilation compilation)
    {
        var parseOptions = compilation.SyntaxTrees.FirstOrDefault()?.Options as CSharpParseOptions;
        var driver = CreateDriver(parseOptions).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorRun(driver, driver.GetRunResult(), compilation, output, generatorDiagnostics);
    }

    public static GeneratorRun RunGenerator(string source) => RunGenerator(Create(source));

    /// <summary>NetGen's analyzer diagnostics for a compilation, sorted by position.</summary>
    public static ImmutableArray<Diagnostic> RunAnalyzer(Compilation compilation)
    {
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer());
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
            concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);
        var withAnalyzers = compilation.WithAnalyzers(analyzers, options);
        // GetAllDiagnosticsAsync includes AD0001 (analyzer threw), which the never-throws tests look for.
        return withAnalyzers.GetAllDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Id.StartsWith("NG", StringComparison.Ordinal) || d.Id == "AD0001")
            .OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
    }

    public static ImmutableArray<Diagnostic> RunAnalyzer(string source) => RunAnalyzer(Create(source));

    public static IEnumerable<Diagnostic> Errors(this IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

    public static string Format(IEnumerable<Diagnostic> diagnostics) =>
        string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));
}

/// <summary>One generator run: the driver (to run again), its result, and the updated compilation.</summary>
internal sealed record GeneratorRun(GeneratorDriver Driver, GeneratorDriverRunResult Result, Compilation Input, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public GeneratorRunResult Single => Assert.Single(Result.Results);

    public ImmutableArray<GeneratedSourceResult> Sources => Single.GeneratedSources;

    public string SourceText(string hintName) =>
        Assert.Single(Sources, s => s.HintName == hintName).SourceText.ToString();

    /// <summary>Errors in the compilation after generation: user code plus generated code.</summary>
    public ImmutableArray<Diagnostic> OutputErrors =>
        Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();

    /// <summary>Errors located in generated files only.</summary>
    public ImmutableArray<Diagnostic> GeneratedCodeErrors =>
        OutputErrors.Where(d => d.Location.SourceTree is { } tree && !Input.SyntaxTrees.Contains(tree)).ToImmutableArray();
}
