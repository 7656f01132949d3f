using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace NetGen.Tests.Data;

/// <summary>Writes small IDX files for tests into a temporary folder deleted on dispose.</summary>
internal sealed class IdxTestFiles : IDisposable
{
    public IdxTestFiles()
    {
        Folder = Path.Combine(Path.GetTempPath(), "netgen-idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>Header bytes: 00 00 type rank, then big-endian dims.</summary>
    public static byte[] Header(byte type, params int[] dims)
    {
        var bytes = new byte[4 + 4 * dims.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        return bytes;
    }

    public static byte[] Concat(params byte[][] parts)
    {
        using var ms = new MemoryStream();
        foreach (byte[] part in parts) ms.Write(part);
        return ms.ToArray();
    }

    /// <summary>count images of rows × cols, pixel value (image * 7 + pixel) % 256.</summary>
    public static byte[] Images(int count, int rows, int cols)
    {
        var data = new byte[count * rows * cols];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)((i / (rows * cols) * 7 + i % (rows * cols)) % 256);
        return Concat(Header(0x08, count, rows, cols), data);
    }

    public static byte[] Labels(params byte[] labels) => Concat(Header(0x08, labels.Length), labels);

    public string Write(string name, byte[] content, bool gzip = false)
    {
        string path = Path.Combine(Folder, name);
        if (!gzip)
        {
            File.WriteAllBytes(path, content);
            return path;
        }
        using (var file = File.Create(path))
        using (var zip = new GZipStream(file, CompressionLevel.SmallestSize))
        {
            zip.Write(content);
        }
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
