using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Tests.Support;

/// <summary>
/// Microsoft.CodeAnalysis.Testing set up for NetGen: the generator's snapshot tests, the analyzer's markup tests and the
/// code-fix tests all compile against the same references, found offline.
/// </summary>
/// <remarks>
/// The harness's stock reference sets (ReferenceAssemblies.Net.Net90, Net100) download a Microsoft.NETCore.App.Ref
/// version that the package source may not have. Instead the compilations get an empty net10.0 set plus the reference
/// pack of the SDK that runs the tests, the highest 10.0.x under the dotnet root: present wherever the tests can run,
/// whatever its patch version.
/// </remarks>
internal static class Harness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>No packages to restore: the references come from <see cref="References"/>.</summary>
    public static ReferenceAssemblies ReferenceAssemblies { get; } = new("net10.0");

    /// <summary>The SDK's net10.0 reference assemblies plus the NetGen runtime.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    /// <summary>Gives a test NetGen's references; returns it for chaining.</summary>
    public static T WithNetGen<T>(this T test) where T : AnalyzerTest<DefaultVerifier>
    {
        test.ReferenceAssemblies = ReferenceAssemblies;
        test.TestState.AdditionalReferences.AddRange(References);
        return test;
    }

    /// <summary>Runs the generator over <paramref name="source"/> and expects exactly one generated file, <paramref name="expected"/>, that compiles.</summary>
    public static Task VerifyGeneratedAsync(string source, string hintName, string expected)
    {
        var test = new CSharpSourceGeneratorTest<NetworkGenerator, DefaultVerifier>().WithNetGen();
        test.TestState.Sources.Add(source);
        test.TestState.GeneratedSources.Add((typeof(NetworkGenerator), hintName, SourceText.From(expected, Encoding.UTF8)));
        return test.RunAsync();
    }

    /// <summary>Runs the analyzer over markup such as <c>{|NG0020:Conv2D(2, 5)|}</c>: exactly the marked diagnostics, at the marked spans.</summary>
    public static Task VerifyAnalyzerAsync(string markup)
    {
        var test = new CSharpAnalyzerTest<NetworkAnalyzer, DefaultVerifier>
        {
            TestCode = markup,
            // Only NetGen's diagnostics are under test; some sources are deliberately not valid C# beyond them.
            CompilerDiagnostics = CompilerDiagnostics.None,
        }.WithNetGen();
        return test.RunAsync();
    }

    /// <summary>
    /// The diagnostics a test found, through Microsoft.CodeAnalysis.Testing: the source marked up with every one of them
    /// (<c>{|NG0005:Dense(0)|}</c>) must produce exactly those, at those spans, with their default severities.
    /// </summary>
    public static void VerifyAnalyzerReports(string source, ImmutableArray<Diagnostic> diagnostics)
    {
        if (diagnostics.Any(d => d.Id == "AD0001" || !d.Location.IsInSource)) return; // not expressible as markup
        string? markup = Mark(source, diagnostics.Select(d => (d.Location.SourceSpan, d.Id)));
        if (markup is not null) VerifyAnalyzerAsync(markup).GetAwaiter().GetResult();
    }

    /// <summary>
    /// The source with each diagnostic marked at its span, <c>{|NG0005:Dense(0)|}</c>, nesting spans that contain others;
    /// null when two spans overlap without nesting or one has no place in the source, which markup cannot express.
    /// </summary>
    public static string? Mark(string source, IEnumerable<(TextSpan Span, string Id)> diagnostics)
    {
        var marks = diagnostics.OrderBy(d => d.Span.Start).ThenByDescending(d => d.Span.End).ToList();
        for (int i = 0; i < marks.Count; i++)
            for (int j = i + 1; j < marks.Count; j++)
                if (marks[j].Span.Start < marks[i].Span.End && marks[j].Span.End > marks[i].Span.End) return null; // crossing spans
        if (marks.Any(m => m.Span.End > source.Length)) return null;

        // Insert from the end so earlier positions stay valid: at one position, closings of inner spans before outer
        // ones, and every closing before the openings of spans that start there.
        var inserts = new List<(int Position, int Order, string Text)>();
        for (int i = 0; i < marks.Count; i++)
        {
            inserts.Add((marks[i].Span.Start, 1_000_000 + i, "{|" + marks[i].Id + ":"));
            inserts.Add((marks[i].Span.End, marks[i].Span.Length == 0 ? 2_000_000 - i : -marks[i].Span.Start, "|}"));
        }
        var text = new StringBuilder(source);
        foreach (var insert in inserts.OrderByDescending(x => x.Position).ThenByDescending(x => x.Order))
            text.Insert(insert.Position, insert.Text);
        return text.ToString();
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string pack = ReferencePack();
        return Directory.EnumerateFiles(pack, "*.dll").OrderBy(p => p, StringComparer.Ordinal)
            .Append(typeof(NetGen.INetwork).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }

    /// <summary>dotnet-root/packs/Microsoft.NETCore.App.Ref/&lt;highest 10.0.x&gt;/ref/net10.0.</summary>
    private static string ReferencePack()
    {
        // The running runtime sits in dotnet-root/shared/Microsoft.NETCore.App/<version>/.
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar));
        string root = runtime.Parent?.Parent?.Parent?.FullName
            ?? throw new InvalidOperationException($"No dotnet root above the runtime directory {runtime.FullName}.");
        string packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
        var best = Directory.Exists(packs)
            ? Directory.EnumerateDirectories(packs)
                .Select(d => (Path: d, Version: Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : null))
                .Where(d => d.Version is { Major: 10, Minor: 0 } && Directory.Exists(Path.Combine(d.Path, "ref", "net10.0")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault()
            : default;
        if (best.Path is null)
            throw new InvalidOperationException($"No Microsoft.NETCore.App.Ref 10.0.x reference pack under {packs}; expected the .NET 10 SDK's.");
        return Path.Combine(best.Path, "ref", "net10.0");
    }
}
