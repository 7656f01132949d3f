using System;
using System.IO;
using NetGen.Generator.Tests.Support;

namespace NetGen.Generator.Tests;

/// <summary>The snapshot helper itself must fail loudly, point at the first difference, and accept only when asked.</summary>
public sealed class SnapshotHelperTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netgen-snapshot-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Missing_snapshot_fails_and_writes_received()
    {
        var e = Assert.Throws<SnapshotMismatchException>(() => Snapshot.Match("A", "x\n", _directory, accept: false));
        Assert.Contains("does not exist", e.Message);
        Assert.Equal("x\n", File.ReadAllText(Path.Combine(_directory, "A.received.cs")));
    }

    [Fact]
    public void Difference_names_line_and_both_texts()
    {
        File.WriteAllText(Path.Combine(_directory, "B.g.cs"), "one\r\ntwo\r\nthree\r\n");
        var e = Assert.Throws<SnapshotMismatchException>(() => Snapshot.Match("B", "one\ntwo\nTHREE\n", _directory, accept: false));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("expected: three", e.Message);
        Assert.Contains("actual:   THREE", e.Message);
    }

    [Fact]
    public void Line_endings_are_normalized()
    {
        File.WriteAllText(Path.Combine(_directory, "C.g.cs"), "a\r\nb\r\n");
        Snapshot.Match("C", "a\nb\n", _directory, accept: false);
        Assert.False(File.Exists(Path.Combine(_directory, "C.received.cs")));
    }

    [Fact]
    public void Accept_overwrites_and_passes()
    {
        File.WriteAllText(Path.Combine(_directory, "D.g.cs"), "old\n");
        Snapshot.Match("D", "new\n", _directory, accept: true);
        Assert.Equal("new\n", File.ReadAllText(Path.Combine(_directory, "D.g.cs")));
        Snapshot.Match("D", "new\n", _directory, accept: false);
    }

    [Fact]
    public void Repository_root_is_found()
    {
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "NetGen.sln")));
        Assert.True(File.Exists(Path.Combine(RepoPaths.GeneratorTests, "NetGen.Generator.Tests.csproj")));
    }
}
