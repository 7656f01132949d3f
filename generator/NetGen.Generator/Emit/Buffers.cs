using NetGen.Generator.Helpers;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Emit;

/// <summary>How emitted code names a batch's slice of a workspace array.</summary>
internal static class Buffers
{
    /// <summary>The parameter name the generated passes give the workspace they run on.</summary>
    public const string Workspace = "workspace";

    // Locals are declared with their types, not var: a type named var in the user's namespace would capture var.
    public const string FloatSpan = "global::System.Span<float>";
    public const string ReadOnlyFloatSpan = "global::System.ReadOnlySpan<float>";

    /// <summary>
    /// A span over the first batch × perSample floats of a buffer. The caller's inputs and outputs are already
    /// exactly that long; workspace arrays are sized for the largest batch the workspace has served.
    /// </summary>
    public static string Span(string buffer, int perSample) =>
        buffer is NetworkPlanner.CallerInput or NetworkPlanner.CallerOutput ? buffer : $"new global::System.Span<float>({Workspace}.{Field(buffer)}, 0, batch * {Literal.Int(perSample)})";

    /// <summary>The same for an int[] workspace array (e.g. max-pool argmax indices).</summary>
    public static string IntSpan(string buffer, int perSample) => $"new global::System.Span<int>({Workspace}.{Field(buffer)}, 0, batch * {Literal.Int(perSample)})";

    /// <summary>The workspace class's field for a planned buffer: "_a1" → "A1", "_col2" → "Col2".</summary>
    public static string Field(string buffer)
    {
        string name = buffer.TrimStart('_');
        return name.Length == 0 ? buffer : char.ToUpperInvariant(name[0]) + name.Substring(1);
    }
}
