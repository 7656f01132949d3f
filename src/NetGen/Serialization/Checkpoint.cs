// NetGen checkpoint format, version 2 (version 1 is still read). All integers and floats little-endian.
//
//   field                     type / size                    notes
//   ------------------------  -----------------------------  ----------------------------------------------------
//   magic                     4 bytes "NGCK"
//   format version            int32                          2 (or 1); newer versions are refused with a clear message
//   network type name         int32 n (0..1024), n × UTF-8   net.GetType().FullName, for messages only
//   architecture fingerprint  uint64                         net.ArchitectureFingerprint; must match to load (unless by name)
//   [version 2]
//   architecture text         int32 n (0..2^20), n × UTF-8   net.Architecture: a mismatch is reported layer by layer in words
//   layer count               int32 L (0..4096)              then L layers, each:
//     name, kind              int32 n (0..256), int32 k      LayerInfo.Name, LayerInfo.Kind (k 0..64), UTF-8 each
//     input, output shape     2 × (int32 rank (0..4), ints)   LayerInfo.InputShape, LayerInfo.OutputShape
//     offset, count           2 × int32                      where its parameters sit, within N
//   [all versions]
//   parameter count           int32 N                        net.ParameterCount; must match to load (unless by name)
//   parameters                N × float32                    net.Parameters, bit for bit; all finite
//   [version 2]
//   preprocessing count       int32 P (0..8)                 then P entries, each:
//     name                    int32 n (1..64), n × UTF-8     SaveOptions.Preprocessing's key, e.g. "inputs"
//     kind                    int32 n (1..64), n × UTF-8     "Standardizer" (the only kind so far)
//     features                int32 F                        1 to max(InputSize, OutputSize); then F means and F stds,
//                                                            float32, finite, stds > 0
//   [all versions]
//   optimizer present         byte                           0: no optimizer section, 1: one follows
//   [optimizer section]
//     kind                    int32 k (1..64), k × UTF-8     Optimizer.Kind ("Sgd", "AdaGrad", "RmsProp", "Adam")
//     step count              int64                          Optimizer.StepCount, 0 to 2^53
//     training step           uint64                         INetwork.TrainingStep (the dropout-mask stream position)
//     hyperparameters         int32 H (0..256), H × float32  LearningRate, WeightDecay, then the kind's own
//                                                            (booleans as 0/1), in the order the optimizer writes them
//     state buffers           int32 B (0..64), then B ×      each: int32 length (0 = not allocated, else N),
//                                                            then length × float32 (Optimizer.StateBuffers), all finite
//   checksum                  uint32                         CRC-32C (Castagnoli) of every byte before it
//
// Loading reads field by field and checks each before reading on: the magic and the version first (anything else is
// refused after four bytes), then the architecture fingerprint and the parameter count against the network, so it
// never reads or allocates more than a checkpoint of this network (and optimizer) can hold, from a file, a device or
// an endless stream alike. Then the checksum, then the values: finite parameters and state, and a step count and
// hyperparameters the optimizer accepts (Optimizer.CheckHyperparameters). Only then does it write one float into the
// network or the optimizer. A bad checkpoint is an InvalidDataException that says what was expected and what was found;
// a missing file a FileNotFoundException, a directory an IOException.
//
// Saving refuses what loading would refuse (non-finite values, out-of-range hyperparameters) before writing anything.
// Saving to a path is atomic: the bytes go to a temporary file beside the target, are flushed to disk, and replace the
// target with one rename; on failure the temporary file is deleted, the previous checkpoint stays as it was, and the
// error names the target. A Save that was killed leaves its temporary file behind; the next Save of the same target
// removes it once its writer is gone (CheckpointTemporaryFiles).

using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Collections.Generic;
using NetGen.Data;

namespace NetGen;

/// <summary>Saving and loading a network's parameters, and optionally an optimizer's state, to a checkpoint.</summary>
public static class Checkpoint
{
    /// <summary>The format version this library writes and the newest it reads.</summary>
    public const int FormatVersion = 2;

    static ReadOnlySpan<byte> Magic => "NGCK"u8;
    const int MaxTypeNameBytes = 1024, MaxKindBytes = 64, MaxHyperparameters = 256, MaxStateBuffers = 64;
    const int MaxArchitectureBytes = 1 << 20, MaxLayers = 4096, MaxLayerNameBytes = 256, MaxRank = 4;
    const int MaxPreprocessing = 8, MaxPreprocessingNameBytes = 64, MaxFeatures = 1 << 20;
    const string StandardizerKind = "Standardizer";
    const int FloatsPerChunk = 1 << 28; // floats are moved as bytes in chunks: a span over 2 GiB has no byte view

    // ---- saving --------------------------------------------------------------------------------------------

    /// <summary>Saves the parameters to <paramref name="path"/>, atomically (see the format notes).</summary>
    public static void Save(this INetwork network, string path) => Save(network, path, optimizer: null);

    /// <summary>Saves the parameters and <paramref name="optimizer"/>'s state (if not null) to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="InvalidOperationException">A parameter is NaN or infinite (the checkpoint could not be loaded).</exception>
    /// <exception cref="ArgumentException"><paramref name="optimizer"/>'s state does not fit the network or could not be loaded back.</exception>
    /// <exception cref="IOException">The file cannot be written (the message names <paramref name="path"/>); the previous file is kept.</exception>
    public static void Save(this INetwork network, string path, Optimizer? optimizer) =>
        Save(network, path, optimizer, preprocessing: null);

    /// <summary>
    /// Saves the parameters, <see cref="SaveOptions.Optimizer"/>'s state (if any) and the named
    /// <see cref="SaveOptions.Preprocessing"/> to <paramref name="path"/>, atomically; <c>Load(path, new LoadOptions())</c>
    /// gives the preprocessing back in its report.
    /// </summary>
    public static void Save(this INetwork network, string path, SaveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Save(network, path, options.Optimizer, options.Preprocessing);
    }

    static void Save(INetwork network, string path, Optimizer? optimizer, IDictionary<string, Standardizer>? preprocessing)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckOptimizerSavable(network, optimizer);
        CheckPreprocessingSavable(network, preprocessing);
        string target = Path.GetFullPath(path);
        if (Directory.Exists(target))
            throw new IOException($"Could not save the checkpoint '{target}': it is a directory; expected a file path.");
        CheckpointTemporaryFiles.RemoveStale(target);
        string temporary = CheckpointTemporaryFiles.Begin(target);
        try
        {
            // Open until renamed: the handle tells a concurrent Save's clean-up that this file's writer is alive
            // (FileShare.Delete lets Windows rename it open). bufferSize 1: no FileStream buffer, the writer has its own.
            using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.Delete, bufferSize: 1);
            Write(network, optimizer, preprocessing, file);
            file.Flush(flushToDisk: true);
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            if (e is IOException or UnauthorizedAccessException) throw NamingTheTarget(e, target, temporary);
            throw;
        }
        finally
        {
            CheckpointTemporaryFiles.End(temporary);
        }
    }

    /// <summary>The file system's error, with the target's path in front of the temporary file's; the same type where it matters.</summary>
    static Exception NamingTheTarget(Exception error, string target, string temporary)
    {
        string? folder = Path.GetDirectoryName(target);
        if (error is DirectoryNotFoundException && folder is not null && !Directory.Exists(folder))
            return new DirectoryNotFoundException($"Could not save the checkpoint '{target}': the folder '{folder}' does not exist.", error);
        string message = $"Could not save the checkpoint '{target}' (through the temporary file '{temporary}'): {error.Message}";
        return error switch
        {
            UnauthorizedAccessException => new UnauthorizedAccessException(message, error),
            DirectoryNotFoundException => new DirectoryNotFoundException(message, error),
            PathTooLongException => new PathTooLongException(message, error),
            _ => new IOException(message, error),
        };
    }

    /// <summary>Writes the parameters to <paramref name="stream"/> at its position; the stream stays open.</summary>
    public static void Save(this INetwork network, Stream stream) => Save(network, stream, optimizer: null);

    /// <summary>
    /// Writes the parameters and <paramref name="optimizer"/>'s state (if not null) to <paramref name="stream"/>; the stream stays open.
    /// Values that could not be loaded back are refused before anything is written.
    /// </summary>
    public static void Save(this INetwork network, Stream stream, Optimizer? optimizer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        CheckOptimizerSavable(network, optimizer);
        Write(network, optimizer, null, stream);
        stream.Flush();
    }

    /// <summary>As <see cref="Save(INetwork, string, SaveOptions)"/>, to <paramref name="stream"/> at its position; the stream stays open.</summary>
    public static void Save(this INetwork network, Stream stream, SaveOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        CheckOptimizerSavable(network, options.Optimizer);
        CheckPreprocessingSavable(network, options.Preprocessing);
        Write(network, options.Optimizer, options.Preprocessing, stream);
        stream.Flush();
    }

    /// <summary>The most features a saved standardizer may have: one for the inputs or one for the targets.</summary>
    static int MaxFeaturesOf(INetwork network) => Math.Max(1, Math.Max(network.InputSize, network.OutputSize));

    static void CheckPreprocessingSavable(INetwork network, IDictionary<string, Standardizer>? preprocessing)
    {
        if (preprocessing is null) return;
        if (preprocessing.Count > MaxPreprocessing)
            throw new ArgumentException($"A checkpoint holds at most {MaxPreprocessing} preprocessing entries; found {preprocessing.Count}.", nameof(preprocessing));
        foreach (var (name, standardizer) in preprocessing)
        {
            if (name is null || Encoding.UTF8.GetByteCount(name) is 0 or > MaxPreprocessingNameBytes)
                throw new ArgumentException($"Preprocessing names must be 1 to {MaxPreprocessingNameBytes} UTF-8 bytes; found '{name}'.", nameof(preprocessing));
            if (standardizer is null) throw new ArgumentException($"Preprocessing '{name}' is null.", nameof(preprocessing));
            if (standardizer.FeatureSize > MaxFeaturesOf(network))
                throw new ArgumentException(
                    $"Preprocessing '{name}' has {standardizer.FeatureSize} features; a checkpoint of this network holds standardizers of at most " +
                    $"{MaxFeaturesOf(network)} (its input or output size).", nameof(preprocessing));
        }
    }

    /// <summary>Refuses optimizer state that Load would refuse, before anything is written.</summary>
    static void CheckOptimizerSavable(INetwork network, Optimizer? optimizer)
    {
        if (optimizer is null) return;
        foreach (float[] buffer in optimizer.StateBuffers)
            if (buffer.Length != 0 && buffer.Length != network.ParameterCount)
                throw new ArgumentException(
                    $"The {optimizer.Kind} optimizer holds state for {buffer.Length} parameters; this network has {network.ParameterCount}.", nameof(optimizer));
        int count = optimizer.HyperparameterCountInternal;
        if (count < 2 || count > MaxHyperparameters || optimizer.StateBufferCount > MaxStateBuffers || Encoding.UTF8.GetByteCount(optimizer.Kind) is 0 or > MaxKindBytes)
            throw new ArgumentException(
                $"The {optimizer.Kind} optimizer has {count} hyperparameters and {optimizer.StateBufferCount} state buffers; a checkpoint holds 2 to {MaxHyperparameters} " +
                $"and at most {MaxStateBuffers}, and a kind of 1 to {MaxKindBytes} UTF-8 bytes.", nameof(optimizer));
        Span<float> hyperparameters = stackalloc float[count];
        optimizer.WriteHyperparametersInternal(hyperparameters);
        if (optimizer.CheckRestorable(optimizer.StepCount, hyperparameters, optimizer.StateBuffers) is string problem)
            throw new ArgumentException($"The {optimizer.Kind} optimizer's state could not be loaded back, so it is not saved: {problem}.", nameof(optimizer));
    }

    static void Write(INetwork network, Optimizer? optimizer, IDictionary<string, Standardizer>? preprocessing, Stream stream)
    {
        // Saving reads the parameters: it may share the network with inference, not with a training step or a load.
        network.Concurrency.EnterShared("Save");
        try { WriteShared(network, optimizer, preprocessing, stream); }
        finally { network.Concurrency.ExitShared(); }
    }

    static void WriteShared(INetwork network, Optimizer? optimizer, IDictionary<string, Standardizer>? preprocessing, Stream stream)
    {
        var writer = new CheckpointWriter(stream);
        writer.WriteBytes(Magic);
        writer.WriteInt32(FormatVersion);
        writer.WriteString(network.GetType().FullName ?? network.GetType().Name);
        writer.WriteUInt64(network.ArchitectureFingerprint);
        string architecture = network.Architecture ?? "";
        IReadOnlyList<LayerInfo> layers = network.Layers;
        if (Encoding.UTF8.GetByteCount(architecture) > MaxArchitectureBytes || layers.Count > MaxLayers)
            throw new InvalidOperationException(
                $"The network's architecture text ({Encoding.UTF8.GetByteCount(architecture)} bytes) or layer count ({layers.Count}) exceeds what a checkpoint holds " +
                $"({MaxArchitectureBytes} bytes, {MaxLayers} layers).");
        writer.WriteString(architecture);
        writer.WriteInt32(layers.Count);
        foreach (LayerInfo layer in layers)
        {
            if (Encoding.UTF8.GetByteCount(layer.Name) > MaxLayerNameBytes || Encoding.UTF8.GetByteCount(layer.Kind) > MaxKindBytes
                || layer.InputShape.Count > MaxRank || layer.OutputShape.Count > MaxRank)
                throw new InvalidOperationException($"Layer '{layer.Name}' ({layer.Kind}) has a name, kind or shape longer than a checkpoint holds.");
            writer.WriteString(layer.Name);
            writer.WriteString(layer.Kind);
            WriteShape(writer, layer.InputShape);
            WriteShape(writer, layer.OutputShape);
            writer.WriteInt32(layer.ParameterOffset);
            writer.WriteInt32(layer.ParameterCount);
        }
        writer.WriteInt32(network.ParameterCount);
        ReadOnlySpan<float> parameters = network.Parameters;
        if (parameters.Length != network.ParameterCount)
            throw new InvalidOperationException($"The network reports {network.ParameterCount} parameters but its Parameters span has {parameters.Length}.");
        // Checked here, while the header still sits in the writer's buffer: a refused save writes nothing to the stream.
        int nonFinite = IndexOfNonFinite(parameters);
        if (nonFinite >= 0)
            throw new InvalidOperationException(
                $"Parameter {nonFinite}{LayerOf(network, nonFinite)} is {Show(parameters[nonFinite])}; a checkpoint holds finite parameters only " +
                "(Load refuses others). The network has diverged: save an earlier state.");
        writer.WriteFloats(parameters);

        writer.WriteInt32(preprocessing?.Count ?? 0);
        if (preprocessing is not null)
            foreach (var (name, standardizer) in preprocessing)
            {
                writer.WriteString(name);
                writer.WriteString(StandardizerKind);
                writer.WriteInt32(standardizer.FeatureSize);
                writer.WriteFloats(standardizer.Mean);
                writer.WriteFloats(standardizer.Std);
            }

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

    static void WriteShape(CheckpointWriter writer, IReadOnlyList<int> shape)
    {
        writer.WriteInt32(shape.Count);
        foreach (int d in shape) writer.WriteInt32(d);
    }

    // ---- loading -------------------------------------------------------------------------------------------

    /// <summary>Loads parameters saved by <c>Save</c> from <paramref name="path"/>; any optimizer section is checked (structure and checksum) and ignored.</summary>
    public static void Load(this INetwork network, string path) => Load(network, path, optimizer: null);

    /// <summary>
    /// Loads parameters and, if <paramref name="optimizer"/> is not null, its state (step count, hyperparameters, moments; as PyTorch's
    /// <c>load_state_dict</c>, the saved hyperparameters replace the optimizer's). Nothing changes unless everything validates.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid checkpoint for this network (and optimizer); the message says why.</exception>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a directory, or cannot be read.</exception>
    public static void Load(this INetwork network, string path, Optimizer? optimizer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream file = OpenForLoading(path);
        Apply(network, optimizer, file, path);
    }

    static FileStream OpenForLoading(string path)
    {
        const string Expected = "expected a checkpoint file saved by Save";
        if (Directory.Exists(path)) throw new IOException($"Checkpoint '{path}' is a directory; {Expected}.");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist; {Expected}.", path, e);
        }
        catch (UnauthorizedAccessException e) when (Directory.Exists(path))
        {
            throw new IOException($"Checkpoint '{path}' is a directory; {Expected}.", e);
        }
    }

    /// <summary>Loads parameters from <paramref name="stream"/>: exactly one checkpoint, which must end the stream.</summary>
    public static void Load(this INetwork network, Stream stream) => Load(network, stream, optimizer: null);

    /// <summary>Loads parameters and optimizer state from <paramref name="stream"/>: exactly one checkpoint, which must end the stream.</summary>
    public static void Load(this INetwork network, Stream stream, Optimizer? optimizer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        Apply(network, optimizer, stream, "the stream");
    }

    /// <summary>
    /// The most bytes a checkpoint for a network of <paramref name="parameterCount"/> parameters can hold: with
    /// <paramref name="optimizer"/>'s section, or, without one, with the largest section the format allows. Reading
    /// never goes past it.
    /// </summary>
    static long MaximumLength(INetwork network, long parameterCount, Optimizer? optimizer, bool byName)
    {
        long parameters = 4L * parameterCount;
        int hyperparameters = optimizer?.HyperparameterCountInternal ?? MaxHyperparameters;
        int buffers = optimizer?.StateBufferCount ?? MaxStateBuffers;
        // Loading whole, the checkpoint repeats this network's own description; by name, any architecture's.
        long description = byName
            ? 4 + MaxArchitectureBytes + 4 + (long)MaxLayers * (2 * 4 + MaxLayerNameBytes + MaxKindBytes + 2 * (4 + 4 * MaxRank) + 8)
            : DescriptionLength(network);
        long header = 4 + 4 + 4 + MaxTypeNameBytes + 8 + description + 4;
        long features = byName ? MaxFeatures : MaxFeaturesOf(network);
        long preprocessing = 4 + MaxPreprocessing * (4 + MaxPreprocessingNameBytes + 4 + MaxKindBytes + 4 + 8 * features);
        long section = 4 + MaxKindBytes + 8 + 8 + 4 + 4L * hyperparameters + 4 + buffers * (4 + parameters);
        return header + parameters + preprocessing + 1 + section + 4;
    }

    /// <summary>The bytes of this network's architecture text and layer table, as Save writes them.</summary>
    static long DescriptionLength(INetwork network)
    {
        long length = 4 + Encoding.UTF8.GetByteCount(network.Architecture ?? "") + 4;
        foreach (LayerInfo layer in network.Layers)
            length += 4 + Encoding.UTF8.GetByteCount(layer.Name) + 4 + Encoding.UTF8.GetByteCount(layer.Kind)
                + 4 + 4L * layer.InputShape.Count + 4 + 4L * layer.OutputShape.Count + 8;
        return length;
    }

    /// <summary>
    /// Loads from <paramref name="path"/> as <paramref name="options"/> say: the whole network (the default, same
    /// architecture only) or layer by layer by name from any architecture. Returns what was loaded and skipped, and the
    /// preprocessing saved with the model. Nothing changes unless everything validates.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid checkpoint, or does not fit as asked; the message says which layer and why.</exception>
    /// <exception cref="ArgumentException"><see cref="LoadOptions.Layers"/> or <see cref="LoadOptions.SourceNames"/> names a layer this network lacks.</exception>
    public static LoadReport Load(this INetwork network, string path, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        CheckLayerNames(network, options);
        using FileStream file = OpenForLoading(path);
        return Apply(network, null, options, file, path);
    }

    /// <summary>As <see cref="Load(INetwork, string, LoadOptions)"/>, from <paramref name="stream"/>: exactly one checkpoint, which must end the stream.</summary>
    public static LoadReport Load(this INetwork network, Stream stream, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        CheckLayerNames(network, options);
        return Apply(network, null, options, stream, "the stream");
    }

    static void CheckLayerNames(INetwork network, LoadOptions options)
    {
        foreach (string name in options.Layers ?? (IEnumerable<string>)Array.Empty<string>())
            Kernels.LayerAccess.IndexOf(network.Layers, name, nameof(options));
        foreach (string name in options.SourceNames?.Keys ?? (IEnumerable<string>)Array.Empty<string>())
            Kernels.LayerAccess.IndexOf(network.Layers, name, nameof(options));
    }

    static LoadReport Apply(INetwork network, Optimizer? optimizer, LoadOptions? options, Stream stream, string source)
    {
        // Loading writes the parameters: it needs the network to itself, or a concurrent Predict would read torn weights.
        network.Concurrency.EnterExclusive("Load");
        try { return ApplyExclusive(network, optimizer, options, stream, source); }
        finally { network.Concurrency.ExitExclusive(); }
    }

    static void Apply(INetwork network, Optimizer? optimizer, Stream stream, string source) => Apply(network, optimizer, null, stream, source);

    /// <summary>One layer as a checkpoint records it.</summary>
    readonly record struct SavedLayer(string Name, string Kind, int[] InputShape, int[] OutputShape, int Offset, int Count);

    /// <summary>A layer to load by name: this network's layer, the checkpoint's, and the staged values.</summary>
    sealed record Transfer(LayerInfo Target, SavedLayer Saved)
    {
        public float[] Values { get; set; } = Array.Empty<float>();
    }

    static LoadReport ApplyExclusive(INetwork network, Optimizer? optimizer, LoadOptions? options, Stream stream, string source)
    {
        bool byName = options?.IsByName == true;
        int parameterCount = network.ParameterCount;
        var reader = new CheckpointReader(stream, source);

        // 1. Magic and version: anything else is not a checkpoint (or one from the future); read no further.
        Span<byte> magic = stackalloc byte[4];
        int got = reader.ReadUpTo(magic);
        if (got < Magic.Length && Magic.StartsWith(magic[..got]))
            throw new InvalidDataException($"{Capitalized(source)} is truncated: it holds {got} bytes, not even the 4-byte \"NGCK\" magic.");
        if (got < Magic.Length || !magic.SequenceEqual(Magic))
            throw new InvalidDataException($"{Capitalized(source)} is not a NetGen checkpoint: it does not start with \"NGCK\".");
        int version = reader.ReadInt32("the format version");
        if (version is < 1 or > FormatVersion)
            throw new InvalidDataException(version > FormatVersion
                ? $"{Capitalized(source)} is checkpoint format version {version}; this NetGen reads versions 1 to {FormatVersion}. Update NetGen to load it."
                : $"{Capitalized(source)} claims checkpoint format version {version}, which never existed; this NetGen reads versions 1 to {FormatVersion}.");

        // 2. The structure, each field checked against this network and optimizer before the next is read, so nothing is
        //    read or allocated beyond what they can take. Only this method's locals change until step 4.
        float[]? parameters = null;
        var transfers = new List<Transfer>();
        var skipped = new List<string>();
        string? architecture = null;
        var preprocessingValues = new List<(string Name, float[] Mean, float[] Std)>();
        string? kind = null;
        long stepCount = 0, checksumOffset, savedLength = parameterCount;
        ulong trainingStep = 0;
        float[] hyperparameters = Array.Empty<float>();
        float[][]? buffers = null;
        uint stored, computed;
        try
        {
            string typeName = reader.ReadString("the network type name", MaxTypeNameBytes);
            ulong fingerprint = reader.ReadUInt64("the architecture fingerprint");
            SavedLayer[]? savedLayers = null;
            if (version >= 2)
            {
                architecture = reader.ReadString("the architecture text", MaxArchitectureBytes);
                savedLayers = ReadLayers(reader);
            }
            int savedCount = reader.ReadCount("the parameter count", int.MaxValue);
            if (!byName)
            {
                if (fingerprint != network.ArchitectureFingerprint)
                    throw new InvalidDataException(ArchitectureMismatch(source, typeName, fingerprint, architecture, network));
                if (savedCount != parameterCount)
                    throw new InvalidDataException(
                        $"{Capitalized(source)} holds {savedCount} parameters (saved from {typeName}); this {network.GetType().FullName} has {parameterCount}.");
                parameters = new float[parameterCount]; // staged: the network is untouched until everything is checked
                reader.ReadFloats(parameters, "the parameters");
            }
            else
            {
                savedLength = savedCount;
                if (savedLayers is null)
                {
                    if (fingerprint != network.ArchitectureFingerprint || savedCount != parameterCount)
                        throw new InvalidDataException(
                            $"{Capitalized(source)} is checkpoint format version 1, which records no layer names, and holds another architecture " +
                            $"(saved from {typeName}); it loads only into its own. Save it again with this NetGen to load it by layer name.");
                    savedLayers = new SavedLayer[network.Layers.Count];
                    for (int i = 0; i < savedLayers.Length; i++)
                    {
                        LayerInfo l = network.Layers[i];
                        savedLayers[i] = new SavedLayer(l.Name, l.Kind, ToArray(l.InputShape), ToArray(l.OutputShape), l.ParameterOffset, l.ParameterCount);
                    }
                }
                foreach (SavedLayer saved in savedLayers)
                    if (saved.Offset < 0 || saved.Count < 0 || saved.Offset > savedCount - saved.Count)
                        throw reader.Invalid($"layer '{saved.Name}' claims parameters [{saved.Offset}, {(long)saved.Offset + saved.Count}) outside its {savedCount}");
                MatchByName(network, options!, savedLayers, source, transfers, skipped);

                // The saved parameters in file order: read the matched layers' slices, skip the rest.
                transfers.Sort((x, y) => x.Saved.Offset.CompareTo(y.Saved.Offset));
                long cursor = 0;
                foreach (Transfer t in transfers)
                {
                    if (t.Saved.Offset < cursor)
                        throw reader.Invalid($"layer '{t.Saved.Name}' overlaps the parameters of another layer");
                    reader.Skip(4L * (t.Saved.Offset - cursor), "parameters not loaded");
                    t.Values = new float[t.Saved.Count];
                    reader.ReadFloats(t.Values, $"the parameters of layer '{t.Saved.Name}'");
                    cursor = (long)t.Saved.Offset + t.Saved.Count;
                }
                reader.Skip(4L * (savedCount - cursor), "parameters not loaded");
            }

            if (version >= 2)
            {
                int entries = reader.ReadCount("the preprocessing count", MaxPreprocessing);
                for (int e = 0; e < entries; e++)
                {
                    string name = reader.ReadString($"the name of preprocessing entry {e}", MaxPreprocessingNameBytes);
                    string entryKind = reader.ReadString($"the kind of preprocessing '{name}'", MaxKindBytes);
                    if (entryKind != StandardizerKind)
                        throw new InvalidDataException($"{Capitalized(source)} holds preprocessing '{name}' of kind '{entryKind}'; this NetGen knows only {StandardizerKind}.");
                    int features = reader.ReadCount($"the feature count of preprocessing '{name}'", byName ? MaxFeatures : MaxFeaturesOf(network));
                    float[] mean = new float[features], std = new float[features];
                    reader.ReadFloats(mean, $"the means of preprocessing '{name}'");
                    reader.ReadFloats(std, $"the stds of preprocessing '{name}'");
                    preprocessingValues.Add((name, mean, std));
                }
            }

            byte hasOptimizer = reader.ReadByte("the optimizer flag");
            if (hasOptimizer > 1) throw reader.Invalid($"the optimizer flag is {hasOptimizer}; expected 0 or 1");
            if (hasOptimizer == 1)
            {
                kind = reader.ReadString("the optimizer kind", MaxKindBytes);
                if (optimizer is not null && kind != optimizer.Kind)
                    throw new InvalidDataException($"{Capitalized(source)} holds {kind} optimizer state; it cannot be loaded into a {optimizer.Kind} optimizer.");
                stepCount = reader.ReadInt64("the optimizer step count");
                trainingStep = reader.ReadUInt64("the network's training step");
                int hyperparameterCount = reader.ReadCount("the hyperparameter count", MaxHyperparameters);
                if (optimizer is not null && hyperparameterCount != optimizer.HyperparameterCountInternal)
                    throw ShapeMismatch(source, kind, optimizer, $"{hyperparameterCount} hyperparameters", $"{optimizer.HyperparameterCountInternal}");
                hyperparameters = new float[hyperparameterCount];
                reader.ReadFloats(hyperparameters, "the hyperparameters");
                int bufferCount = reader.ReadCount("the state buffer count", MaxStateBuffers);
                if (optimizer is not null && bufferCount != optimizer.StateBufferCount)
                    throw ShapeMismatch(source, kind, optimizer, $"{bufferCount} state buffers", $"{optimizer.StateBufferCount}");
                if (optimizer is not null) buffers = new float[bufferCount][];
                for (int b = 0; b < bufferCount; b++)
                {
                    int length = reader.ReadCount($"the length of state buffer {b}", int.MaxValue);
                    if (length != 0 && length != savedLength)
                        throw reader.Invalid($"state buffer {b} holds {length} floats; expected 0 or the parameter count {savedLength}");
                    if (buffers is null)
                    {
                        reader.Skip(4L * length, $"state buffer {b}"); // not loaded: checked for structure and checksum only
                        continue;
                    }
                    buffers[b] = length == 0 ? Array.Empty<float>() : new float[length];
                    reader.ReadFloats(buffers[b], $"state buffer {b}");
                }
            }
            else if (optimizer is not null)
            {
                throw new InvalidDataException($"{Capitalized(source)} has no optimizer state; save it with Save(path, optimizer) to resume training.");
            }

            checksumOffset = reader.Position;
            (stored, computed) = reader.ReadChecksum();
        }
        catch (InvalidDataException e) when (reader.ChecksumConfirmsCorruption(MaximumLength(network, Math.Max(parameterCount, savedLength), optimizer, byName)))
        {
            // A broken structure usually means corruption; say so when the checksum confirms it.
            throw new InvalidDataException(e.Message + " Its last four bytes are not the CRC-32C checksum of the rest either: the data is corrupt or cut short.", e);
        }
        if (stored != computed)
            throw new InvalidDataException($"{Capitalized(source)} is corrupt: its CRC-32C checksum is 0x{stored:X8} but its contents hash to 0x{computed:X8}.");
        if (!reader.AtEnd())
            throw new InvalidDataException($"{Capitalized(source)} goes on after the checksum at offset {checksumOffset}; a checkpoint ends with its checksum.");

        // 3. The values. The checksum is valid, so a bad value was written so, not damaged on the way.
        const string WrittenSo = "(its checksum is valid: it was written with this value)";
        if (parameters is not null)
        {
            int nonFinite = IndexOfNonFinite(parameters);
            if (nonFinite >= 0)
                throw new InvalidDataException(
                    $"{Capitalized(source)} holds parameter {nonFinite}{LayerOf(network, nonFinite)} = {Show(parameters[nonFinite])}; expected finite parameters {WrittenSo}.");
        }
        foreach (Transfer t in transfers)
        {
            int nonFinite = IndexOfNonFinite(t.Values);
            if (nonFinite >= 0)
                throw new InvalidDataException(
                    $"{Capitalized(source)} holds parameter {nonFinite} of layer '{t.Saved.Name}' = {Show(t.Values[nonFinite])}; expected finite parameters {WrittenSo}.");
        }
        var preprocessing = new SortedDictionary<string, Standardizer>(StringComparer.Ordinal);
        foreach (var (name, mean, std) in preprocessingValues)
        {
            try { preprocessing[name] = Standardizer.FromStatistics(mean, std); }
            catch (ArgumentException e) { throw new InvalidDataException($"{Capitalized(source)} holds preprocessing '{name}' that is not a valid standardizer: {e.Message} {WrittenSo}.", e); }
        }
        if (optimizer is not null && optimizer.CheckRestorable(stepCount, hyperparameters, buffers!) is string problem)
            throw new InvalidDataException(
                $"{Capitalized(source)} holds {kind} state that a {optimizer.Kind} optimizer does not accept: {problem} {WrittenSo}.");

        Span<float> destination = network.Parameters;
        if (destination.Length != parameterCount)
            throw new InvalidOperationException($"The network reports {parameterCount} parameters but its Parameters span has {destination.Length}.");

        // 4. Everything checked: commit. The optimizer first: binding to the network is what can still fail, and it changes nothing when it does.
        if (optimizer is not null)
        {
            optimizer.Restore(network, stepCount, hyperparameters, buffers!);
            network.TrainingStep = trainingStep;
        }
        var loaded = new List<string>();
        if (parameters is not null)
        {
            parameters.CopyTo(destination);
            foreach (LayerInfo layer in network.Layers)
                if (layer.ParameterCount > 0) loaded.Add(layer.Name);
        }
        transfers.Sort((x, y) => x.Target.ParameterOffset.CompareTo(y.Target.ParameterOffset));
        foreach (Transfer t in transfers)
        {
            t.Values.CopyTo(destination.Slice(t.Target.ParameterOffset, t.Target.ParameterCount));
            loaded.Add(t.Target.Name == t.Saved.Name ? t.Target.Name : $"{t.Target.Name} ← {t.Saved.Name}");
        }
        return new LoadReport(version, architecture, loaded, skipped, preprocessing);
    }

    static int[] ToArray(IReadOnlyList<int> shape)
    {
        var array = new int[shape.Count];
        for (int i = 0; i < array.Length; i++) array[i] = shape[i];
        return array;
    }

    static SavedLayer[] ReadLayers(CheckpointReader reader)
    {
        int count = reader.ReadCount("the layer count", MaxLayers);
        var layers = new SavedLayer[count];
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString($"the name of layer {i + 1}", MaxLayerNameBytes);
            string kind = reader.ReadString($"the kind of layer '{name}'", MaxKindBytes);
            int[] input = ReadShape(reader, $"the input shape of layer '{name}'");
            int[] output = ReadShape(reader, $"the output shape of layer '{name}'");
            int offset = reader.ReadCount($"the parameter offset of layer '{name}'", int.MaxValue);
            int parameters = reader.ReadCount($"the parameter count of layer '{name}'", int.MaxValue);
            layers[i] = new SavedLayer(name, kind, input, output, offset, parameters);
        }
        return layers;
    }

    static int[] ReadShape(CheckpointReader reader, string what)
    {
        int rank = reader.ReadCount($"the rank of {what}", MaxRank);
        var shape = new int[rank];
        for (int d = 0; d < rank; d++) shape[d] = reader.ReadInt32(what);
        return shape;
    }

    /// <summary>
    /// Pairs this network's layers with the checkpoint's by name. A layer named in <see cref="LoadOptions.Layers"/> must
    /// match (else the load fails, naming the layer and what differs); others that do not are skipped with the reason.
    /// </summary>
    static void MatchByName(INetwork network, LoadOptions options, SavedLayer[] saved, string source, List<Transfer> transfers, List<string> skipped)
    {
        var requested = options.Layers is null ? null : new HashSet<string>(options.Layers, StringComparer.Ordinal);
        foreach (LayerInfo target in network.Layers)
        {
            if (target.ParameterCount == 0 || (requested is not null && !requested.Contains(target.Name))) continue;
            string name = options.SourceNames is not null && options.SourceNames.TryGetValue(target.Name, out string? renamed) ? renamed : target.Name;
            int index = Array.FindIndex(saved, l => l.Name == name);
            string? problem = index < 0
                ? $"the checkpoint has no layer '{name}'"
                : LayerTransfer.Mismatch(saved[index].Kind, saved[index].InputShape, saved[index].OutputShape, saved[index].Count, target);
            if (problem is null) { transfers.Add(new Transfer(target, saved[index])); continue; }
            if (requested is not null)
                throw new InvalidDataException($"{Capitalized(source)} cannot fill layer '{target.Name}': {problem}. Nothing was loaded.");
            skipped.Add($"{target.Name}: {problem}");
        }
    }

    /// <summary>
    /// Why a checkpoint of another architecture does not load, in words: the first layer that differs between the
    /// saved architecture text and this network's (version 1 checkpoints record only fingerprints).
    /// </summary>
    static string ArchitectureMismatch(string source, string typeName, ulong fingerprint, string? saved, INetwork network)
    {
        string prefix = $"{Capitalized(source)} holds another architecture: it was saved from {typeName}";
        const string Hint = " To take the layers that match, load by layer name (LoadOptions.ByLayerName).";
        if (saved is null)
            return $"{prefix} (fingerprint 0x{fingerprint:X16}), this network is {network.GetType().FullName} (fingerprint 0x{network.ArchitectureFingerprint:X16}).";
        string ours = network.Architecture;
        var (savedParts, savedLoss) = SplitArchitecture(saved);
        var (ourParts, ourLoss) = SplitArchitecture(ours);
        if (!savedParts[0].StartsWith("Input(", StringComparison.Ordinal) || !ourParts[0].StartsWith("Input(", StringComparison.Ordinal))
            return $"{prefix}: {saved}; this network is {ours}.{Hint}"; // not generated: no layer-by-layer text to compare
        int n = Math.Min(savedParts.Length, ourParts.Length);
        for (int i = 0; i < n; i++)
        {
            if (savedParts[i] == ourParts[i]) continue;
            if (i == 0) return $"{prefix}, whose input is {savedParts[0]}; this network's is {ourParts[0]}.{Hint}";
            string name = i - 1 < network.Layers.Count ? $" ('{network.Layers[i - 1].Name}' here)" : "";
            return $"{prefix}, and layer {i}{name} differs: the checkpoint's is {savedParts[i]}, this network's is {ourParts[i]}.{Hint}";
        }
        if (savedParts.Length != ourParts.Length)
            return $"{prefix} with {savedParts.Length - 1} layers; this network has {ourParts.Length - 1}, the first {n - 1} alike.{Hint}";
        if (savedLoss != ourLoss)
            return $"{prefix}, trained with the {savedLoss} loss; this network uses {ourLoss}.{Hint}";
        return $"{prefix}: {saved}; this network is {ours}.{Hint}";
    }

    /// <summary>"Input(4) > Dense(6,Tanh) > ... | MeanSquaredError" into its parts and the loss.</summary>
    static (string[] Parts, string Loss) SplitArchitecture(string text)
    {
        int bar = text.LastIndexOf(" | ", StringComparison.Ordinal);
        string layers = bar >= 0 ? text[..bar] : text, loss = bar >= 0 ? text[(bar + 3)..] : "";
        return (layers.Split(" > "), loss);
    }

    static InvalidDataException ShapeMismatch(string source, string kind, Optimizer optimizer, string found, string expected) =>
        new($"{Capitalized(source)} holds {kind} state with {found}; this {optimizer.Kind} optimizer has {expected}.");

    static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>" (layer 'name')" for the layer holding parameter <paramref name="index"/>, for messages.</summary>
    static string LayerOf(INetwork network, int index)
    {
        foreach (LayerInfo layer in network.Layers)
            if (index >= layer.ParameterOffset && index - layer.ParameterOffset < layer.ParameterCount) return $" (layer '{layer.Name}')";
        return "";
    }

    static string Show(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    static string Capitalized(string source) => source.StartsWith("the ", StringComparison.Ordinal) ? "The" + source[3..] : $"Checkpoint '{source}'";

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
                for (int done = 0; done < values.Length; done += FloatsPerChunk)
                    WriteBytes(MemoryMarshal.AsBytes(values.Slice(done, Math.Min(values.Length - done, FloatsPerChunk))));
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

    /// <summary>
    /// Little-endian fields from a stream, read exactly as far as the fields go (short reads are fine). Every byte read
    /// feeds a running CRC-32C except the latest four, held back: once the checksum field is read, they are it and the
    /// CRC is of everything before. Running out is an InvalidDataException naming the field and the offset.
    /// </summary>
    sealed class CheckpointReader(Stream stream, string source)
    {
        readonly byte[] _held = new byte[4];
        int _heldCount;
        uint _crc = Crc32C.Initial;
        byte[]? _scratch;

        public long Position { get; private set; }

        /// <summary>Reads until <paramref name="destination"/> is full or the stream ends; returns how many bytes came.</summary>
        public int ReadUpTo(Span<byte> destination)
        {
            int got = Pull(destination);
            Position += got;
            return got;
        }

        /// <summary><see cref="ReadUpTo"/> without moving <see cref="Position"/>, for callers that move it themselves.</summary>
        int Pull(Span<byte> destination)
        {
            int done = 0;
            while (done < destination.Length)
            {
                int n = stream.Read(destination[done..]);
                if (n == 0) break;
                Consume(destination.Slice(done, n));
                done += n;
            }
            return done;
        }

        public byte ReadByte(string what) { Span<byte> b = stackalloc byte[1]; Fill(b, what); return b[0]; }
        public int ReadInt32(string what) { Span<byte> b = stackalloc byte[4]; Fill(b, what); return BinaryPrimitives.ReadInt32LittleEndian(b); }
        public long ReadInt64(string what) { Span<byte> b = stackalloc byte[8]; Fill(b, what); return BinaryPrimitives.ReadInt64LittleEndian(b); }
        public ulong ReadUInt64(string what) { Span<byte> b = stackalloc byte[8]; Fill(b, what); return BinaryPrimitives.ReadUInt64LittleEndian(b); }

        public int ReadCount(string what, int max)
        {
            long start = Position;
            int value = ReadInt32(what);
            if (value < 0 || value > max)
                throw new InvalidDataException($"{Capitalized(source)} is corrupt: {what} at offset {start} is {value}; expected 0 to {max}.");
            return value;
        }

        public string ReadString(string what, int maxBytes)
        {
            int length = ReadCount($"the byte length of {what}", maxBytes);
            byte[] bytes = new byte[length];
            Fill(bytes, what);
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Invalid($"{what} is not valid UTF-8");
            }
        }

        public void ReadFloats(Span<float> destination, string what)
        {
            long start = Position;
            for (int done = 0; done < destination.Length; done += FloatsPerChunk)
            {
                Span<byte> chunk = MemoryMarshal.AsBytes(destination.Slice(done, Math.Min(destination.Length - done, FloatsPerChunk)));
                if (ReadUpTo(chunk) < chunk.Length)
                    throw Truncated(4L * destination.Length, $"{what} ({destination.Length} float32)", start, Position);
            }
            if (!BitConverter.IsLittleEndian)
            {
                Span<int> bits = MemoryMarshal.Cast<float, int>(destination);
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
        }

        /// <summary>Reads past <paramref name="count"/> bytes through a small buffer (they still count for the checksum).</summary>
        public void Skip(long count, string what)
        {
            long start = Position;
            _scratch ??= new byte[16 * 1024];
            for (long left = count; left > 0;)
            {
                int n = (int)Math.Min(left, _scratch.Length);
                int got = ReadUpTo(_scratch.AsSpan(0, n));
                if (got < n) throw Truncated(count, $"{what} ({count / 4} float32)", start, Position);
                left -= n;
            }
        }

        /// <summary>Reads the closing checksum; returns it and the CRC-32C of everything before it.</summary>
        public (uint Stored, uint Computed) ReadChecksum()
        {
            Span<byte> b = stackalloc byte[4];
            Fill(b, "the CRC-32C checksum");
            return (BinaryPrimitives.ReadUInt32LittleEndian(b), Crc32C.Finish(_crc)); // the four bytes just read are the ones held back
        }

        /// <summary>Whether the stream ends here (reads at most one more byte).</summary>
        public bool AtEnd()
        {
            Span<byte> b = stackalloc byte[1];
            return stream.Read(b) == 0;
        }

        /// <summary>
        /// After a structural failure: reads on to the end, but never past <paramref name="limit"/> bytes in all, and says
        /// whether the last four bytes are not the CRC-32C of the rest, which confirms corruption. False when they are,
        /// when the input goes on past the limit, or when it cannot be read: then nothing can be added.
        /// </summary>
        public bool ChecksumConfirmsCorruption(long limit)
        {
            _scratch ??= new byte[16 * 1024];
            try
            {
                while (Position <= limit)
                {
                    int got = ReadUpTo(_scratch.AsSpan(0, (int)Math.Min(_scratch.Length, limit + 1 - Position)));
                    if (got == 0) return !(_heldCount == 4 && BinaryPrimitives.ReadUInt32LittleEndian(_held) == Crc32C.Finish(_crc));
                }
            }
            catch (IOException) { }
            return false;
        }

        public InvalidDataException Invalid(string problem) =>
            new($"{Capitalized(source)} is corrupt: {problem} (before offset {Position}).");

        void Fill(Span<byte> destination, string what)
        {
            long start = Position;
            if (ReadUpTo(destination) < destination.Length) throw Truncated(destination.Length, what, start, Position);
        }

        /// <summary>Feeds the CRC all but the latest four bytes read, which are held back.</summary>
        void Consume(ReadOnlySpan<byte> bytes)
        {
            int total = _heldCount + bytes.Length;
            if (total <= 4)
            {
                bytes.CopyTo(_held.AsSpan(_heldCount));
                _heldCount = total;
                return;
            }
            int release = total - 4, fromHeld = Math.Min(release, _heldCount);
            _crc = Crc32C.Update(_crc, _held.AsSpan(0, fromHeld));
            _crc = Crc32C.Update(_crc, bytes[..(release - fromHeld)]);
            Span<byte> latest = stackalloc byte[4];
            _held.AsSpan(fromHeld, _heldCount - fromHeld).CopyTo(latest);
            bytes[(release - fromHeld)..].CopyTo(latest[(_heldCount - fromHeld)..]);
            latest.CopyTo(_held);
            _heldCount = 4;
        }

        InvalidDataException Truncated(long count, string what, long start, long end) =>
            new($"{Capitalized(source)} is truncated: expected {what} ({count} bytes) at offset {start}, but it ends at {end} bytes.");
    }
}
