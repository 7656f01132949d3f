using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NetGen.Generator.Tests;

/// <summary>
/// The code users copy must compile: every <c>```csharp</c> block of README.md, and every <c>&lt;code&gt;</c> example
/// in the runtime's XML docs, is compiled as a console program against NetGen.dll with the generator running.
/// </summary>
/// <remarks>
/// How a block becomes a program, so that a README example can read naturally:
/// <list type="bullet">
/// <item>Its <c>using</c> directives come first, then its statements, then its type declarations, whatever order the
/// block shows them in (a README example may declare the network above the code that uses it).</item>
/// <item>A block whose first line is <c>// continued</c> is compiled together with the block before it.</item>
/// <item>README blocks get no usings they do not write. The names the opening example leaves to the reader
/// (<see cref="ReadmePrelude"/>) are declared before its statements.</item>
/// <item>XML-doc examples, which never show usings, get the runtime's namespaces and the variables of
/// <see cref="DocPrelude"/>.</item>
/// </list>
/// </remarks>
public class DocumentationCodeTests
{
    /// <summary>Names README fragments may use undeclared: a batch of 64 Fashion-MNIST images and room for their outputs.</summary>
    const string ReadmePrelude = """
        float[] images = new float[64 * 784];
        int[] labels = new int[64];
        float[] probabilities = new float[64 * 10];
        """;

    const string DocUsings = "using System; using NetGen; using NetGen.Data; using NetGen.Training;";

    const string DocPrelude = """
        INetwork net = null!, network = null!;
        Optimizer optimizer = null!;
        Dataset train = null!, validation = null!;
        """;

    public static TheoryData<int> ReadmeBlocks()
    {
        var data = new TheoryData<int>();
        foreach (var group in Group(Blocks(File.ReadAllText(Path.Combine(Root, "README.md")), @"^```csharp[ \t]*\n(.*?)^```")))
            data.Add(group[0].Line);
        return data;
    }

    [Theory]
    [MemberData(nameof(ReadmeBlocks))]
    public void ReadmeCodeCompiles(int line)
    {
        var groups = Group(Blocks(File.ReadAllText(Path.Combine(Root, "README.md")), @"^```csharp[ \t]*\n(.*?)^```"));
        var group = Assert.Single(groups, g => g[0].Line == line);
        AssertCompiles($"README.md line {line}", group.Select(b => b.Code), usings: "", ReadmePrelude);
    }

    [Fact]
    public void TheReadmeHasCodeToCheck()
    {
        int count = Blocks(File.ReadAllText(Path.Combine(Root, "README.md")), @"^```csharp[ \t]*\n(.*?)^```").Count;
        Assert.True(count >= 3, $"found {count} csharp blocks in README.md");
    }

    [Fact]
    public void XmlDocExamplesCompile()
    {
        int examples = 0;
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Root, "src", "NetGen"), "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            // The doc comment's lines without their "///", so <code> blocks come out as plain text.
            string text = string.Join("\n", File.ReadLines(file).Select(l => l.TrimStart()).Select(l => l.StartsWith("///", StringComparison.Ordinal) ? l[3..] : ""));
            foreach (var (line, code) in Blocks(text, @"<code>[ \t]*\n(.*?)</code>"))
            {
                examples++;
                AssertCompiles($"{Path.GetRelativePath(Root, file)} line {line}", [WebUtility.HtmlDecode(code)], DocUsings, DocPrelude);
            }
        }
        Assert.True(examples >= 2, $"found {examples} <code> examples");
    }

    // The harness itself: it must fail broken code and must run the generator, or the tests above prove nothing.

    [Fact]
    public void TheHarnessReportsCodeThatDoesNotCompile()
    {
        var error = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            AssertCompiles("broken", ["using NetGen;\nvar sgd = new Sgd(0.1f);\nsgd.Stepp();"], "", ""));
        Assert.Contains("CS1061", error.Message);
        Assert.Contains("broken", error.Message);
    }

    [Fact]
    public void TheHarnessRunsTheGeneratorAndOrdersStatementsBeforeTypes() =>
        AssertCompiles("generated", [
            "using NetGen;\n[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\npublic partial class Tiny { }\n",
            "// continued\nvar net = new Tiny(seed: 1);\nnet.Predict(new float[2], new float[1], 1);\n"], "", "");

    static void AssertCompiles(string where, IEnumerable<string> blocks, string usings, string prelude)
    {
        string program = Assemble(blocks, usings, prelude);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("DocumentationExample",
            [CSharpSyntaxTree.ParseText(program, parse, "Example.cs")], References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var generatorDiagnostics);
        var errors = generatorDiagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0,
            $"The code at {where} does not compile:\n{string.Join("\n", errors.Select(e => e.ToString()))}\n--- as compiled ---\n{program}");
    }

    /// <summary>Usings, prelude, statements, then types: each block parsed alone, its parts merged in order.</summary>
    static string Assemble(IEnumerable<string> blocks, string usings, string prelude)
    {
        var head = new StringBuilder(usings).Append('\n');
        var statements = new StringBuilder(prelude).Append('\n');
        var types = new StringBuilder();
        foreach (string block in blocks)
        {
            var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(block, new CSharpParseOptions(LanguageVersion.Latest)).GetRoot();
            foreach (var u in root.Usings) head.Append(u.ToFullString().Trim()).Append('\n');
            foreach (var a in root.AttributeLists) head.Append(a.ToFullString().Trim()).Append('\n');
            foreach (var member in root.Members)
                (member is GlobalStatementSyntax ? statements : types).Append(member.ToFullString().TrimEnd()).Append('\n');
        }
        return head.Append(statements).Append(types).ToString();
    }

    /// <summary>The first capture group of every match of <paramref name="pattern"/>, with the line it starts on.</summary>
    static List<(int Line, string Code)> Blocks(string text, string pattern)
    {
        text = text.Replace("\r\n", "\n");
        return Regex.Matches(text, pattern, RegexOptions.Singleline | RegexOptions.Multiline)
            .Select(m => (text.AsSpan(0, m.Groups[1].Index).Count('\n') + 1, m.Groups[1].Value))
            .ToList();
    }

    /// <summary>Blocks that begin with "// continued" join the group before them.</summary>
    static List<List<(int Line, string Code)>> Group(List<(int Line, string Code)> blocks)
    {
        var groups = new List<List<(int Line, string Code)>>();
        foreach (var block in blocks)
        {
            if (block.Code.TrimStart().StartsWith("// continued", StringComparison.Ordinal) && groups.Count > 0) groups[^1].Add(block);
            else groups.Add([block]);
        }
        return groups;
    }

    static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln"))) return dir.FullName;
            throw new InvalidOperationException($"No NetGen.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>What a user's program compiles against: the platform (not the test host's xunit or Roslyn) and NetGen.dll.</summary>
    static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return tpa.Where(p => Path.GetFileNameWithoutExtension(p) is var name
                              && (name.StartsWith("System.", StringComparison.Ordinal) || name is "System" or "mscorlib" or "netstandard"))
            .Append(typeof(INetwork).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    });
}
