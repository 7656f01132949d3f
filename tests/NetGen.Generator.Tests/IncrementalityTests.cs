using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Tests.Support;

namespace NetGen.Generator.Tests;

/// <summary>
/// The pipeline must not redo work for edits that cannot change a network: the Parse and Plan steps'
/// outputs stay Cached or Unchanged. And it must redo it when the network does change.
/// </summary>
public sealed class IncrementalityTests
{
    private const string Unrelated = """
        namespace Other;

        public static class Helper { public static int Twice(int x) => 2 * x; }
        """;

    private static readonly string[] TrackedSteps = { TrackingNames.Parse, TrackingNames.Model, TrackingNames.Plan, TrackingNames.Lower };

    /// <summary>The steps after parsing, which an edit that only moves the class must not redo.</summary>
    private static readonly string[] StepsAfterParse = { TrackingNames.Model, TrackingNames.Plan, TrackingNames.Lower };

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun(string network)
    {
        var compilation = TestCompilation.Create(new[] { (network, "Network.cs"), (Unrelated, "Unrelated.cs") });
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().Results.Single().GeneratedSources);
        return (driver, compilation);
    }

    private static GeneratorRunResult SecondRun(GeneratorDriver driver, Compilation compilation) =>
        driver.RunGenerators(compilation).GetRunResult().Results.Single();

    private static (object Value, IncrementalStepRunReason Reason)[] Outputs(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.TryGetValue(step, out var runs), $"step '{step}' not tracked");
        var outputs = runs.SelectMany(r => r.Outputs).ToArray();
        Assert.NotEmpty(outputs);   // an empty step would make the reason checks vacuous
        return outputs;
    }

    private static void AssertNothingRecomputed(GeneratorRunResult result, string[]? steps = null)
    {
        foreach (var step in steps ?? TrackedSteps)
            Assert.All(Outputs(result, step), o => Assert.True(
                o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{step} output was {o.Reason}"));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"source output was {o.Reason}"));
    }

    [Fact]
    public void Adding_an_unrelated_file_recomputes_nothing()
    {
        var (driver, compilation) = FirstRun(SnapshotTests.FashionMlp);
        var next = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public class Another { }", TestCompilation.ParseOptions, "Another.cs"));
        AssertNothingRecomputed(SecondRun(driver, next));
    }

    [Fact]
    public void Editing_an_unrelated_file_recomputes_nothing()
    {
        var (driver, compilation) = FirstRun(SnapshotTests.Xor);
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Unrelated.cs");
        var edited = CSharpSyntaxTree.ParseText(Unrelated.Replace("2 * x", "x + x + 0"), TestCompilation.ParseOptions, "Unrelated.cs");
        AssertNothingRecomputed(SecondRun(driver, compilation.ReplaceSyntaxTree(old, edited)));
    }

    [Fact]
    public void Editing_the_network_file_below_the_class_reparses_to_an_equal_model()
    {
        // Parse re-runs (its file changed) but yields an equal model, so Plan and the output stay cached:
        // this only holds if the model has value equality all the way down.
        var (driver, compilation) = FirstRun(SnapshotTests.Bce);
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Network.cs");
        var edited = CSharpSyntaxTree.ParseText(SnapshotTests.Bce + "\n// a comment typed below the class\n", TestCompilation.ParseOptions, "Network.cs");
        var result = SecondRun(driver, compilation.ReplaceSyntaxTree(old, edited));
        AssertNothingRecomputed(result);
    }

    [Fact]
    public void A_line_typed_above_the_class_moves_it_but_recomputes_nothing_after_parsing()
    {
        // Every location in the network shifts by one line. Parse re-runs and its model differs (the analyzer needs
        // the new positions), but the location-free model is equal, so planning, lowering and the file stay cached.
        var (driver, compilation) = FirstRun(SnapshotTests.FashionMlp);
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Network.cs");
        var edited = CSharpSyntaxTree.ParseText("// a comment typed above everything\n" + SnapshotTests.FashionMlp, TestCompilation.ParseOptions, "Network.cs");
        var result = SecondRun(driver, compilation.ReplaceSyntaxTree(old, edited));
        Assert.Contains(Outputs(result, TrackingNames.Parse), o => o.Reason == IncrementalStepRunReason.Modified); // the edit was seen
        AssertNothingRecomputed(result, StepsAfterParse);
    }

    [Fact]
    public void Changing_units_recomputes_that_network()
    {
        var (driver, compilation) = FirstRun(SnapshotTests.Xor);
        string before = driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString();
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Network.cs");
        var edited = CSharpSyntaxTree.ParseText(SnapshotTests.Xor.Replace("[Dense(2, Activation.Sigmoid)]", "[Dense(3, Activation.Sigmoid)]"), TestCompilation.ParseOptions, "Network.cs");
        var result = SecondRun(driver, compilation.ReplaceSyntaxTree(old, edited));

        foreach (var step in TrackedSteps)
            Assert.Contains(Outputs(result, step), o => o.Reason == IncrementalStepRunReason.Modified);
        string after = result.GeneratedSources.Single().SourceText.ToString();
        Assert.NotEqual(before, after);
        Assert.Contains("Dense(3,Sigmoid)", after);
    }
}
