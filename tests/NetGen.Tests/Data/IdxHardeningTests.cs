using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using NetGen.Data;

namespace NetGen.Tests.Data;

/// <summary>Headers that lie about sizes, dimension products that overflow, and values floats cannot hold.</summary>
public class IdxHardeningTests
{
    private static byte[] Gzip(byte[] content)
    {
        using var ms = new MemoryStream();
        using (var zip = new GZipStream(ms, CompressionLevel.SmallestSize, leaveOpen: true)) zip.Write(content);
        return ms.ToArray();
    }

    private static Stream Open(byte[] content, string source) => source switch
    {
        "gzip" => new MemoryStream(Gzip(content)),
        "non-seekable" => new NonSeekableStream(content),
        _ => new MemoryStream(content),
    };

    [Theory]
    [InlineData("gzip")]
    [InlineData("non-seekable")]
    public void HugeClaimOnATinyStreamAllocatesLittleAndSaysWhatWasThere(string source)
    {
        // 2,147,483,591 one-pixel images (Array.MaxLength), three bytes of pixels.
        byte[] content = IdxTestFiles.Concat(IdxTestFiles.Header(0x08, int.MaxValue - 56, 1, 1), [1, 2, 3]);
        using Stream stream = Open(content, source);
        if (source == "gzip") Assert.True(((MemoryStream)stream).Length < 64, $"the test file should be tiny, is {((MemoryStream)stream).Length} bytes");

        // The caller raised the cap to the most an array holds, so the claim is tested against the bytes present.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(stream, "liar.gz", maxElements: Array.MaxLength));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes for a {content.Length}-byte file");
        Assert.Contains("liar.gz: truncated", e.Message);
        Assert.Contains("2147483591 × 1 × 1", e.Message);      // the claim
        Assert.Contains("found 3", e.Message);                  // what was there
    }

    [Fact]
    public void HugeLabelClaimOnAGzipStreamAllocatesLittle()
    {
        byte[] zipped = Gzip(IdxTestFiles.Concat(IdxTestFiles.Header(0x0C, 500_000_000), new byte[40]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(new MemoryStream(zipped), "labels.gz", maxElements: 500_000_000));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes");
        Assert.Contains("500000000 elements", e.Message);
        Assert.Contains("found 40 (10 elements)", e.Message);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("gzip")]
    [InlineData("non-seekable")]
    public void ClaimsOverMaxElementsAreRefusedBeforeAnyAllocation(string source)
    {
        byte[] content = IdxTestFiles.Concat(IdxTestFiles.Header(0x08, IdxReader.DefaultMaxElements / 64 + 1, 8, 8), [1, 2, 3]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(Open(content, source), "many.idx"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
        Assert.Contains("many.idx: at offset 4", e.Message);
        Assert.Contains($"at most {IdxReader.DefaultMaxElements} elements (maxElements), found 4194305 × 8 × 8 = 268435520", e.Message);

        // The caller can lower or raise the cap.
        byte[] small = IdxTestFiles.Images(4, 3, 5);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(Open(small, source), "small.idx", maxElements: 59));
        Assert.Contains("at most 59 elements", e.Message);
        Assert.Equal(60, IdxReader.ReadImages(Open(small, source), "small.idx", maxElements: 60).Pixels.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => IdxReader.ReadImages(Open(small, source), "small.idx", maxElements: 0));
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("gzip")]
    [InlineData("non-seekable")]
    public void LargeTruthfulGzipStillLoads(string source)
    {
        // Several read segments' worth, so the segmented path is exercised end to end.
        byte[] content = IdxTestFiles.Images(3000, 28, 28);
        using Stream stream = Open(content, source);
        IdxImages images = IdxReader.ReadImages(stream, "big");
        Assert.Equal(3000 * 784, images.Pixels.Length);
        for (int i = 0; i < images.Pixels.Length; i += 9973) Assert.Equal(content[16 + i], images.Pixels[i]);
        Assert.Equal(content[^1], images.Pixels[^1]);
    }

    [Theory]
    [InlineData("raw", 0, 65537, 65537)]
    [InlineData("gzip", 0, 65537, 65537)]
    [InlineData("non-seekable", 0, 65537, 65537)]
    [InlineData("raw", 65537, 0, 65537)]
    [InlineData("gzip", 46341, 46341, 0)]
    public void DimensionProductsThatOverflowAnArrayAreRejected(string source, int count, int rows, int cols)
    {
        byte[] content = IdxTestFiles.Header(0x08, count, rows, cols);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(Open(content, source), "wide.idx"));
        Assert.Contains("wide.idx", e.Message);
        Assert.Contains($"{count} × {rows} × {cols}", e.Message);
        Assert.Contains("2147483591", e.Message);
        Assert.Throws<InvalidDataException>(() => IdxReader.Read(Open(content, source), "wide.idx"));
    }

    [Fact]
    public void ImagesWithoutPixelsMakeNoDataset()
    {
        byte[] images = IdxTestFiles.Header(0x08, 2, 0, 5);
        byte[] labels = IdxTestFiles.Labels(1, 2);
        var e = Assert.Throws<InvalidDataException>(() =>
            IdxReader.LoadDataset(new MemoryStream(images), "empty-images.idx", new MemoryStream(labels), "labels.idx"));
        Assert.Contains("empty-images.idx", e.Message);
        Assert.Contains("0 × 5", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteSinglesAreRejectedWithTheirOffset(float bad)
    {
        var body = new byte[12];
        BinaryPrimitives.WriteSingleBigEndian(body, 1f);
        BinaryPrimitives.WriteSingleBigEndian(body.AsSpan(4), bad);
        var e = Assert.Throws<InvalidDataException>(() =>
            IdxReader.Read(new MemoryStream(IdxTestFiles.Concat(IdxTestFiles.Header(0x0D, 3), body)), "f.idx"));
        Assert.Contains("f.idx: at offset 12", e.Message); // 8 header bytes + the first float
        Assert.Contains("finite", e.Message);
    }

    [Theory]
    [InlineData(1e300)]
    [InlineData(-1e39)]
    [InlineData(double.NaN)]
    public void DoublesOutsideTheFloatRangeAreRejected(double bad)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(body, bad);
        var e = Assert.Throws<InvalidDataException>(() =>
            IdxReader.Read(Open(IdxTestFiles.Concat(IdxTestFiles.Header(0x0E, 1), body), "gzip"), "d.idx"));
        Assert.Contains("d.idx: at offset 8", e.Message);
        Assert.Contains("finite", e.Message);
    }

    internal sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
