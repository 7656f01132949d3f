using System;
using System.IO;

namespace NetGen.Generator.Tests.Support;

/// <summary>Finds the source tree: walk up from the test binaries to the directory holding NetGen.sln.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("NetGen.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => s_root.Value;

    public static string GeneratorTests => Path.Combine(Root, "tests", "NetGen.Generator.Tests");

    public static string Snapshots => Path.Combine(GeneratorTests, "Snapshots");
}
