using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
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
    // Data of unknown length is gathered in segments growing from ChunkBytes to this before the claimed total is
    // allocated, so a lying header costs about twice the bytes really present. Both are multiples of every element size.
    private const int MaxSegmentBytes = 1 << 20;

    /// <summary>
    /// The default <c>maxElements</c>: 2^28 elements, 1 GiB as floats (MNIST's training images are 47 million).
    /// A header claiming more is refused before anything is allocated; pass a larger <c>maxElements</c>
    /// (up to <see cref="Array.MaxLength"/>) to read bigger files.
    /// </summary>
    public const int DefaultMaxElements = 1 << 28;

    /// <summary>Reads any IDX file into dimensions and float data.</summary>
    /// <param name="path">The file, raw or gzip.</param>
    /// <param name="maxElements">The most elements the file may hold; see <see cref="DefaultMaxElements"/>.</param>
    public static IdxArray Read(string path, int maxElements = DefaultMaxElements)
    {
        using Stream stream = OpenFile(path);
        return Read(stream, Path.GetFileName(path), maxElements);
    }

    /// <summary>Reads an IDX stream; <paramref name="name"/> identifies it in error messages.</summary>
    /// <param name="stream">IDX data, raw or gzip; read to its end, not closed.</param>
    /// <param name="name">Identifies the stream in error messages.</param>
    /// <param name="maxElements">The most elements the file may hold; see <see cref="DefaultMaxElements"/>.</param>
    public static IdxArray Read(Stream stream, string name, int maxElements = DefaultMaxElements)
    {
        using var reader = Open(stream, name, maxElements);
        (IdxElementType type, int[] dims, long elements) = reader.ReadHeader(expectedRank: -1, shape: "", dataName: "data");
        float[] data = reader.ReadElements<float>(type, elements, "data");
        reader.ExpectEnd();
        return new IdxArray(dims, data, type);
    }

    /// <summary>Reads an image file (rank 3: count, rows, cols); pixels keep their raw values (0..255 for ubyte).</summary>
    /// <param name="path">The file, raw or gzip.</param>
    /// <param name="maxElements">The most elements the file may hold; see <see cref="DefaultMaxElements"/>.</param>
    public static IdxImages ReadImages(string path, int maxElements = DefaultMaxElements)
    {
        using Stream stream = OpenFile(path);
        return ReadImages(stream, Path.GetFileName(path), maxElements);
    }

    /// <summary>Reads an image stream (rank 3: count, rows, cols); <paramref name="name"/> identifies it in error messages.</summary>
    /// <param name="stream">IDX data, raw or gzip; read to its end, not closed.</param>
    /// <param name="name">Identifies the stream in error messages.</param>
    /// <param name="maxElements">The most elements the file may hold; see <see cref="DefaultMaxElements"/>.</param>
    public static IdxImages ReadImages(Stream stream, string name, int maxElements = DefaultMaxElements)
    {
        using var reader = Open(stream, name, maxElements);
        (IdxElementType type, int[] dims, long elements) = reader.ReadHeader(expectedRank: 3, shape: "images (count, rows, cols)", dataName: "image data");
        float[] pixels = reader.ReadElements<float>(type, elements, "image data");
        reader.ExpectEnd();
        return new IdxImages(pixels, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a label file (rank 1, integer elements).</summary>
    /// <param name="path">The file, raw or gzip.</param>
    /// <param name="maxElements">The most elements the file may hold; see <see cref="DefaultMaxElements"/>.</param>
    public static int[] ReadLabels(string path, int maxElements = DefaultMaxElements)
    {
        using Stream stream = OpenFile(path);
        return ReadLabels(stream, Path.GetFileName(path), maxElements);
    }

    /// <summary>Reads a label stream (rank 1, integer elements); <paramref name="name"/> identifies it in error messages.</summary>
    /// <param name="stream">IDX data, raw or gzip; read to its end, not closed.</param>
    /// <param name="name">Identifies the stream in error messages.</param>
    /// <param name="maxElements">The most elements the file may hold; see <see cref="DefaultMaxElements"/>.</param>
    public static int[] ReadLabels(Stream stream, string name, int maxElements = DefaultMaxElements)
    {
        using var reader = Open(stream, name, maxElements);
        (IdxElementType type, _, long elements) = reader.ReadHeader(expectedRank: 1, shape: "labels (count)", dataName: "label data");
        if (type is IdxElementType.Single or IdxElementType.Double)
            throw new InvalidDataException($"{name}: at offset 2: expected an integer element type for labels, found {type} (0x{(byte)type:X2}).");
        int[] labels = reader.ReadElements<int>(type, elements, "label data");
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
    /// <param name="maxElements">The most elements each file may hold; see <see cref="DefaultMaxElements"/>.</param>
    public static Dataset LoadDataset(string imagesPath, string labelsPath, int classCount = 10, bool scaleToUnit = true, int maxElements = DefaultMaxElements)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        using Stream images = OpenFile(imagesPath);
        using Stream labels = OpenFile(labelsPath);
        return LoadDataset(images, Path.GetFileName(imagesPath), labels, Path.GetFileName(labelsPath), classCount, scaleToUnit, maxElements);
    }

    /// <summary>Stream form of <see cref="LoadDataset(string, string, int, bool, int)"/>; the names identify the streams in error messages.</summary>
    public static Dataset LoadDataset(Stream images, string imagesName, Stream labels, string labelsName, int classCount = 10, bool scaleToUnit = true, int maxElements = DefaultMaxElements)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        // Labels first: they are small, so a mismatch is reported before decoding megabytes of pixels.
        int[] y = ReadLabels(labels, labelsName, maxElements);
        IdxImages x = ReadImages(images, imagesName, maxElements);
        if (x.ImageSize == 0)
            throw new InvalidDataException($"{imagesName}: expected images of at least 1 × 1 pixels, found {x.Rows} × {x.Columns}.");
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

    private static IdxStreamReader Open(Stream stream, string name, int maxElements)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxElements);
        // Sniff two bytes for the gzip magic, then replay them: the stream need not be seekable.
        byte[] sniff = new byte[2];
        int n = stream.ReadAtLeast(sniff, 2, throwOnEndOfStream: false);
        Stream replay = new PrefixStream(sniff, n, stream, leaveOpen: true);
        if (n == 2 && sniff[0] == 0x1F && sniff[1] == 0x8B)
            return new IdxStreamReader(new GZipStream(replay, CompressionMode.Decompress), name, knownLength: -1, maxElements);
        long knownLength = stream.CanSeek ? n + stream.Length - stream.Position : -1;
        return new IdxStreamReader(replay, name, knownLength, maxElements);
    }

    /// <summary>Reads an IDX stream front to back, tracking the offset in the (decompressed) data for messages.</summary>
    private sealed class IdxStreamReader : IDisposable
    {
        private readonly Stream _stream;
        private readonly string _name;
        private readonly byte[] _chunk = new byte[ChunkBytes];
        private readonly long _knownLength;
        private readonly int _maxElements;
        private long _offset;
        private int[] _dims = [];

        // knownLength: total bytes when known up front (raw seekable files), else -1.
        public IdxStreamReader(Stream stream, string name, long knownLength, int maxElements)
        {
            _stream = stream;
            _name = name;
            _knownLength = knownLength;
            _maxElements = maxElements;
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
            for (int i = 0; i < rank; i++)
            {
                dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.Slice(4 * i, 4));
                if (dims[i] < 0)
                    throw Corrupt(4 + 4 * i, $"expected a non-negative size for dimension {i}, found {dims[i]}");
            }
            _dims = dims;
            // Zero dimensions are left out of the product: 0 × 65537 × 65537 holds no elements, but its
            // rows × cols would still wrap an int. Every partial product then fits in an int, in 64-bit arithmetic.
            long nonZeroProduct = 1;
            for (int i = 0; i < rank; i++)
            {
                if (dims[i] != 0) nonZeroProduct *= dims[i];
                if (nonZeroProduct > Array.MaxLength)
                    throw Corrupt(4, $"expected dimensions whose product (zero dimensions left out) is at most {Array.MaxLength}, the most elements an array holds; found {Shape}");
            }
            long elements = Array.IndexOf(dims, 0) >= 0 ? 0 : nonZeroProduct;
            if (elements > _maxElements)
                throw Corrupt(4, $"expected at most {_maxElements} elements (maxElements), found {Claim(elements)}; pass a larger maxElements to read this file");
            // When the size is known, a short file fails here, before the element buffer is allocated.
            long dataBytes = elements * ElementSize(type);
            if (_knownLength >= 0 && _offset + dataBytes > _knownLength)
                throw Truncated(_knownLength, _offset, dataBytes, _knownLength - _offset, elements, type, dataName);
            return (type, dims, elements);
        }

        /// <summary>
        /// The <paramref name="elements"/> big-endian elements that follow the header, converted to <typeparamref name="T"/>.
        /// When the stream's length is unknown (gzip, non-seekable), the header's claim is not trusted with an allocation:
        /// the raw bytes are gathered in growing, bounded segments first, so a header that overstates the count costs
        /// about twice the bytes really present before the truncation error, not the claim.
        /// </summary>
        public T[] ReadElements<T>(IdxElementType type, long elements, string what) where T : struct, INumberBase<T>
        {
            int size = ElementSize(type);
            long start = _offset;
            long byteCount = elements * size;
            if (_knownLength >= 0 || byteCount <= ChunkBytes)
            {
                // Length checked against the file (or small): convert chunk by chunk straight into the result.
                var result = new T[elements];
                int elementsPerChunk = ChunkBytes / size;
                for (int done = 0; done < result.Length;)
                {
                    int count = Math.Min(elementsPerChunk, result.Length - done);
                    Span<byte> bytes = _chunk.AsSpan(0, count * size);
                    int got = Fill(bytes);
                    if (got < bytes.Length)
                        throw Truncated(_offset, start, byteCount, _offset - start, elements, type, what);
                    Convert(type, bytes, result.AsSpan(done, count), start + (long)done * size);
                    done += count;
                }
                return result;
            }

            var segments = new List<byte[]>();
            int segmentBytes = ChunkBytes;
            for (long gathered = 0; gathered < byteCount; segmentBytes = Math.Min(2 * segmentBytes, MaxSegmentBytes))
            {
                // A multiple of every element size, so no element straddles two segments.
                var segment = new byte[(int)Math.Min(segmentBytes, byteCount - gathered)];
                int got = Fill(segment);
                gathered += got;
                if (got < segment.Length)
                    throw Truncated(_offset, start, byteCount, gathered, elements, type, what);
                segments.Add(segment);
            }
            var values = new T[elements];
            int position = 0;
            foreach (byte[] segment in segments)
            {
                int count = segment.Length / size;
                Convert(type, segment, values.AsSpan(position, count), start + (long)position * size);
                position += count;
            }
            return values;
        }

        /// <summary>Converts big-endian elements; floats must be finite (and doubles within float range) so bad values fail here, with an offset.</summary>
        private void Convert<T>(IdxElementType type, ReadOnlySpan<byte> bytes, Span<T> destination, long offset) where T : struct, INumberBase<T>
        {
            switch (type)
            {
                case IdxElementType.UnsignedByte:
                    for (int i = 0; i < destination.Length; i++) destination[i] = T.CreateTruncating(bytes[i]);
                    break;
                case IdxElementType.SignedByte:
                    for (int i = 0; i < destination.Length; i++) destination[i] = T.CreateTruncating((sbyte)bytes[i]);
                    break;
                case IdxElementType.Int16:
                    for (int i = 0; i < destination.Length; i++) destination[i] = T.CreateTruncating(BinaryPrimitives.ReadInt16BigEndian(bytes.Slice(2 * i)));
                    break;
                case IdxElementType.Int32:
                    for (int i = 0; i < destination.Length; i++) destination[i] = T.CreateTruncating(BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(4 * i)));
                    break;
                case IdxElementType.Single:
                    for (int i = 0; i < destination.Length; i++)
                    {
                        float value = BinaryPrimitives.ReadSingleBigEndian(bytes.Slice(4 * i));
                        if (!float.IsFinite(value))
                            throw Corrupt(offset + 4L * i, $"expected a finite float, found {value.ToString(CultureInfo.InvariantCulture)}");
                        destination[i] = T.CreateTruncating(value);
                    }
                    break;
                case IdxElementType.Double:
                    for (int i = 0; i < destination.Length; i++)
                    {
                        double value = BinaryPrimitives.ReadDoubleBigEndian(bytes.Slice(8 * i));
                        if (!float.IsFinite((float)value))
                            throw Corrupt(offset + 8L * i, $"expected a double that is finite as a float (|x| <= {float.MaxValue.ToString(CultureInfo.InvariantCulture)}), found {value.ToString("R", CultureInfo.InvariantCulture)}");
                        destination[i] = T.CreateTruncating(value);
                    }
                    break;
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

        private string Shape => string.Join(" × ", _dims);

        private string Claim(long elements) => _dims.Length > 1 ? $"{Shape} = {elements}" : $"{elements}";

        /// <summary>Names the claim (dimensions, element count) and what was actually present.</summary>
        private InvalidDataException Truncated(long at, long sectionStart, long sectionBytes, long found, long elements, IdxElementType type, string what)
        {
            int size = ElementSize(type);
            return new InvalidDataException(
                $"{_name}: truncated at offset {at}: expected {sectionBytes} bytes of {what} starting at offset {sectionStart}, found {found} " +
                $"({found / size} elements): the header claims {Claim(elements)} elements of {size} byte{(size == 1 ? "" : "s")}.");
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
