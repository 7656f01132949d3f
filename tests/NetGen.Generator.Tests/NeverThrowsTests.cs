using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Tests.Support;
using Xunit.Abstractions;

namespace NetGen.Generator.Tests;

/// <summary>
/// Random (fixed-seed) declarations, including nonsense and half-typed ones: the generator and the analyzer must never
/// throw, and whatever the generator emits must compile.
/// </summary>
public sealed class NeverThrowsTests(ITestOutputHelper output)
{
    private const int Seed = 20240611;
    private const int Cases = 300;

    private static readonly string[] Ints = { "0", "1", "2", "3", "4", "7", "16", "-1", "-5", "int.MaxValue", "int.MinValue", "65536", "100000" };
    private static readonly string[] Activations =
    {
        "Activation.Identity", "Activation.Sigmoid", "Activation.Tanh", "Activation.ReLU", "Activation.LeakyReLU", "Activation.ELU",
        "Activation.Softmax", "(Activation)42", "(Activation)(-1)",
    };
    private static readonly string[] Alphas = { "0.2", "1", "0", "-1", "double.NaN", "double.PositiveInfinity", "1e308", "1e-300" };
    private static readonly string[] Rates = { "0.5", "0", "0.0", "1", "-0.1", "0.999999", "double.NaN", "1.5" };
    private static readonly string[] Losses = { "Loss.MeanSquaredError", "Loss.CrossEntropy", "Loss.BinaryCrossEntropy", "(Loss)42", "(Loss)(-1)" };
    private static readonly string[] Names = { "hidden", "a\\\"b", "x\\ny", "*/", "", "line\\r\\nbreak", "é" };
    private static readonly string[] Broken =
    {
        "[Dense(", "[Dense(3, Activation.Nope)]", "[Dense(\"three\")]", "[Input(2.5)]", "[Dropout()]", "[Dense(3) Name = 1]",
        "[Input(1, 2, 3)", "[Dense(units: 4, activation: Activation.ReLU)]", "[Dense(4, Init = (Init)9)]", "[Dense(4, Bias = null)]",
    };

    private static T Pick<T>(Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];

    internal static string RandomSource(Random r)
    {
        var s = new StringBuilder();
        s.AppendLine("using NetGen;");
        bool ns = r.Next(3) == 0;
        if (ns) s.AppendLine("namespace Fuzz.Space;");
        s.AppendLine();
        if (r.Next(8) != 0) s.AppendLine($"[Network({(r.Next(2) == 0 ? Losses[0] : Pick(r, Losses))})]");

        var attributes = new List<string>();
        int inputs = r.Next(16) switch { 0 => 0, 1 => 2, _ => 1 };
        for (int i = 0; i < inputs; i++)
        {
            int rank = r.Next(10) switch { 0 => 0, 1 => 2, 2 => 4, 3 or 4 => 3, _ => 1 };
            attributes.Add($"[Input({string.Join(", ", Enumerable.Range(0, rank).Select(_ => r.Next(6) == 0 ? Pick(r, Ints) : (1 + r.Next(6)).ToString(CultureInfo.InvariantCulture)))})]");
        }
        int layers = 1 + r.Next(5);
        for (int i = 0; i < layers; i++)
        {
            switch (r.Next(16))
            {
                case 0: attributes.Add("[Flatten]"); break;
                case 1: attributes.Add($"[Flatten(Name = \"{Pick(r, Names)}\")]"); break;
                case 2 or 3: attributes.Add($"[Dropout({(r.Next(2) == 0 ? "0.25" : Pick(r, Rates))})]"); break;
                case 4: attributes.Add(Pick(r, Broken)); break;
                default:
                {
                    var args = new List<string> { r.Next(6) == 0 ? Pick(r, Ints) : (1 + r.Next(5)).ToString(CultureInfo.InvariantCulture) };
                    if (r.Next(3) > 0) args.Add(Pick(r, Activations.Take(r.Next(4) == 0 ? Activations.Length : 6).ToArray()));
                    if (r.Next(4) == 0) args.Add($"Alpha = {Pick(r, Alphas)}");
                    if (r.Next(5) == 0) args.Add("Bias = false");
                    if (r.Next(5) == 0) args.Add("Trainable = false");
                    if (r.Next(6) == 0) args.Add($"Init = {Pick(r, new[] { "Init.He", "Init.Glorot", "Init.FanIn", "(Init)9" })}");
                    if (r.Next(5) == 0) args.Add($"Name = \"{Pick(r, Names)}\"");
                    if (r.Next(8) == 0) args.Add($"Activation = {Pick(r, Activations)}");
                    attributes.Add($"[Dense({string.Join(", ", args)})]");
                    break;
                }
            }
        }
        // Inputs anywhere in the list, not just first.
        foreach (var a in attributes.OrderBy(_ => r.Next(4) == 0 ? r.Next() : 0)) s.AppendLine(a);

        s.AppendLine(r.Next(20) switch
        {
            0 => "public class Fuzzed { }",
            1 => "public partial class Fuzzed<T> { }",
            2 => "public partial class Fuzzed { private int _count; public int Count => _count; }",
            3 => "public partial class Fuzzed {",
            _ => "public partial class Fuzzed { }",
        });
        return s.ToString();
    }

    [Fact]
    public void Random_declarations_never_crash_and_emitted_code_compiles()
    {
        var random = new Random(Seed);
        int emitted = 0, rejected = 0;
        var failures = new List<string>();
        for (int i = 0; i < Cases; i++)
        {
            string source = RandomSource(random);
            string? failure = Check(source, ref emitted, ref rejected);
            if (failure is not null) failures.Add($"case {i}: {failure}{Environment.NewLine}{source}");
        }
        output.WriteLine($"{emitted} emitted, {rejected} rejected of {Cases}");
        Assert.True(failures.Count == 0, $"{failures.Count} failing case(s); first ones:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(5))}");
        // The generator must be exercised on both sides, or the test proves little.
        Assert.True(emitted >= 20, $"only {emitted} cases emitted code");
        Assert.True(rejected >= 20, $"only {rejected} cases were rejected");
    }

    private static string? Check(string source, ref int emitted, ref int rejected)
    {
        var compilation = TestCompilation.Create(source);
        GeneratorRun run;
        try { run = TestCompilation.RunGenerator(compilation); }
        catch (Exception e) { return "driver threw " + e; }

        var result = run.Single;
        if (result.Exception is not null) return "generator threw " + result.Exception;
        if (run.GeneratorDiagnostics.FirstOrDefault(d => d.Id is "CS8785" or "CS8784") is { } failed) return "generator failed: " + failed;

        var analyzer = TestCompilation.RunAnalyzer(compilation);
        if (analyzer.FirstOrDefault(d => d.Id == "AD0001") is { } crashed) return "analyzer threw: " + crashed.GetMessage();
        if (analyzer.FirstOrDefault(d => d.Id == "NG9999") is { } internalError) return "internal error: " + internalError.GetMessage();

        if (result.GeneratedSources.Length == 0) { rejected++; return null; }
        emitted++;
        if (analyzer.Errors().FirstOrDefault() is { } error) return "generated code despite analyzer error " + error;
        var generatedErrors = run.GeneratedCodeErrors;
        if (generatedErrors.Length > 0) return "generated code does not compile: " + TestCompilation.Format(generatedErrors.Take(3));
        return null;
    }
}
