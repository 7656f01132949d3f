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
        ["Forward"] = new[] { "System.ReadOnlySpan<float>, System.Span<float>", "System.ReadOnlySpan<int>, System.Span<float>" },
        ["Predict"] = new[] { "System.ReadOnlySpan<float>, System.Span<float>, int", "System.ReadOnlySpan<int>, System.Span<float>, int" },
        ["TrainBatch"] = new[] { "System.ReadOnlySpan<float>, System.ReadOnlySpan<float>, int", "System.ReadOnlySpan<float>, System.ReadOnlySpan<int>, int",
            "System.ReadOnlySpan<int>, System.ReadOnlySpan<float>, int", "System.ReadOnlySpan<int>, System.ReadOnlySpan<int>, int" },
        ["ExportOnnx"] = new[] { "string", "System.IO.Stream" },
        ["PredictLayer"] = new[] { "string, System.ReadOnlySpan<float>, System.Span<float>, int", "string, System.ReadOnlySpan<int>, System.Span<float>, int" },
        ["ResetState"] = new[] { "" },
        ["SetTrainable"] = new[] { "string, bool" },
        ["Summary"] = new[] { "" },
    };

    /// <summary>
    /// Generated fields, properties, constants and the nested Workspace and Extents classes; also the private passes, whose first
    /// parameter is that nested class, so any member of their names is reserved.
    /// </summary>
    private static readonly HashSet<string> s_fieldsAndProperties = new(StringComparer.Ordinal)
    {
        "_parameters", "_gradients", "_seed", "_dropoutKey", "_trainingStep", "_concurrency", "_inferenceWorkspaces", "_trainingWorkspace",
        "_layers", "_layerView", "_recurrentStates",
        "s_layers", "Seed", "TrainingStep", "InputSize", "OutputSize", "ParameterCount", "Parameters", "Gradients", "Loss", "Architecture",
        "ArchitectureFingerprint", "Layers", "Concurrency", "MaxTrainingBatchSize", "Workspace", "Extents",
        "RunInference", "RunTrainingForward", "RunBackward",
        "BuildOnnx",
    };

    /// <summary>The generated constructors' parameter lists: a parameterless one and one taking the seed.</summary>
    public static readonly string[] ConstructorParameterLists = { "", "int" };

    /// <summary>True when the generated code declares a member of this name (of any kind).</summary>
    public static bool IsGenerated(string name) =>
        s_methods.ContainsKey(name) || s_fieldsAndProperties.Contains(name);

    /// <summary>
    /// True when a user method would clash with a generated member: the name of a field or property, or the name and
    /// parameter list of a generated method. Another parameter list is an overload, and compiles.
    /// </summary>
    public static bool MethodClashes(string name, int typeParameterCount, string parameterList)
    {
        if (s_fieldsAndProperties.Contains(name)) return true;
        if (typeParameterCount > 0 || !s_methods.TryGetValue(name, out var lists)) return false;
        return Array.IndexOf(lists, parameterList) >= 0;
    }
}
