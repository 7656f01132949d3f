using System;
using System.Numerics;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace NetGen.Data;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed (detected by the 1f 8b header).
/// Layout: two zero bytes, an element type byte, a rank byte, one big-endian int32 per dimension, then the
/// elements row-major, big-endian. Any corrupt or truncated file throws <see cref="InvalidDataException"/>
/// naming the file, the byte offset in the decompressed data, and what was expected there.
/// </summary>
public static class IdxReader
{
    private const int ChunkBytes = 1 << 16;

    /// <summary>Reads any IDX file into dimensions and float data.</summary>
    public static IdxArray Read(string path)
    {
        using Stream stream = OpenFile(path);
        return Read(stream, Path.GetFileName(path));
    }

    /// <summary>Reads an IDX stream; <paramref name="name"/> identifies it in error messages.</summary>
    public static IdxArray Read(Stream stream, string name)
    {
        using var reader = Open(stream, name);
        (IdxElementType type, int[] dims, long elements) = reader.ReadHeader(expectedRank: -1, shape: "", dataName: "data");
        var data = new float[elements];
        reader.ReadFloats(type, data, "data");
        reader.ExpectEnd();
        return new IdxArray(dims, data, type);
    }

    /// <summary>Reads an image file (rank 3: count, rows, cols); pixels keep their raw values (0..255 for ubyte).</summary>
    public static IdxImages ReadImages(string path)
    {
        using Stream stream = OpenFile(path);
        return ReadImages(stream, Path.GetFileName(path));
    }

    /// <summary>Reads an image stream (rank 3: count, rows, cols); <paramref name="name"/> identifies it in error messages.</summary>
    public static IdxImages ReadImages(Stream stream, string name)
    {
        using var reader = Open(stream, name);
        (IdxElementType type, int[] dims, long elements) = reader.ReadHeader(expectedRank: 3, shape: "images (count, rows, cols)", dataName: "image data");
        var pixels = new float[elements];
        reader.ReadFloats(type, pixels, "image data");
        reader.ExpectEnd();
        return new IdxImages(pixels, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a label file (rank 1, integer elements).</summary>
    public static int[] ReadLabels(string path)
    {
        using Stream stream = OpenFile(path);
        return ReadLabels(stream, Path.GetFileName(path));
    }

    /// <summary>Reads a label stream (rank 1, integer elements); <paramref name="name"/> identifies it in error messages.</summary>
    public static int[] ReadLabels(Stream stream, string name)
    {
        using var reader = Open(stream, name);
        (IdxElementType type, _, long elements) = reader.ReadHeader(expectedRank: 1, shape: "labels (count)", dataName: "label data");
        if (type is IdxElementType.Single or IdxElementType.Double)
            throw new InvalidDataException($"{name}: at offset 2: expected an integer element type for labels, found {type} (0x{(byte)type:X2}).");
        var labels = new int[elements];
        reader.ReadInts(type, labels, "label data");
        reader.ExpectEnd();
        return labels;
    }

    /// <summary>
    /// Loads an image file and a label file into a classification dataset with one row of rows × cols features per image.
    /// </summary>
    /// <param name="imagesPath">IDX images (rank 3), raw or gzip.</param>
    /// <param name="labelsPath">IDX labels (rank 1), raw or gzip.</param>
    /// <param name="classCount">Number of classes; every label must lie in [0, classCount).</param>
    /// <param name="scaleToUnit">Divide pixels by 255 so 0..255 becomes [0, 1].</param>
    public static Dataset LoadDataset(string imagesPath, string labelsPath, int classCount = 10, bool scaleToUnit = true)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        using Stream images = OpenFile(imagesPath);
        using Stream labels = OpenFile(labelsPath);
        return LoadDataset(images, Path.GetFileName(imagesPath), labels, Path.GetFileName(labelsPath), classCount, scaleToUnit);
    }

    /// <summary>Stream form of <see cref="LoadDataset(string, string, int, bool)"/>; the names identify the streams in error messages.</summary>
    public static Dataset LoadDataset(Stream images, string imagesName, Stream labels, string labelsName, int classCount = 10, bool scaleToUnit = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        // Labels first: they are small, so a mismatch is reported before decoding megabytes of pixels.
        int[] y = ReadLabels(labels, labelsName);
        IdxImages x = ReadImages(images, imagesName);
        if (x.Count != y.Length)
            throw new InvalidDataException(
                $"{imagesName} has {x.Count} images but {labelsName} has {y.Length} labels; expected the same count.");
        for (int i = 0; i < y.Length; i++)
        {
            if ((uint)y[i] >= (uint)classCount)
                throw new InvalidDataException($"{labelsName}: label {i} is {y[i]}; expected a class id in [0, {classCount}).");
        }
        float[] pixels = x.Pixels;
        if (scaleToUnit)
        {
            // In place (the raw pixels are ours); divided, not multiplied by 1/255, to stay correctly rounded.
            for (int i = 0; i < pixels.Length; i++) pixels[i] /= 255f;
        }
        return Dataset.FromLabels(pixels, x.ImageSize, y, classCount);
    }

    private static Stream OpenFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: ChunkBytes, FileOptions.SequentialScan);
    }

    private static IdxStreamReader Open(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        // Sniff two bytes for the gzip magic, then replay them: the stream need not be seekable.
        byte[] sniff = new byte[2];
        int n = stream.ReadAtLeast(sniff, 2, throwOnEndOfStream: false);
        Stream replay = new PrefixStream(sniff, n, stream, leaveOpen: true);
        if (n == 2 && sniff[0] == 0x1F && sniff[1] == 0x8B)
            return new IdxStreamReader(new GZipStream(replay, CompressionMode.Decompress), name, knownLength: -1);
        long knownLength = stream.CanSeek ? n + stream.Length - stream.Position : -1;
        return new IdxStreamReader(replay, name, knownLength);
    }

    /// <summary>Reads an IDX stream front to back, tracking the offset in the (decompressed) data for messages.</summary>
    private sealed class IdxStreamReader : IDisposable
    {
        private readonly Stream _stream;
        private readonly string _name;
        private readonly byte[] _chunk = new byte[ChunkBytes];
        private readonly long _knownLength;
        private long _offset;

        // knownLength: total bytes when known up front (raw seekable files), else -1.
        public IdxStreamReader(Stream stream, string name, long knownLength)
        {
            _stream = stream;
            _name = name;
            _knownLength = knownLength;
        }

        public void Dispose() => _stream.Dispose();

        /// <summary>Reads and validates magic, element type, rank and dimensions; returns the element count.</summary>
        public (IdxElementType Type, int[] Dims, long Elements) ReadHeader(int expectedRank, string shape, string dataName)
        {
            Span<byte> magic = stackalloc byte[4];
            ReadExactly(magic, "the 4-byte magic number (00 00 type rank)");
            if (magic[0] != 0 || magic[1] != 0)
                throw Corrupt(0, $"expected an IDX magic number starting 00 00, found {magic[0]:X2} {magic[1]:X2}");
            var type = (IdxElementType)magic[2];
            if (ElementSize(type) == 0)
                throw Corrupt(2, $"expected an element type 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E, found 0x{magic[2]:X2}");
            int rank = magic[3];
            if (expectedRank > 0 && rank != expectedRank)
                throw Corrupt(3, $"expected rank {expectedRank} for {shape}, found rank {rank}");
            if (rank == 0)
                throw Corrupt(3, "expected rank at least 1, found rank 0");

            Span<byte> dimBytes = stackalloc byte[4 * 255];
            dimBytes = dimBytes[..(4 * rank)];
            ReadExactly(dimBytes, $"{rank} big-endian int32 dimension(s)");
            var dims = new int[rank];
            long elements = 1;
            for (int i = 0; i < rank; i++)
            {
                dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.Slice(4 * i, 4));
                if (dims[i] < 0)
                    throw Corrupt(4 + 4 * i, $"expected a non-negative size for dimension {i}, found {dims[i]}");
                elements *= dims[i];
                if (elements > Array.MaxLength)
                    throw Corrupt(4 + 4 * i, $"expected at most {Array.MaxLength} elements in total, found dimensions that exceed it");
            }
            // When the size is known, a short file fails here, before the element buffer is allocated.
            long dataBytes = elements * ElementSize(type);
            if (_knownLength >= 0 && _offset + dataBytes > _knownLength)
                throw new InvalidDataException(
                    $"{_name}: truncated at offset {_knownLength}: expected {dataBytes} bytes of {dataName} starting at offset {_offset}, found {_knownLength - _offset}.");
            return (type, dims, elements);
        }

        public void ReadFloats(IdxElementType type, float[] destination, string what) => ReadNumbers(type, destination, what);

        public void ReadInts(IdxElementType type, int[] destination, string what)
        {
            if (type is IdxElementType.Single or IdxElementType.Double)
                throw new InvalidOperationException($"Unexpected element type {type} for integer data.");
            ReadNumbers(type, destination, what);
        }

        /// <summary>Big-endian IDX elements of any type, converted chunk by chunk into <paramref name="destination"/>.</summary>
        void ReadNumbers<T>(IdxElementType type, T[] destination, string what) where T : struct, INumberBase<T>
        {
            int size = ElementSize(type);
            long start = _offset;
            long expectedBytes = (long)destination.Length * size;
            int elementsPerChunk = ChunkBytes / size;
            for (int done = 0; done < destination.Length;)
            {
                int count = Math.Min(elementsPerChunk, destination.Length - done);
                Span<byte> bytes = ReadChunk(count * size, start, expectedBytes, what);
                Span<T> dst = destination.AsSpan(done, count);
                switch (type)
                {
                    case IdxElementType.UnsignedByte:
                        for (int i = 0; i < count; i++) dst[i] = T.CreateTruncating(bytes[i]);
                        break;
                    case IdxElementType.SignedByte:
                        for (int i = 0; i < count; i++) dst[i] = T.CreateTruncating((sbyte)bytes[i]);
                        break;
                    case IdxElementType.Int16:
                        for (int i = 0; i < count; i++) dst[i] = T.CreateTruncating(BinaryPrimitives.ReadInt16BigEndian(bytes.Slice(2 * i)));
                        break;
                    case IdxElementType.Int32:
                        for (int i = 0; i < count; i++) dst[i] = T.CreateTruncating(BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(4 * i)));
                        break;
                    case IdxElementType.Single:
                        for (int i = 0; i < count; i++) dst[i] = T.CreateTruncating(BinaryPrimitives.ReadSingleBigEndian(bytes.Slice(4 * i)));
                        break;
                    case IdxElementType.Double:
                        for (int i = 0; i < count; i++) dst[i] = T.CreateTruncating(BinaryPrimitives.ReadDoubleBigEndian(bytes.Slice(8 * i)));
                        break;
                }
                done += count;
            }
        }

        /// <summary>Trailing bytes mean the header does not describe the file: most likely the wrong file or a corrupt one.</summary>
        public void ExpectEnd()
        {
            Span<byte> one = stackalloc byte[1];
            long end = _offset;
            if (Fill(one) != 0)
                throw Corrupt(end, "expected the end of the data (as sized by the header), found more bytes");
        }

        private Span<byte> ReadChunk(int byteCount, long sectionStart, long sectionBytes, string what)
        {
            Span<byte> bytes = _chunk.AsSpan(0, byteCount);
            int got = Fill(bytes);
            if (got < byteCount)
            {
                long found = _offset - sectionStart;
                throw new InvalidDataException(
                    $"{_name}: truncated at offset {_offset}: expected {sectionBytes} bytes of {what} starting at offset {sectionStart}, found {found}.");
            }
            return bytes;
        }

        private void ReadExactly(Span<byte> destination, string what)
        {
            long start = _offset;
            int got = Fill(destination);
            if (got < destination.Length)
                throw new InvalidDataException(
                    $"{_name}: truncated at offset {_offset}: expected {what} ({destination.Length} bytes at offset {start}), found {got} bytes.");
        }

        /// <summary>Reads until <paramref name="destination"/> is full or the stream ends; gzip errors become InvalidDataException with the offset.</summary>
        private int Fill(Span<byte> destination)
        {
            int total = 0;
            try
            {
                while (total < destination.Length)
                {
                    int n = _stream.Read(destination[total..]);
                    if (n == 0) break;
                    total += n;
                    _offset += n;
                }
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{_name}: corrupt compressed data near offset {_offset}: {e.Message}", e);
            }
            return total;
        }

        private InvalidDataException Corrupt(long offset, string message) => new($"{_name}: at offset {offset}: {message}.");
    }

    private static int ElementSize(IdxElementType type) => type switch
    {
        IdxElementType.UnsignedByte or IdxElementType.SignedByte => 1,
        IdxElementType.Int16 => 2,
        IdxElementType.Int32 or IdxElementType.Single => 4,
        IdxElementType.Double => 8,
        _ => 0,
    };
}
