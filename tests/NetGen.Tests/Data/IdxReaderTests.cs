using System;
using System.Buffers.Binary;
using System.IO;
using NetGen.Data;

namespace NetGen.Tests.Data;

public class IdxReaderTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesRawAndGzip(bool gzip)
    {
        string path = _files.Write("images.idx", IdxTestFiles.Images(3, 2, 4), gzip);
        IdxImages images = IdxReader.ReadImages(path);
        Assert.Equal((3, 2, 4), (images.Count, images.Rows, images.Columns));
        Assert.Equal(24, images.Pixels.Length);
        Assert.Equal(0f, images.Pixels[0]);
        Assert.Equal(7f + 5f, images.Pixels[8 + 5]); // image 1, pixel 5
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadsDatasetRawAndGzip(bool gzip)
    {
        string images = _files.Write("i", IdxTestFiles.Images(3, 2, 2), gzip);
        string labels = _files.Write("l", IdxTestFiles.Labels(2, 0, 9), gzip);
        Dataset data = IdxReader.LoadDataset(images, labels);
        Assert.Equal(3, data.Count);
        Assert.Equal(4, data.FeatureSize);
        Assert.Equal(10, data.ClassCount);
        Assert.Equal(new[] { 2, 0, 9 }, data.Labels.ToArray());
        Assert.Equal(10f / 255f, data.GetFeatures(1)[3], 6); // 7 + 3
    }

    [Fact]
    public void ReadsOtherElementTypesBigEndian()
    {
        var body = new byte[8];
        BinaryPrimitives.WriteSingleBigEndian(body, 1.5f);
        BinaryPrimitives.WriteSingleBigEndian(body.AsSpan(4), -2.25f);
        IdxArray floats = IdxReader.Read(new MemoryStream(IdxTestFiles.Concat(IdxTestFiles.Header(0x0D, 2), body)), "f");
        Assert.Equal(new[] { 1.5f, -2.25f }, floats.Data);
        Assert.Equal(IdxElementType.Single, floats.ElementType);

        var shorts = new byte[4];
        BinaryPrimitives.WriteInt16BigEndian(shorts, -300);
        BinaryPrimitives.WriteInt16BigEndian(shorts.AsSpan(2), 1000);
        IdxArray s = IdxReader.Read(new MemoryStream(IdxTestFiles.Concat(IdxTestFiles.Header(0x0B, 1, 2), shorts)), "s");
        Assert.Equal(new[] { 1, 2 }, s.Dimensions);
        Assert.Equal(new[] { -300f, 1000f }, s.Data);

        IdxArray sb = IdxReader.Read(new MemoryStream(IdxTestFiles.Concat(IdxTestFiles.Header(0x09, 1), [0xFF])), "sb");
        Assert.Equal(-1f, sb.Data[0]);
    }

    [Fact]
    public void ReadsGzipFromANonSeekableStream()
    {
        string path = _files.Write("l.gz", IdxTestFiles.Labels(1, 2, 3), gzip: true);
        using var stream = new NonSeekable(File.ReadAllBytes(path));
        Assert.Equal(new[] { 1, 2, 3 }, IdxReader.ReadLabels(stream, "l.gz"));
    }

    [Fact]
    public void BadMagicNamesFileAndOffset()
    {
        byte[] bytes = IdxTestFiles.Labels(1, 2);
        bytes[1] = 0x05;
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(_files.Write("bad-magic.idx", bytes)));
        Assert.Contains("bad-magic.idx", e.Message);
        Assert.Contains("offset 0", e.Message);
        Assert.Contains("00 05", e.Message);
    }

    [Fact]
    public void BadElementType()
    {
        byte[] bytes = IdxTestFiles.Labels(1, 2);
        bytes[2] = 0x0A;
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(_files.Write("bad-type.idx", bytes)));
        Assert.Contains("bad-type.idx", e.Message);
        Assert.Contains("offset 2", e.Message);
        Assert.Contains("0x0A", e.Message);
    }

    [Fact]
    public void WrongRank()
    {
        string path = _files.Write("labels-as-images.idx", IdxTestFiles.Labels(1, 2));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains("labels-as-images.idx", e.Message);
        Assert.Contains("expected rank 3", e.Message);
        Assert.Contains("found rank 1", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedHeader(bool gzip)
    {
        byte[] bytes = IdxTestFiles.Images(2, 2, 2)[..10]; // magic + 1.5 dims
        string path = _files.Write("short-header.idx", bytes, gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains("short-header.idx", e.Message);
        Assert.Contains("truncated at offset 10", e.Message);
        Assert.Contains("dimension", e.Message);

        string empty = _files.Write("empty.idx", [], gzip);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(empty));
        Assert.Contains("truncated at offset 0", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedData(bool gzip)
    {
        byte[] full = IdxTestFiles.Images(100, 28, 28);
        string path = _files.Write("train-images-idx3-ubyte" + (gzip ? ".gz" : ""), full[..(16 + 1234)], gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(Path.GetFileName(path) + ": truncated at offset 1250", e.Message);
        Assert.Contains("expected 78400 bytes of image data starting at offset 16, found 1234", e.Message);
    }

    [Fact]
    public void TrailingBytesAreAnError()
    {
        string path = _files.Write("long.idx", IdxTestFiles.Concat(IdxTestFiles.Labels(1, 2), [9]));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("long.idx: at offset 10", e.Message);
    }

    [Fact]
    public void CorruptGzipIsInvalidData()
    {
        byte[] zipped = File.ReadAllBytes(_files.Write("ok.gz", IdxTestFiles.Images(10, 8, 8), gzip: true));
        for (int i = 12; i < zipped.Length - 8; i++) zipped[i] ^= 0x5A;
        string path = _files.Write("corrupt.gz", zipped);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains("corrupt.gz", e.Message);
    }

    [Fact]
    public void ImageAndLabelCountMismatchNamesBothFiles()
    {
        string images = _files.Write("imgs.idx", IdxTestFiles.Images(3, 2, 2));
        string labels = _files.Write("lbls.idx", IdxTestFiles.Labels(1, 2));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.LoadDataset(images, labels));
        Assert.Contains("imgs.idx has 3 images", e.Message);
        Assert.Contains("lbls.idx has 2 labels", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesFile()
    {
        string images = _files.Write("imgs.idx", IdxTestFiles.Images(2, 2, 2));
        string labels = _files.Write("lbls.idx", IdxTestFiles.Labels(1, 12));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.LoadDataset(images, labels, classCount: 10));
        Assert.Contains("lbls.idx: label 1 is 12", e.Message);
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
