using System;
using System.Collections.Generic;

namespace NetGen.Generator.Emit;

/// <summary>
/// Every member name the generated half of a network class declares, in one place: a user member of the same name
/// would not compile next to it (NG0016), nor would a class of that name (NG0017: a member cannot be named like its class).
/// A new generated member must be added here.
/// </summary>
internal static class GeneratedMembers
{
    /// <summary>Generated methods, with their parameter lists as the symbol display writes them.</summary>
    private static readonly Dictionary<string, string[]> s_methods = new(StringComparer.Ordinal)
    {
        ["Forward"] = new[] { "System.ReadOnlySpan<float>, System.Span<float>" },
        ["Predict"] = new[] { "System.ReadOnlySpan<float>, System.Span<float>, int" },
        ["TrainBatch"] = new[] { "System.ReadOnlySpan<float>, System.ReadOnlySpan<float>, int", "System.ReadOnlySpan<float>, System.ReadOnlySpan<int>, int" },
        ["RunInference"] = new[] { "System.ReadOnlySpan<float>, System.Span<float>, int" },
        ["RunTrainingForward"] = new[] { "System.ReadOnlySpan<float>, int" },
        ["RunBackward"] = new[] { "System.ReadOnlySpan<float>, int" },
        ["EnsureCapacity"] = new[] { "int" },
    };

    /// <summary>Generated fields and properties.</summary>
    private static readonly HashSet<string> s_fieldsAndProperties = new(StringComparer.Ordinal)
    {
        "_parameters", "_gradients", "_seed", "_dropoutKey", "_trainingStep", "_capacity", "s_layers",
        "Seed", "TrainingStep", "InputSize", "OutputSize", "ParameterCount", "Parameters", "Gradients", "Loss", "Architecture",
        "ArchitectureFingerprint", "Layers",
    };

    /// <summary>Workspace fields are a prefix and a layer number (_a1, _d2, _m3, _arg4, _col5): any number is reserved.</summary>
    private static readonly string[] s_numberedFieldPrefixes = { "_a", "_d", "_m", "_arg", "_col" };

    /// <summary>The generated constructors' parameter lists: a parameterless one and one taking the seed.</summary>
    public static readonly string[] ConstructorParameterLists = { "", "int" };

    /// <summary>True when the generated code declares a member of this name (of any kind).</summary>
    public static bool IsGenerated(string name) =>
        s_methods.ContainsKey(name) || s_fieldsAndProperties.Contains(name) || IsNumberedField(name);

    /// <summary>
    /// True when a user method would clash with a generated member: the name of a field or property, or the name and
    /// parameter list of a generated method. Another parameter list is an overload, and compiles.
    /// </summary>
    public static bool MethodClashes(string name, int typeParameterCount, string parameterList)
    {
        if (s_fieldsAndProperties.Contains(name) || IsNumberedField(name)) return true;
        if (typeParameterCount > 0 || !s_methods.TryGetValue(name, out var lists)) return false;
        return Array.IndexOf(lists, parameterList) >= 0;
    }

    private static bool IsNumberedField(string name)
    {
        foreach (var prefix in s_numberedFieldPrefixes)
        {
            if (name.Length <= prefix.Length || !name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            bool digits = true;
            for (int i = prefix.Length; i < name.Length; i++) digits &= name[i] is >= '0' and <= '9';
            if (digits) return true;
        }
        return false;
    }
}
