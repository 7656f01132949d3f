using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NetGen.Generator.Tests.Support;
using Xunit.Abstractions;

namespace NetGen.Generator.Tests;

/// <summary>
/// A fuzz of random (fixed-seed) declarations, nonsense and half-typed ones included, with every hazard the generated
/// half of a class can trip on: keyword and case-twin names, user members named like generated ones, primary
/// constructors, static and file-local classes, base classes, C# 6 to latest, line breaks in layer names, layers split
/// across files, broken attribute syntax.
/// For each network it asserts that neither the generator nor the analyzer threw, and that whatever the generator
/// emitted compiles, unless the analyzer reported an NG error that explains why it does not.
/// Declarations are compiled many at a time, each in its own namespace and files, and errors are traced back to
/// the network by file: 10,000 declarations take about a minute on two busy cores.
/// </summary>
public sealed class NeverThrowsTests(ITestOutputHelper output)
{
    private const int Seed = 20240611;
    private const int Declarations = 10_000;
    private const int DeclarationsPerCompilation = 80;

    private static readonly string[] Ints = { "0", "1", "2", "3", "4", "7", "16", "-1", "-5", "int.MaxValue", "int.MinValue", "65536", "100000" };
    private static readonly string[] Activations =
    {
        "Activation.Identity", "Activation.Sigmoid", "Activation.Tanh", "Activation.ReLU", "Activation.LeakyReLU", "Activation.ELU",
        "Activation.Softmax", "(Activation)42", "(Activation)(-1)",
    };
    private static readonly string[] Alphas = { "0.2", "1", "0", "-1", "double.NaN", "double.PositiveInfinity", "1e308", "1e-300" };
    private static readonly string[] Rates = { "0.5", "0", "0.0", "1", "-0.1", "0.999999", "double.NaN", "1.5" };
    private static readonly string[] Losses = { "Loss.MeanSquaredError", "Loss.CrossEntropy", "Loss.BinaryCrossEntropy", "(Loss)42", "(Loss)(-1)" };
    // As C# literal contents: quotes, backslashes, comment enders, and every character C# reads as a line break.
    private static readonly string[] LayerNames = { "hidden", "a\\\"b", "x\\ny", "*/", "", "line\\r\\nbreak", "cr\\ronly", "é", "ls\\u2028ps\\u2029", "nel\\u0085", "tab\\tbell\\a" };
    private static readonly string[] Broken =
    {
        "[Dense(", "[Dense(3, Activation.Nope)]", "[Dense(\"three\")]", "[Input(2.5)]", "[Dropout()]", "[Dense(3) Name = 1]",
        "[Input(1, 2, 3)", "[Dense(units: 4, activation: Activation.ReLU)]", "[Dense(4, Init = (Init)9)]", "[Dense(4, Bias = null)]",
        "[Conv2D(2, 3, Padding = (Padding)7)]", "[MaxPool2D(]", "[Network(Loss.CrossEntropy)]",
    };

    /// <summary>Namespace parts: keywords, contextual keywords, and names the generated code must not resolve against.</summary>
    private static readonly string[] NamespaceParts = { "@class", "@int", "@namespace", "record", "var", "System", "NetGen", "Kernels", "Inner" };

    /// <summary>Class names (as source text; the escaped ones are keywords): keywords, names of generated members, non-ASCII, generic.</summary>
    private static readonly string[] ClassNames =
    {
        "@class", "@int", "@partial", "record", "var", "Forward", "Predict", "Seed", "Layers", "_parameters", "_a1", "EnsureCapacity",
        "Ünïcode", "Net_1", "\\u0046uzzEscaped", "Fuzzed<T>", "Fuzzed<T, U>",
    };

    private static readonly string[] Modifiers =
    {
        "public partial", "partial", "internal sealed partial", "public abstract partial", "public static partial", "static partial",
        "file partial", "public unsafe partial", "public",
    };

    /// <summary>User members; {0} is the class name as source text. Some clash with generated members, some are legal overloads.</summary>
    private static readonly string[] Members =
    {
        "public int Seed => 1;",
        "public void Forward(System.ReadOnlySpan<float> input, System.Span<float> output) { }",
        "public float[] Forward(float[] input) => input;",
        "public void Predict(float[] inputs) { }",
        "public int Predict(System.ReadOnlySpan<float> a, System.Span<float> b, int c) => c;",
        "private float[] _parameters = new float[1];",
        "private readonly int _seed;",
        "public {0}(int seed) { }",
        "public {0}() { }",
        "public {0}(long seed) : this() { }",
        "public {0}(string name) { }",
        "static {0}() { }",
        "private int _a1;",
        "private int _d2;",
        "private int _m3, _arg4, _col5;",
        "private int _a1x;",
        "public class Layers { }",
        "public event System.Action Loss;",
        "private void EnsureCapacity(int batch) { }",
        "private void EnsureCapacity(long batch) { }",
        "private void RunInference<T>(System.ReadOnlySpan<float> inputs, System.Span<float> outputs, int batch) { }",
        "public float TrainBatch(System.ReadOnlySpan<float> inputs, System.ReadOnlySpan<float> targets, int batchSize) => 0;",
        "public float TrainBatch(float[] inputs, int[] labels) => 0;",
        "public int TrainingStep;",
        "private int _count; public int Count => _count;",
        "public override string ToString() => nameof({0});",
        "public void Use() { var n = this; n.Forward(new float[0], default); }",
    };

    private static readonly (string Name, LanguageVersion Version)[] LanguageVersions =
    {
        ("6", LanguageVersion.CSharp6), ("7.3", LanguageVersion.CSharp7_3), ("8", LanguageVersion.CSharp8), ("9", LanguageVersion.CSharp9),
        ("10", LanguageVersion.CSharp10), ("latest", LanguageVersion.Latest),
    };

    private static T Pick<T>(Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>One random declaration: its network(s), each with the files it is declared in.</summary>
    internal sealed record Declaration(int Index, IReadOnlyList<Network> Networks, IReadOnlyList<string> Hazards);

    /// <summary>One [Network] class (or would-be one): the full name the generator writes in its header, and its files.</summary>
    internal sealed record Network(string FullName, IReadOnlyList<(string Path, string Source)> Files);

    internal static Declaration RandomDeclaration(Random r, int index)
    {
        var hazards = new List<string>();
        string tag = "Case" + Number(index);

        // The container: a namespace of its own (so declarations can share a compilation), sometimes with keyword parts.
        string? ns = tag;
        if (r.Next(6) == 0) { string part = Pick(r, NamespaceParts); ns = r.Next(2) == 0 ? part + "." + tag : tag + "." + part; hazards.Add("namespace part " + part); }
        string className = "Fuzzed";
        if (r.Next(14) == 0) { ns = null; className = "Global" + Number(index); hazards.Add("global namespace"); }
        else if (r.Next(6) == 0) { className = Pick(r, ClassNames); hazards.Add("class name " + className); }

        string modifiers = r.Next(5) == 0 ? Pick(r, Modifiers) : "public partial";
        if (modifiers != "public partial") hazards.Add("modifiers " + modifiers);
        string primary = "";
        if (r.Next(15) == 0) { primary = r.Next(2) == 0 ? "(int size)" : "()"; hazards.Add("primary constructor"); }

        // A base class: the generated constructors call base(), which must exist.
        string baseList = "", baseClass = "";
        if (r.Next(15) == 0)
        {
            string name = "Base" + Number(index);
            baseList = " : " + name;
            baseClass = Pick(r, new[]
            {
                $"public class {name} {{ public {name}(int x) {{ }} }}",
                $"public class {name} {{ private {name}() {{ }} public {name}(int x) {{ }} }}",
                $"public class {name} {{ protected {name}() {{ }} }}",
                $"public class {name} {{ public {name}(int x = 0, params int[] more) {{ }} }}",
                $"public abstract class {name} {{ public int Seed => 0; }}",
            });
            hazards.Add("base class");
        }

        var members = new List<string>();
        if (r.Next(4) == 0)
        {
            string bareName = className.Split('<')[0];
            for (int m = 1 + r.Next(2); m > 0; m--) members.Add(Pick(r, Members).Replace("{0}", bareName));
            hazards.Add("members");
        }

        var attributes = RandomAttributes(r);
        bool split = r.Next(10) == 0 && attributes.Count >= 2;
        string body = r.Next(25) == 0 ? "{" : "{ " + string.Join(" ", members) + " }"; // an unclosed class now and then
        string declarationLine = $"{modifiers} class {className}{primary}{baseList} {body}{(baseClass.Length > 0 ? "\n" + baseClass : "")}";

        var files = new List<(string, string)>();
        if (split)
        {
            // Half the attributes on a second partial declaration in a second file.
            int cut = 1 + r.Next(attributes.Count - 1);
            files.Add((tag + ".cs", File(ns, attributes.Take(cut), declarationLine)));
            files.Add((tag + ".Part2.cs", File(ns, attributes.Skip(cut), $"partial class {className} {{ }}")));
            hazards.Add("split across files");
        }
        else files.Add((tag + ".cs", File(ns, attributes, declarationLine)));

        string Unescaped(string name) => name.TrimStart('@').Replace("\\u0046", "F").Split('<')[0];
        var networks = new List<Network> { new((ns is null ? "" : UnescapedNamespace(ns) + ".") + Unescaped(className), files) };

        // A case twin: a second network whose full name differs only in case (N.Net and N.NET clash in hint names).
        if (ns is not null && r.Next(12) == 0)
        {
            string twin = className == "Fuzzed" ? "FUZZED" : "Twin" + Number(index);
            networks.Add(new(UnescapedNamespace(ns) + "." + twin,
                new[] { (tag + ".Twin.cs", File(ns, new[] { "[Network(Loss.MeanSquaredError)]", "[Input(2)]", "[Dense(1)]" }, $"public partial class {twin} {{ }}")) }));
            hazards.Add("case twin");
        }
        return new Declaration(index, networks, hazards);
    }

    private static string UnescapedNamespace(string ns) => string.Join(".", ns.Split('.').Select(p => p.TrimStart('@')));

    private static string File(string? ns, IEnumerable<string> attributes, string declaration)
    {
        var s = new StringBuilder();
        s.AppendLine("using NetGen;");
        // Block-scoped: the same text is valid in every language version the fuzz uses.
        if (ns is not null) s.AppendLine($"namespace {ns}").AppendLine("{");
        foreach (var a in attributes) s.AppendLine(a);
        s.AppendLine(declaration);
        if (ns is not null) s.AppendLine("}");
        return s.ToString();
    }

    /// <summary>
    /// Attributes: a quarter of the declarations get only valid values, so that enough networks are emitted; the rest anything.
    /// (Compiling the emitted code is most of the test's time.)
    /// </summary>
    private static List<string> RandomAttributes(Random r)
    {
        bool nasty = r.Next(4) != 0;
        bool Bad(int oneIn) => nasty && r.Next(oneIn) == 0;
        var attributes = new List<string>();
        if (!Bad(8)) attributes.Add($"[Network({(Bad(2) ? Pick(r, Losses) : Losses[0])})]");

        bool image = r.Next(3) == 0;
        bool sequence = !image && r.Next(2) == 0;
        bool tokens = !image && !sequence && r.Next(3) == 0;
        int inputs = Bad(8) ? r.Next(3) * 2 : 1;
        for (int i = 0; i < inputs; i++)
        {
            int rank = Bad(5) ? Pick(r, new[] { 0, 2, 4 }) : image ? 3 : sequence ? 2 : 1;
            attributes.Add($"[Input({string.Join(", ", Enumerable.Range(0, rank).Select(_ => Bad(6) ? Pick(r, Ints) : Number(image ? 3 + r.Next(6) : 1 + r.Next(6))))})]");
        }
        // Token ids: an Embedding first (sometimes misplaced, for NG0031).
        if (tokens) attributes.Add($"[Embedding({(Bad(6) ? Pick(r, Ints) : Number(2 + r.Next(9)))}, {Number(1 + r.Next(4))}{(r.Next(5) == 0 ? ", Trainable = false" : "")})]");
        int layers = 1 + r.Next(5);
        for (int i = 0; i < layers; i++)
        {
            string name = r.Next(5) == 0 ? $", Name = \"{Pick(r, LayerNames)}\"" : "";
            string recurrentOptions = (r.Next(2) == 0 ? ", ReturnSequences = true" : "") + (r.Next(4) == 0 ? ", Stateful = true" : "")
                + (r.Next(5) == 0 ? $", Init = {Pick(r, new[] { "Init.He", "Init.Glorot", "Init.FanIn", nasty ? "(Init)9" : "Init.Default" })}" : "")
                + (r.Next(5) == 0 ? ", Trainable = false" : "") + name;
            switch (r.Next(image ? 20 : sequence || tokens ? 24 : 16))
            {
                case 20 or 21:
                    attributes.Add($"[LSTM({(Bad(6) ? Pick(r, Ints) : Number(1 + r.Next(4)))}{(r.Next(4) == 0 ? $", ForgetGateBias = {(Bad(2) ? Pick(r, Alphas) : "1")}" : "")}{recurrentOptions})]");
                    break;
                case 22:
                    attributes.Add($"[SimpleRNN({Number(1 + r.Next(4))}{(r.Next(3) == 0 ? ", " + Pick(r, Activations.Take(Bad(3) ? Activations.Length : 4).ToArray()) : "")}{recurrentOptions})]");
                    break;
                case 23: attributes.Add($"[Embedding({Number(2 + r.Next(5))}, {Number(1 + r.Next(3))}{name})]"); break;
                case 0: attributes.Add(r.Next(2) == 0 ? "[Flatten]" : $"[Flatten(Name = \"{Pick(r, LayerNames)}\")]"); break;
                case 1: attributes.Add($"[Dropout({(Bad(2) ? Pick(r, Rates) : "0.25")}{name})]"); break;
                case 2 when nasty: attributes.Add(Pick(r, Broken)); break;
                case 16 or 17:
                    attributes.Add($"[Conv2D({Number(1 + r.Next(3))}, {Number(1 + r.Next(3))}{(r.Next(3) == 0 ? ", Padding = 1" : "")}{(r.Next(3) == 0 ? ", Activation = Activation.ReLU" : "")}{name})]");
                    break;
                case 18: attributes.Add($"[MaxPool2D({Number(1 + r.Next(2))}{name})]"); break;
                case 19: attributes.Add($"[AvgPool2D({Number(1 + r.Next(2))}{name})]"); break;
                default:
                {
                    var args = new List<string> { Bad(6) ? Pick(r, Ints) : Number(1 + r.Next(5)) };
                    if (r.Next(3) > 0) args.Add(Pick(r, Activations.Take(Bad(3) ? Activations.Length : 6).ToArray()));
                    if (r.Next(4) == 0) args.Add($"Alpha = {(Bad(2) ? Pick(r, Alphas) : "0.2")}");
                    if (r.Next(5) == 0) args.Add("Bias = false");
                    if (r.Next(5) == 0) args.Add("Trainable = false");
                    if (r.Next(6) == 0) args.Add($"Init = {Pick(r, new[] { "Init.He", "Init.Glorot", "Init.FanIn", nasty ? "(Init)9" : "Init.Default" })}");
                    if (Bad(8)) args.Add($"Activation = {Pick(r, Activations)}");
                    attributes.Add($"[Dense({string.Join(", ", args)}{name})]");
                    break;
                }
            }
        }
        // Inputs anywhere in the list, not just first.
        return attributes.OrderBy(_ => r.Next(4) == 0 ? r.Next() : 0).ToList();
    }

    /// <summary>What happened to the networks of one compilation.</summary>
    private sealed class Tally
    {
        public int Networks, Emitted, Clean, WithNgErrors, Skipped;
        public readonly ConcurrentBag<string> Defects = new();
        public readonly ConcurrentDictionary<string, int> NgIds = new();
        public readonly ConcurrentDictionary<string, int> Hazards = new();
    }

    [Fact]
    public void Random_declarations_never_crash_and_emitted_code_compiles_or_has_an_NG_error()
    {
        var timer = Stopwatch.StartNew();
        var random = new Random(Seed);
        var declarations = Enumerable.Range(0, Declarations).Select(i => RandomDeclaration(random, i)).ToArray();
        var batches = declarations.Chunk(DeclarationsPerCompilation)
            .Select((chunk, i) => (Declarations: chunk, Language: LanguageVersions[i % LanguageVersions.Length]))
            .ToArray();

        var tally = new Tally();
        foreach (var d in declarations) foreach (var h in d.Hazards) tally.Hazards.AddOrUpdate(Regex.Replace(h, " .*", ""), 1, (_, n) => n + 1);
        Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, batch => CheckBatch(batch.Declarations, batch.Language.Version, tally));

        output.WriteLine($"{Declarations} declarations, {tally.Networks} networks tried in {batches.Length} compilations, {timer.Elapsed.TotalSeconds:F1} s");
        output.WriteLine($"  emitted and compiled: {tally.Emitted} ({tally.Clean} clean: no NG diagnostic at all, {tally.Emitted - tally.Clean} with NG warnings or info, or errors of the user's own)");
        output.WriteLine($"  rejected with an NG error: {tally.WithNgErrors}");
        output.WriteLine($"  not emitted, no NG error (no [Network], or the compiler's own errors): {tally.Skipped}");
        output.WriteLine($"  defects: {tally.Defects.Count}");
        output.WriteLine("  defects by kind: " + string.Join(", ", tally.Defects.GroupBy(d => d.Substring(0, Math.Max(0, d.IndexOf(" (", StringComparison.Ordinal)))).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} ×{g.Count()}")));
        output.WriteLine("  NG ids: " + string.Join(", ", tally.NgIds.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} ×{p.Value}")));
        output.WriteLine("  hazards: " + string.Join(", ", tally.Hazards.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} ×{p.Value}")));

        Assert.True(tally.Defects.IsEmpty, $"{tally.Defects.Count} defect(s); first ones:{Environment.NewLine}{string.Join(Environment.NewLine + Environment.NewLine, tally.Defects.OrderBy(d => d, StringComparer.Ordinal).DistinctBy(d => d.Split('\n')[0]).Take(8))}");
        // The generator must be exercised on both sides, or the test proves little.
        Assert.True(tally.Emitted >= Declarations / 10, $"only {tally.Emitted} networks emitted code");
        Assert.True(tally.WithNgErrors >= Declarations / 10, $"only {tally.WithNgErrors} networks were rejected");
    }

    private static readonly Regex s_header = new(@"^// NetGen: (.*), compiled to straight-line C#\.$", RegexOptions.Multiline);

    private static void CheckBatch(IReadOnlyList<Declaration> declarations, LanguageVersion language, Tally tally)
    {
        // Nullable analysis is most of a compilation's time and reports warnings only: the fuzz looks for errors.
        var parseOptions = new CSharpParseOptions(language).WithFeatures(new[] { new KeyValuePair<string, string>("run-nullable-analysis", "never") });
        var networkOf = new Dictionary<string, (Declaration Declaration, Network Network)>(StringComparer.Ordinal);   // by file path
        var byFullName = new Dictionary<string, (Declaration Declaration, Network Network)>(StringComparer.Ordinal);
        var trees = new List<SyntaxTree>();
        foreach (var d in declarations)
            foreach (var n in d.Networks)
            {
                byFullName[n.FullName] = (d, n);
                foreach (var (path, source) in n.Files)
                {
                    networkOf[path] = (d, n);
                    trees.Add(CSharpSyntaxTree.ParseText(source, parseOptions, path));
                }
            }

        var input = CSharpCompilation.Create("Fuzz", trees, TestCompilation.References,
            // Compilations already run in parallel, one per core: no nested parallelism.
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, concurrentBuild: false,
                nullableContextOptions: language >= LanguageVersion.CSharp8 ? NullableContextOptions.Enable : NullableContextOptions.Disable));
        var driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: parseOptions);

        Compilation compilation;
        ImmutableArray<Diagnostic> generatorDiagnostics;
        GeneratorRunResult run;
        try
        {
            run = driver.RunGeneratorsAndUpdateCompilation(input, out compilation, out generatorDiagnostics).GetRunResult().Results.Single();
        }
        catch (Exception e)
        {
            tally.Defects.Add($"the generator driver threw on a compilation ({language}): {e}");
            return;
        }
        if (run.Exception is not null || generatorDiagnostics.Any(d => d.Id is "CS8784" or "CS8785"))
        {
            // One exception drops every network of the compilation: find the declarations that cause it.
            string why = run.Exception?.ToString() ?? generatorDiagnostics.First(d => d.Id is "CS8784" or "CS8785").GetMessage(CultureInfo.InvariantCulture);
            foreach (var d in declarations)
            {
                var alone = input.RemoveAllSyntaxTrees().AddSyntaxTrees(trees.Where(t => networkOf[t.FilePath].Declaration == d));
                var result = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: parseOptions).RunGenerators(alone).GetRunResult();
                if (result.Results.Single().Exception is not null || result.Diagnostics.Any(x => x.Id is "CS8784" or "CS8785"))
                    tally.Defects.Add($"generator threw ({language}): {why}{Environment.NewLine}{Describe(d)}");
            }
            return;
        }

        // The analyzer runs on the compilation with the generated code, as in a build: it must not mistake generated members for the user's.
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer());
        var all = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false))
            .GetAllDiagnosticsAsync().GetAwaiter().GetResult()
            .Concat(generatorDiagnostics);

        var generatedFullName = run.GeneratedSources.ToDictionary(s => s.SyntaxTree.FilePath, s => s.SyntaxTree.ToString() is var text && s_header.Match(text) is { Success: true } m ? m.Groups[1].Value : "?");
        (Declaration, Network)? Owner(Location location)
        {
            if (location.SourceTree is not { } tree) return null;
            if (networkOf.TryGetValue(tree.FilePath, out var owner)) return owner;
            if (generatedFullName.TryGetValue(tree.FilePath, out var fullName) && byFullName.TryGetValue(fullName, out owner)) return owner;
            return null;
        }

        var perNetwork = new Dictionary<Network, List<Diagnostic>>();
        foreach (var diagnostic in all)
        {
            if (diagnostic.Id == "AD0001" || diagnostic.Id == "NG9999")
            {
                var owner = Owner(diagnostic.Location);
                tally.Defects.Add($"{(diagnostic.Id == "AD0001" ? "analyzer threw" : "internal error")} ({language}): {diagnostic}{Environment.NewLine}{(owner is { } o ? Describe(o.Item1) : "(no declaration)")}");
                continue;
            }
            if (diagnostic.Severity < DiagnosticSeverity.Info && !diagnostic.Id.StartsWith("NG", StringComparison.Ordinal)) continue;
            if (Owner(diagnostic.Location) is { } found)
            {
                if (!perNetwork.TryGetValue(found.Item2, out var list)) perNetwork[found.Item2] = list = new List<Diagnostic>();
                list.Add(diagnostic);
            }
            else if (diagnostic.Severity == DiagnosticSeverity.Error)
                tally.Defects.Add($"an error no declaration owns ({language}): {diagnostic}");
        }

        var emittedNetworks = new HashSet<string>(generatedFullName.Values, StringComparer.Ordinal);
        foreach (var d in declarations)
            foreach (var network in d.Networks)
            {
                Interlocked.Increment(ref tally.Networks);
                var diagnostics = perNetwork.TryGetValue(network, out var list) ? list : new List<Diagnostic>();
                var ng = diagnostics.Where(x => x.Id.StartsWith("NG", StringComparison.Ordinal)).ToList();
                foreach (var x in ng) tally.NgIds.AddOrUpdate(x.Id, 1, (_, n) => n + 1);
                bool ngError = ng.Any(x => x.Severity == DiagnosticSeverity.Error);
                bool emitted = emittedNetworks.Contains(network.FullName);

                // Errors the generated code brought in: in generated files, or in the user's files but not there before.
                var errors = diagnostics.Where(x => x.Severity == DiagnosticSeverity.Error && !x.Id.StartsWith("NG", StringComparison.Ordinal)).ToList();
                var before = new HashSet<(string, int)>();
                foreach (var tree in input.SyntaxTrees.Where(t => errors.Any(e => e.Location.SourceTree?.FilePath == t.FilePath)))
                    foreach (var e in input.GetSemanticModel(tree).GetDiagnostics().Where(x => x.Severity == DiagnosticSeverity.Error))
                        before.Add((e.Id, e.Location.SourceSpan.Start));
                var added = errors.Where(e => !networkOf.ContainsKey(e.Location.SourceTree!.FilePath) || !before.Contains((e.Id, e.Location.SourceSpan.Start))).ToList();

                if (emitted && ngError)
                    tally.Defects.Add($"emitted despite an NG error ({language}): {string.Join("; ", ng)}{Environment.NewLine}{Describe(d)}");
                else if (added.Count > 0 && !ngError)
                    tally.Defects.Add($"emitted code does not compile and no NG error says why ({language}): {TestCompilation.Format(added.Take(3))}{Environment.NewLine}{Describe(d)}");
                else if (emitted)
                {
                    Interlocked.Increment(ref tally.Emitted);
                    if (ng.Count == 0 && errors.Count == 0) Interlocked.Increment(ref tally.Clean);
                }
                else if (ngError) Interlocked.Increment(ref tally.WithNgErrors);
                else Interlocked.Increment(ref tally.Skipped);
            }
    }

    private static string Describe(Declaration d) =>
        $"declaration {d.Index} [{string.Join(", ", d.Hazards)}]:{Environment.NewLine}" +
        string.Join(Environment.NewLine, d.Networks.SelectMany(n => n.Files).Select(f => $"--- {f.Path}{Environment.NewLine}{f.Source}"));
}
