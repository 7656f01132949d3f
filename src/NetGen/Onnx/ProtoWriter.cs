using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace NetGen.Onnx;

/// <summary>
/// The few protobuf wire-format encodings an ONNX model needs: varints, 32-bit floats, and length-delimited strings,
/// bytes and nested messages. A nested message is written into its own writer first, then appended with its length;
/// ONNX models are a few levels deep, so the copies cost little next to the weights themselves.
/// Written here rather than taken from Google.Protobuf so the core library stays dependency-free and NativeAOT-clean.
/// </summary>
internal sealed class ProtoWriter
{
    // Wire types (protobuf encoding spec).
    const int Varint = 0, Fixed32 = 5, LengthDelimited = 2;

    readonly MemoryStream _bytes = new();

    public long Length => _bytes.Length;

    /// <summary>int32, int64, uint64, bool and enum fields. Negative values take ten bytes, as protobuf encodes them.</summary>
    public ProtoWriter Int(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint((ulong)value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, Fixed32);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _bytes.Write(bytes);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        _bytes.Write(value);
        return this;
    }

    public ProtoWriter Message(int field, ProtoWriter message)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)message._bytes.Length);
        message._bytes.Position = 0;
        message._bytes.CopyTo(_bytes);
        return this;
    }

    public void CopyTo(Stream destination)
    {
        _bytes.Position = 0;
        _bytes.CopyTo(destination);
    }

    public byte[] ToArray() => _bytes.ToArray();

    void Tag(int field, int wireType) => WriteVarint((ulong)(uint)((field << 3) | wireType));

    void WriteVarint(ulong value)
    {
        // Seven bits a byte, least significant first; the high bit says another byte follows.
        while (value >= 0x80)
        {
            _bytes.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.WriteByte((byte)value);
    }
}
