using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Tests.Support;

namespace NetGen.Generator.Tests;

/// <summary>
/// The cached model must be plain equatable data: no symbols, compilations, syntax, locations or raw arrays.
/// Any of those would keep old compilations alive and defeat incremental caching.
/// </summary>
public sealed class ModelPurityTests
{
    public static TheoryData<string> Sources => new() { SnapshotTests.Xor, SnapshotTests.Sinus, SnapshotTests.FashionMlp, SnapshotTests.Bce, SnapshotTests.EluImage };

    internal static NetworkModel ParseSingle(string source)
    {
        var compilation = TestCompilation.Create(source);
        var type = compilation.GetSymbolsWithName(_ => true, SymbolFilter.Type).OfType<INamedTypeSymbol>()
            .Single(t => t.GetAttributes().Any(a => a.AttributeClass?.Name == "NetworkAttribute"));
        return NetworkParser.Parse(type, CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Model_and_plan_hold_no_compiler_objects(string source)
    {
        var model = ParseSingle(source);
        var (plan, _) = NetworkPlanner.Plan(model);
        Assert.NotNull(plan);
        var problems = new List<string>();
        int visited = Walk(model, "model", problems) + Walk(plan!, "plan", problems);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.True(visited > 10, $"only {visited} objects visited: the walker is not looking");
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Parsing_the_same_source_twice_gives_equal_models(string source)
    {
        var first = ParseSingle(source);
        var second = ParseSingle(source);   // a separate compilation: nothing shared but the text
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        var (planA, _) = NetworkPlanner.Plan(first);
        var (planB, _) = NetworkPlanner.Plan(second);
        Assert.Equal(planA, planB);
        Assert.Equal(planA!.GetHashCode(), planB!.GetHashCode());
    }

    [Fact]
    public void Different_sources_give_different_models()
    {
        Assert.NotEqual(ParseSingle(SnapshotTests.Xor), ParseSingle(SnapshotTests.Xor.Replace("Dense(2,", "Dense(3,")));
    }

    [Fact]
    public void Walker_finds_forbidden_objects()
    {
        // Guard against a walker that never looks: it must flag a Location and a raw ImmutableArray.
        var compilation = TestCompilation.Create(SnapshotTests.Xor);
        var problems = new List<string>();
        Walk(new Holder(compilation.SyntaxTrees.First().GetRoot().GetLocation(), ImmutableArray.Create(1)), "holder", problems);
        Assert.Contains(problems, p => p.Contains("Location"));
        Assert.Contains(problems, p => p.Contains("ImmutableArray"));
    }

    private sealed record Holder(object Location, ImmutableArray<int> Items);

    private static readonly Type[] s_forbidden =
    {
        typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(AttributeData),
        typeof(SemanticModel), typeof(SyntaxToken), typeof(SyntaxReference),
    };

    /// <summary>Walks every instance field reachable from <paramref name="root"/>; returns how many objects it visited.</summary>
    private static int Walk(object root, string rootPath, List<string> problems)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(object Value, string Path)>();
        pending.Push((root, rootPath));
        int count = 0;
        while (pending.Count > 0)
        {
            var (value, path) = pending.Pop();
            var type = value.GetType();
            if (!type.IsValueType && !seen.Add(value)) continue;
            count++;

            if (s_forbidden.FirstOrDefault(f => f.IsAssignableFrom(type)) is { } bad) { problems.Add($"{path}: {type.Name} is a {bad.Name}"); continue; }
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>)) { problems.Add($"{path}: raw ImmutableArray (wrap it in EquatableArray)"); continue; }
            if (type.IsArray) { problems.Add($"{path}: raw array {type.Name} (compares by reference)"); continue; }
            if (type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(List<>) || d == typeof(Dictionary<,>) || d == typeof(HashSet<>)))
            { problems.Add($"{path}: mutable collection {type.Name}"); continue; }
            if (type.IsPrimitive || type.IsEnum || value is string || value is decimal) continue;

            // EquatableArray holds an ImmutableArray by design: look at its items instead of its field.
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Helpers.EquatableArray<>))
            {
                int i = 0;
                foreach (var item in (IEnumerable)value) { if (item is not null) pending.Push((item, $"{path}[{i}]")); i++; }
                continue;
            }

            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer) continue;
                    if (field.GetValue(value) is { } child) pending.Push((child, path + "." + field.Name.Replace("<", "").Replace(">k__BackingField", "")));
                }
        }
        return count;
    }
}
