using System;
using System.IO;
using System.Text;

namespace NetGen.Generator.Tests.Support;

/// <summary>
/// Compares text against Snapshots/&lt;name&gt;.g.cs in the source tree. On a difference (or a missing file) the test fails
/// with the first differing line and writes &lt;name&gt;.received.cs beside it; NETGEN_ACCEPT_SNAPSHOTS=1 overwrites and passes.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "NETGEN_ACCEPT_SNAPSHOTS";

    /// <summary>True when the run was asked to rewrite snapshots.</summary>
    public static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) == "1";

    public static void Match(string name, string actual) => Match(name, actual, RepoPaths.Snapshots, Accepting);

    public static void Match(string name, string actual, string directory, bool accept)
    {
        string expectedPath = Path.Combine(directory, name + ".g.cs");
        string receivedPath = Path.Combine(directory, name + ".received.cs");
        actual = Normalize(actual);

        string? expected = File.Exists(expectedPath) ? Normalize(File.ReadAllText(expectedPath)) : null;
        if (expected == actual)
        {
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }
        if (accept)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(expectedPath, actual, new UTF8Encoding(false));
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual, new UTF8Encoding(false));
        string how = $"Actual output written to {receivedPath}; set {AcceptVariable}=1 to accept it.";
        if (expected is null) throw new SnapshotMismatchException($"Snapshot {expectedPath} does not exist. {how}");
        throw new SnapshotMismatchException(FirstDifference(expected, actual) + Environment.NewLine + how);
    }

    public static string Normalize(string text) => text.Replace("\r\n", "\n").Replace("\r", "\n");

    /// <summary>"Snapshot differs at line 12:\n  expected: ...\n  actual:   ...".</summary>
    public static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        int n = Math.Min(e.Length, a.Length);
        for (int i = 0; i < n; i++)
        {
            if (e[i] != a[i])
                return $"Snapshot differs at line {i + 1}:{Environment.NewLine}  expected: {e[i]}{Environment.NewLine}  actual:   {a[i]}";
        }
        return e.Length > a.Length
            ? $"Snapshot differs at line {n + 1}: actual ends early; expected: {e[n]}"
            : $"Snapshot differs at line {n + 1}: actual has extra lines; actual: {a[n]}";
    }
}

internal sealed class SnapshotMismatchException(string message) : Exception(message);
