using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace NetGen.Tests.Serialization;

/// <summary>
/// Where each field of a checkpoint sits, found by walking the documented layout (Checkpoint.cs, format versions 1 and 2), so
/// tests can craft files whose values are wrong but whose CRC-32C is recomputed and valid.
/// </summary>
internal sealed class CheckpointLayout
{
    public int ParameterCountOffset { get; private init; }
    public int ParametersOffset { get; private init; }
    public int ParameterCount { get; private init; }
    public int OptimizerFlagOffset { get; private init; }
    public string? Kind { get; private init; }
    public int StepCountOffset { get; private init; } = -1;
    public int TrainingStepOffset { get; private init; } = -1;
    public int HyperparametersOffset { get; private init; } = -1;
    public int HyperparameterCount { get; private init; }
    /// <summary>For each state buffer: the offset of its length field and its float count (0 or the parameter count).</summary>
    public IReadOnlyList<(int LengthOffset, int Length)> StateBuffers { get; private init; } = Array.Empty<(int, int)>();
    public int ChecksumOffset { get; private init; }

    /// <summary>The offset of float <paramref name="index"/> of state buffer <paramref name="buffer"/>.</summary>
    public int StateOffset(int buffer, int index) => StateBuffers[buffer].LengthOffset + 4 + 4 * index;

    public static CheckpointLayout Parse(ReadOnlySpan<byte> bytes)
    {
        int position = 8; // magic, version
        position += 4 + BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]); // type name
        position += 8; // fingerprint
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (version >= 2)
        {
            position += 4 + BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]); // architecture text
            int layers = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
            position += 4;
            for (int l = 0; l < layers; l++)
            {
                position += 4 + BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]); // name
                position += 4 + BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]); // kind
                position += 4 + 4 * BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]); // input shape
                position += 4 + 4 * BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]); // output shape
                position += 8; // offset, count
            }
        }
        int parameterCountOffset = position;
        int parameterCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
        position += 4;
        int parametersOffset = position;
        position += 4 * parameterCount;
        if (version >= 2)
        {
            int entries = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
            position += 4;
            for (int e = 0; e < entries; e++)
            {
                position += 4 + BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]); // name
                position += 4 + BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]); // kind
                position += 4 + 8 * BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]); // means, stds
            }
        }
        int flagOffset = position++;
        if (bytes[flagOffset] == 0)
            return new CheckpointLayout
            {
                ParameterCountOffset = parameterCountOffset, ParametersOffset = parametersOffset, ParameterCount = parameterCount,
                OptimizerFlagOffset = flagOffset, ChecksumOffset = position,
            };

        int kindLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
        string kind = Encoding.UTF8.GetString(bytes.Slice(position + 4, kindLength));
        position += 4 + kindLength;
        int stepCountOffset = position;
        int trainingStepOffset = position + 8;
        position += 16;
        int hyperparameterCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
        int hyperparametersOffset = position + 4;
        position += 4 + 4 * hyperparameterCount;
        int bufferCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
        position += 4;
        var buffers = new List<(int, int)>();
        for (int b = 0; b < bufferCount; b++)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
            buffers.Add((position, length));
            position += 4 + 4 * length;
        }
        return new CheckpointLayout
        {
            ParameterCountOffset = parameterCountOffset, ParametersOffset = parametersOffset, ParameterCount = parameterCount,
            OptimizerFlagOffset = flagOffset, Kind = kind, StepCountOffset = stepCountOffset, TrainingStepOffset = trainingStepOffset,
            HyperparametersOffset = hyperparametersOffset, HyperparameterCount = hyperparameterCount, StateBuffers = buffers,
            ChecksumOffset = position,
        };
    }

    /// <summary>Recomputes the closing CRC-32C over everything before it, as Save does.</summary>
    public static void RewriteChecksum(byte[] bytes) =>
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));

    /// <summary>A copy with the float at <paramref name="offset"/> replaced and a valid checksum.</summary>
    public static byte[] WithFloat(byte[] bytes, int offset, float value)
    {
        byte[] copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(offset), value);
        RewriteChecksum(copy);
        return copy;
    }

    /// <summary>A copy with the int64 at <paramref name="offset"/> replaced and a valid checksum.</summary>
    public static byte[] WithInt64(byte[] bytes, int offset, long value)
    {
        byte[] copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(copy.AsSpan(offset), value);
        RewriteChecksum(copy);
        return copy;
    }

    /// <summary>A copy with the int32 at <paramref name="offset"/> replaced and a valid checksum.</summary>
    public static byte[] WithInt32(byte[] bytes, int offset, int value)
    {
        byte[] copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(offset), value);
        RewriteChecksum(copy);
        return copy;
    }
}
