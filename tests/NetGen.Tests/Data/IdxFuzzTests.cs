using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using NetGen.Data;
using Xunit.Abstractions;

namespace NetGen.Tests.Data;

/// <summary>
/// Truncated and mutated IDX files (raw, gzip, non-seekable; fixed seed) must load or throw InvalidDataException,
/// never another exception, never a non-finite value, and never allocate much more than the file holds.
/// </summary>
public class IdxFuzzTests(ITestOutputHelper output)
{
    private const int MutationsPerFile = 600;
    // Per read of a file under 200 bytes: a lying header may cost a 64 KiB chunk or segment and its float copy, not the claim.
    private const long AllocationLimit = 1 << 20;

    private sealed class Tally
    {
        public int Tried, Loaded, Rejected;
        public readonly List<string> Defects = new();
    }

    private static byte[] Gzip(byte[] content)
    {
        using var ms = new MemoryStream();
        using (var zip = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(content);
        return ms.ToArray();
    }

    private static byte[] Floats()
    {
        var body = new byte[6 * 4];
        for (int i = 0; i < 6; i++) BinaryPrimitives.WriteSingleBigEndian(body.AsSpan(4 * i), i * 0.5f - 1f);
        return IdxTestFiles.Concat(IdxTestFiles.Header(0x0D, 2, 3), body);
    }

    private static byte[] Doubles()
    {
        var body = new byte[4 * 8];
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteDoubleBigEndian(body.AsSpan(8 * i), i * 1e10);
        return IdxTestFiles.Concat(IdxTestFiles.Header(0x0E, 4), body);
    }

    /// <summary>Every reader entry point on one candidate file; only InvalidDataException counts as a rejection.</summary>
    private static void Try(Tally tally, string label, Func<Stream> open)
    {
        tally.Tried++;
        try
        {
            int loaded = 0;
            loaded += Attempt(tally, label, () => CheckFinite(IdxReader.Read(open(), "fuzz").Data));
            // With the cap at its highest, lying headers meet the segmented reads.
            loaded += Attempt(tally, label, () => CheckFinite(IdxReader.Read(open(), "fuzz", maxElements: Array.MaxLength).Data));
            loaded += Attempt(tally, label, () => CheckFinite(IdxReader.ReadImages(open(), "fuzz").Pixels));
            loaded += Attempt(tally, label, () => IdxReader.ReadLabels(open(), "fuzz"));
            loaded += Attempt(tally, label, () => IdxReader.LoadDataset(open(), "fuzz-images", new MemoryStream(IdxTestFiles.Labels(1, 2, 3, 4)), "labels"));
            loaded += Attempt(tally, label, () => IdxReader.LoadDataset(new MemoryStream(IdxTestFiles.Images(3, 2, 2)), "images", open(), "fuzz-labels"));
            if (loaded > 0) tally.Loaded++;
            else tally.Rejected++;
        }
        catch (Exception e)
        {
            tally.Defects.Add($"{label}: {e.GetType().Name}: {e.Message}");
        }
    }

    private static int Attempt(Tally tally, string label, Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            read();
            return 1;
        }
        catch (InvalidDataException)
        {
            return 0;
        }
        finally
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > AllocationLimit) tally.Defects.Add($"{label}: allocated {allocated} bytes");
        }
    }

    private static void CheckFinite(float[] values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v)) throw new InvalidOperationException($"loaded a non-finite value {v}");
        }
    }

    private static byte[] Mutate(byte[] original, ref DeterministicRandom rng)
    {
        byte[] bytes = (byte[])original.Clone();
        int edits = 1 + rng.NextInt(3);
        for (int e = 0; e < edits; e++)
        {
            // Half the edits hit the header, where the sizes and types live.
            int at = rng.NextInt(2) == 0 ? rng.NextInt(Math.Min(16, bytes.Length)) : rng.NextInt(bytes.Length);
            switch (rng.NextInt(4))
            {
                case 0: bytes[at] = (byte)rng.NextInt(256); break;
                case 1: bytes[at] ^= (byte)(1 << rng.NextInt(8)); break;
                case 2: bytes[at] = rng.NextInt(2) == 0 ? (byte)0x00 : (byte)0xFF; break;
                default: bytes[at] = (byte)(bytes[at] + 1); break;
            }
        }
        if (rng.NextInt(8) == 0) Array.Resize(ref bytes, rng.NextInt(bytes.Length + 1));
        return bytes;
    }

    [Fact]
    public void TruncationsAndMutationsLoadOrThrowInvalidData()
    {
        var files = new (string Name, byte[] Bytes)[]
        {
            ("images", IdxTestFiles.Images(4, 3, 5)),
            ("labels", IdxTestFiles.Labels(0, 1, 2, 3)),
            ("floats", Floats()),
            ("doubles", Doubles()),
        };
        var tally = new Tally();
        var rng = new DeterministicRandom(20261124);
        foreach ((string name, byte[] raw) in files)
        {
            byte[] zipped = Gzip(raw);
            for (int n = 0; n <= raw.Length; n++)
            {
                byte[] cut = raw[..n];
                Try(tally, $"{name} raw cut {n}", () => new MemoryStream(cut));
                Try(tally, $"{name} non-seekable cut {n}", () => new IdxHardeningTests.NonSeekableStream(cut));
                byte[] cutZipped = Gzip(cut);
                Try(tally, $"{name} gzip of cut {n}", () => new MemoryStream(cutZipped));
            }
            for (int n = 0; n <= zipped.Length; n++)
            {
                byte[] cut = zipped[..n];
                Try(tally, $"{name} gzip cut {n}", () => new MemoryStream(cut));
            }
            for (int m = 0; m < MutationsPerFile; m++)
            {
                byte[] mutated = Mutate(raw, ref rng);
                Try(tally, $"{name} raw mutation {m}", () => new MemoryStream(mutated));
                byte[] mutatedZipped = Gzip(mutated);
                Try(tally, $"{name} gzip of mutation {m}", () => new MemoryStream(mutatedZipped));
                byte[] zippedMutated = Mutate(zipped, ref rng);
                Try(tally, $"{name} mutated gzip {m}", () => new MemoryStream(zippedMutated));
            }
        }
        output.WriteLine($"IDX fuzz: tried {tally.Tried}, loaded {tally.Loaded}, rejected {tally.Rejected}, defects {tally.Defects.Count}");
        foreach (string defect in tally.Defects[..Math.Min(20, tally.Defects.Count)]) output.WriteLine(defect);
        Assert.True(tally.Defects.Count == 0, $"{tally.Defects.Count} defects, first: {(tally.Defects.Count > 0 ? tally.Defects[0] : "")}");
        Assert.True(tally.Rejected > tally.Tried / 4, "most mutations should be rejected");
        Assert.True(tally.Loaded > 100, "some mutations (pixel values) should still load");
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("non-seekable")]
    public void TwoToThe31ItemsClaimedByATinyFileAllocateLittle(string source)
    {
        // 2^31 - 1 labels: over Array.MaxLength, so rejected by the dimension check; 2^31 - 57 passes it and must fail on truncation.
        foreach (int claim in new[] { int.MaxValue, int.MaxValue - 56 })
        {
            byte[] raw = IdxTestFiles.Concat(IdxTestFiles.Header(0x08, claim), [1, 2, 3, 4]);
            byte[] bytes = source == "gzip" ? Gzip(raw) : raw;
            long before = GC.GetAllocatedBytesForCurrentThread();
            Stream stream = source == "gzip" ? new MemoryStream(bytes) : new IdxHardeningTests.NonSeekableStream(bytes);
            var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(stream, "tiny", maxElements: Array.MaxLength));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < AllocationLimit, $"claim {claim}: allocated {allocated} bytes for a {bytes.Length}-byte file");
            Assert.Contains(claim.ToString(), e.Message);
        }
    }
}
