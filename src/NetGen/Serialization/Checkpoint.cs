// NetGen checkpoint format, version 1. All integers and floats little-endian.
//
//   field                     type / size                    notes
//   ------------------------  -----------------------------  ----------------------------------------------------
//   magic                     4 bytes "NGCK"
//   format version            int32                          1; newer versions are refused with a clear message
//   network type name         int32 n (0..1024), n × UTF-8   net.GetType().FullName, for messages only
//   architecture fingerprint  uint64                         net.ArchitectureFingerprint; must match to load
//   parameter count           int32 N                        net.ParameterCount; must match to load
//   parameters                N × float32                    net.Parameters, bit for bit
//   optimizer present         byte                           0: no optimizer section, 1: one follows
//   [optimizer section]
//     kind                    int32 k (1..64), k × UTF-8     Optimizer.Kind ("Sgd", "AdaGrad", "RmsProp", "Adam")
//     step count              int64                          Optimizer.StepCount
//     training step           uint64                         INetwork.TrainingStep (the dropout-mask stream position)
//     hyperparameters         int32 H (0..256), H × float32  LearningRate, WeightDecay, then the kind's own
//                                                            (booleans as 0/1), in the order the optimizer writes them
//     state buffers           int32 B (0..64), then B ×      each: int32 length (0 = not allocated, else N),
//                                                            then length × float32 (Optimizer.StateBuffers)
//   checksum                  uint32                         CRC-32C (Castagnoli) of every byte before it
//
// Loading reads the whole checkpoint into memory and validates all of it (structure, checksum, architecture,
// optimizer shape) before it writes one float into the network or the optimizer; every failure is an
// InvalidDataException that says what was expected and what was found. Saving to a path is atomic: the bytes go to
// a temporary file beside the target, are flushed to disk, and replace the target with one rename; on failure the
// temporary file is deleted and the previous checkpoint stays as it was.

using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace NetGen;

/// <summary>Saving and loading a network's parameters, and optionally an optimizer's state, to a checkpoint.</summary>
public static class Checkpoint
{
    /// <summary>The format version this library writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    static ReadOnlySpan<byte> Magic => "NGCK"u8;
    const int MaxTypeNameBytes = 1024, MaxKindBytes = 64, MaxHyperparameters = 256, MaxStateBuffers = 64;

    // ---- saving --------------------------------------------------------------------------------------------

    /// <summary>Saves the parameters to <paramref name="path"/>, atomically (see the format notes).</summary>
    public static void Save(this INetwork network, string path) => Save(network, path, optimizer: null);

    /// <summary>Saves the parameters and <paramref name="optimizer"/>'s state (if not null) to <paramref name="path"/>, atomically.</summary>
    public static void Save(this INetwork network, string path, Optimizer? optimizer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckOptimizerFits(network, optimizer);
        string target = Path.GetFullPath(path);
        string temporary = $"{target}.tmp-{Environment.ProcessId}-{Random.Shared.Next():x8}";
        try
        {
            // bufferSize 1: no FileStream buffer, the writer has its own.
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1))
            {
                Write(network, optimizer, file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes the parameters to <paramref name="stream"/> at its position; the stream stays open.</summary>
    public static void Save(this INetwork network, Stream stream) => Save(network, stream, optimizer: null);

    /// <summary>Writes the parameters and <paramref name="optimizer"/>'s state (if not null) to <paramref name="stream"/>; the stream stays open.</summary>
    public static void Save(this INetwork network, Stream stream, Optimizer? optimizer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        CheckOptimizerFits(network, optimizer);
        Write(network, optimizer, stream);
        stream.Flush();
    }

    static void CheckOptimizerFits(INetwork network, Optimizer? optimizer)
    {
        if (optimizer is null) return;
        foreach (float[] buffer in optimizer.StateBuffers)
            if (buffer.Length != 0 && buffer.Length != network.ParameterCount)
                throw new ArgumentException(
                    $"The {optimizer.Kind} optimizer holds state for {buffer.Length} parameters; this network has {network.ParameterCount}.", nameof(optimizer));
    }

    static void Write(INetwork network, Optimizer? optimizer, Stream stream)
    {
        var writer = new CheckpointWriter(stream);
        writer.WriteBytes(Magic);
        writer.WriteInt32(FormatVersion);
        writer.WriteString(network.GetType().FullName ?? network.GetType().Name);
        writer.WriteUInt64(network.ArchitectureFingerprint);
        writer.WriteInt32(network.ParameterCount);
        ReadOnlySpan<float> parameters = network.Parameters;
        if (parameters.Length != network.ParameterCount)
            throw new InvalidOperationException($"The network reports {network.ParameterCount} parameters but its Parameters span has {parameters.Length}.");
        writer.WriteFloats(parameters);

        writer.WriteByte(optimizer is null ? (byte)0 : (byte)1);
        if (optimizer is not null)
        {
            writer.WriteString(optimizer.Kind);
            writer.WriteInt64(optimizer.StepCount);
            writer.WriteUInt64(network.TrainingStep);
            Span<float> hyperparameters = stackalloc float[optimizer.HyperparameterCountInternal];
            optimizer.WriteHyperparametersInternal(hyperparameters);
            writer.WriteInt32(hyperparameters.Length);
            writer.WriteFloats(hyperparameters);
            writer.WriteInt32(optimizer.StateBuffers.Count);
            foreach (float[] buffer in optimizer.StateBuffers)
            {
                writer.WriteInt32(buffer.Length);
                writer.WriteFloats(buffer);
            }
        }
        writer.Finish();
    }

    // ---- loading -------------------------------------------------------------------------------------------

    /// <summary>Loads parameters saved by <c>Save</c> from <paramref name="path"/>; any optimizer section is checked and ignored.</summary>
    public static void Load(this INetwork network, string path) => Load(network, path, optimizer: null);

    /// <summary>
    /// Loads parameters and, if <paramref name="optimizer"/> is not null, its state (step count, hyperparameters, moments; as PyTorch's
    /// <c>load_state_dict</c>, the saved hyperparameters replace the optimizer's). Nothing changes unless everything validates.
    /// </summary>
    public static void Load(this INetwork network, string path, Optimizer? optimizer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        Apply(network, optimizer, File.ReadAllBytes(path), path);
    }

    /// <summary>Loads parameters from <paramref name="stream"/>, reading it to its end.</summary>
    public static void Load(this INetwork network, Stream stream) => Load(network, stream, optimizer: null);

    /// <summary>Loads parameters and optimizer state from <paramref name="stream"/>, reading it to its end.</summary>
    public static void Load(this INetwork network, Stream stream, Optimizer? optimizer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        Apply(network, optimizer, copy.GetBuffer().AsSpan(0, (int)copy.Length), "the stream");
    }

    static void Apply(INetwork network, Optimizer? optimizer, ReadOnlySpan<byte> data, string source)
    {
        // 1. Parse and validate everything; nothing outside this method's locals changes until step 2.
        var reader = new CheckpointReader(data, source);
        if (data.Length < Magic.Length && Magic.StartsWith(data))
            throw new InvalidDataException($"{Capitalized(source)} is truncated: it holds {data.Length} bytes, not even the 4-byte \"NGCK\" magic.");
        if (data.Length < Magic.Length || !data[..Magic.Length].SequenceEqual(Magic))
            throw new InvalidDataException($"{Capitalized(source)} is not a NetGen checkpoint: it does not start with \"NGCK\".");
        reader.Skip(Magic.Length);
        int version = reader.ReadInt32("the format version");
        if (version != FormatVersion)
            throw new InvalidDataException(version > FormatVersion
                ? $"{Capitalized(source)} is checkpoint format version {version}; this NetGen reads version {FormatVersion} and older. Update NetGen to load it."
                : $"{Capitalized(source)} claims checkpoint format version {version}, which never existed; this NetGen reads version {FormatVersion}.");

        string typeName;
        ulong fingerprint;
        int parameterCount;
        ReadOnlySpan<byte> parameterBytes;
        string? kind = null;
        long stepCount = 0;
        ulong trainingStep = 0;
        float[] hyperparameters = Array.Empty<float>();
        int bufferCount = 0, buffersStart = 0, checksumOffset;
        uint stored;
        try
        {
            typeName = reader.ReadString("the network type name", MaxTypeNameBytes);
            fingerprint = reader.ReadUInt64("the architecture fingerprint");
            parameterCount = reader.ReadCount("the parameter count", int.MaxValue);
            parameterBytes = reader.ReadFloatBytes(parameterCount, "the parameters");

            byte hasOptimizer = reader.ReadByte("the optimizer flag");
            if (hasOptimizer > 1) throw reader.Invalid($"the optimizer flag is {hasOptimizer}; expected 0 or 1");
            if (hasOptimizer == 1)
            {
                kind = reader.ReadString("the optimizer kind", MaxKindBytes);
                stepCount = reader.ReadInt64("the optimizer step count");
                if (stepCount < 0) throw reader.Invalid($"the optimizer step count is {stepCount}");
                trainingStep = reader.ReadUInt64("the network's training step");
                int hyperparameterCount = reader.ReadCount("the hyperparameter count", MaxHyperparameters);
                hyperparameters = ToFloats(reader.ReadFloatBytes(hyperparameterCount, "the hyperparameters"));
                bufferCount = reader.ReadCount("the state buffer count", MaxStateBuffers);
                buffersStart = reader.Position;
                for (int b = 0; b < bufferCount; b++)
                {
                    int length = reader.ReadCount($"the length of state buffer {b}", int.MaxValue);
                    if (length != 0 && length != parameterCount)
                        throw reader.Invalid($"state buffer {b} holds {length} floats; expected 0 or the parameter count {parameterCount}");
                    reader.ReadFloatBytes(length, $"state buffer {b}");
                }
            }

            checksumOffset = reader.Position;
            stored = reader.ReadUInt32("the CRC-32C checksum");
            if (reader.Position != data.Length)
                throw new InvalidDataException($"{Capitalized(source)} has {data.Length - reader.Position} unexpected bytes after the checksum at offset {checksumOffset}.");
        }
        catch (InvalidDataException e) when (!TailIsChecksumOfTheRest(data))
        {
            // A broken structure usually means corruption; say so when the checksum confirms it.
            throw new InvalidDataException(e.Message + " Its last four bytes are not the CRC-32C checksum of the rest either: the data is corrupt or cut short.", e);
        }
        uint computed = Crc32C.Compute(data[..checksumOffset]);
        if (stored != computed)
            throw new InvalidDataException($"{Capitalized(source)} is corrupt: its CRC-32C checksum is 0x{stored:X8} but its contents hash to 0x{computed:X8}.");

        if (fingerprint != network.ArchitectureFingerprint)
            throw new InvalidDataException(
                $"{Capitalized(source)} holds another architecture: it was saved from {typeName} (fingerprint 0x{fingerprint:X16}), " +
                $"this network is {network.GetType().FullName} (fingerprint 0x{network.ArchitectureFingerprint:X16}).");
        if (parameterCount != network.ParameterCount)
            throw new InvalidDataException(
                $"{Capitalized(source)} holds {parameterCount} parameters (saved from {typeName}); this {network.GetType().FullName} has {network.ParameterCount}.");

        float[][]? buffers = null;
        if (optimizer is not null)
        {
            if (kind is null)
                throw new InvalidDataException($"{Capitalized(source)} has no optimizer state; save it with Save(path, optimizer) to resume training.");
            if (kind != optimizer.Kind)
                throw new InvalidDataException($"{Capitalized(source)} holds {kind} optimizer state; it cannot be loaded into a {optimizer.Kind} optimizer.");
            if (hyperparameters.Length != optimizer.HyperparameterCountInternal || bufferCount != optimizer.StateBufferCount)
                throw new InvalidDataException(
                    $"{Capitalized(source)} holds {kind} state with {hyperparameters.Length} hyperparameters and {bufferCount} state buffers; " +
                    $"this {optimizer.Kind} expects {optimizer.HyperparameterCountInternal} and {optimizer.StateBufferCount}.");
            buffers = new float[bufferCount][];
            var bufferReader = new CheckpointReader(data, source);
            bufferReader.Skip(buffersStart);
            for (int b = 0; b < bufferCount; b++)
            {
                int length = bufferReader.ReadCount("", int.MaxValue);
                buffers[b] = ToFloats(bufferReader.ReadFloatBytes(length, ""));
            }
        }

        Span<float> parameters = network.Parameters;
        if (parameters.Length != parameterCount)
            throw new InvalidOperationException($"The network reports {network.ParameterCount} parameters but its Parameters span has {parameters.Length}.");

        // 2. Everything checked: commit.
        CopyFloats(parameterBytes, parameters);
        if (optimizer is not null)
        {
            optimizer.Restore(network, stepCount, hyperparameters, buffers!);
            network.TrainingStep = trainingStep;
        }
    }

    static bool TailIsChecksumOfTheRest(ReadOnlySpan<byte> data) =>
        data.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]) == Crc32C.Compute(data[..^4]);

    static string Capitalized(string source) => source.StartsWith("the ", StringComparison.Ordinal) ? "The" + source[3..] : $"Checkpoint '{source}'";

    static float[] ToFloats(ReadOnlySpan<byte> bytes)
    {
        var floats = new float[bytes.Length / sizeof(float)];
        CopyFloats(bytes, floats);
        return floats;
    }

    static void CopyFloats(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
            return;
        }
        for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
    }

    /// <summary>Little-endian fields into a 64 KiB buffer, with the running CRC over every byte written.</summary>
    sealed class CheckpointWriter(Stream stream)
    {
        readonly byte[] _buffer = new byte[1 << 16];
        int _used;
        uint _crc = Crc32C.Initial;

        public void WriteByte(byte value) => Reserve(1)[0] = value;
        public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);
        public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);
        public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

        public void WriteString(string value)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            WriteInt32(bytes.Length);
            WriteBytes(bytes);
        }

        public void WriteFloats(ReadOnlySpan<float> values)
        {
            if (BitConverter.IsLittleEndian)
            {
                WriteBytes(MemoryMarshal.AsBytes(values));
                return;
            }
            foreach (float value in values) BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);
        }

        public void WriteBytes(ReadOnlySpan<byte> bytes)
        {
            while (bytes.Length > 0)
            {
                if (_used == _buffer.Length) Flush();
                int n = Math.Min(bytes.Length, _buffer.Length - _used);
                bytes[..n].CopyTo(_buffer.AsSpan(_used));
                _used += n;
                bytes = bytes[n..];
            }
        }

        /// <summary>Flushes, then writes the checksum of everything so far (not itself covered).</summary>
        public void Finish()
        {
            Flush();
            Span<byte> checksum = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(checksum, Crc32C.Finish(_crc));
            stream.Write(checksum);
        }

        Span<byte> Reserve(int count)
        {
            if (_buffer.Length - _used < count) Flush();
            Span<byte> span = _buffer.AsSpan(_used, count);
            _used += count;
            return span;
        }

        void Flush()
        {
            _crc = Crc32C.Update(_crc, _buffer.AsSpan(0, _used));
            stream.Write(_buffer, 0, _used);
            _used = 0;
        }
    }

    /// <summary>Little-endian fields from memory; running out is an InvalidDataException naming the field and the offset.</summary>
    ref struct CheckpointReader(ReadOnlySpan<byte> data, string source)
    {
        readonly ReadOnlySpan<byte> _data = data;
        public int Position { get; private set; }

        public void Skip(int count) => Take(count, "");
        public byte ReadByte(string what) => Take(1, what)[0];
        public int ReadInt32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));
        public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));
        public long ReadInt64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));
        public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

        public int ReadCount(string what, int max)
        {
            int start = Position;
            int value = ReadInt32(what);
            if (value < 0 || value > max)
                throw new InvalidDataException($"{Capitalized(source)} is corrupt: {what} at offset {start} is {value}; expected 0 to {max}.");
            return value;
        }

        public string ReadString(string what, int maxBytes)
        {
            int length = ReadCount($"the byte length of {what}", maxBytes);
            ReadOnlySpan<byte> bytes = Take(length, what);
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Invalid($"{what} is not valid UTF-8");
            }
        }

        public ReadOnlySpan<byte> ReadFloatBytes(int count, string what)
        {
            long bytes = (long)count * sizeof(float);
            if (bytes > _data.Length - Position) throw Truncated(bytes, $"{what} ({count} float32)");
            return Take((int)bytes, what);
        }

        public InvalidDataException Invalid(string problem) =>
            new($"{Capitalized(source)} is corrupt: {problem} (before offset {Position}).");

        ReadOnlySpan<byte> Take(int count, string what)
        {
            if (count > _data.Length - Position) throw Truncated(count, what);
            ReadOnlySpan<byte> span = _data.Slice(Position, count);
            Position += count;
            return span;
        }

        InvalidDataException Truncated(long count, string what) =>
            new($"{Capitalized(source)} is truncated: expected {what} ({count} bytes) at offset {Position}, but it ends at {_data.Length} bytes.");
    }
}
