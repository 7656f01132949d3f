using System;
using System.Collections.Generic;
using NetGen.Data;

namespace NetGen;

/// <summary>What <see cref="Checkpoint.Save(INetwork, string, SaveOptions)"/> writes besides the parameters.</summary>
public sealed class SaveOptions
{
    /// <summary>The optimizer whose state is saved, to resume training; null saves none.</summary>
    public Optimizer? Optimizer { get; set; }

    /// <summary>
    /// Named preprocessing saved with the model (for example "inputs" → the <see cref="Standardizer"/> fitted on the
    /// training set), so a loaded model is fed exactly what it was trained on. Names are 1 to 256 UTF-8 bytes.
    /// </summary>
    public IDictionary<string, Standardizer> Preprocessing { get; } = new SortedDictionary<string, Standardizer>(StringComparer.Ordinal);
}

/// <summary>How <see cref="Checkpoint.Load(INetwork, string, LoadOptions)"/> matches a checkpoint to the network.</summary>
public sealed class LoadOptions
{
    /// <summary>
    /// Load layer by layer, matched by name, from a checkpoint of any architecture: each layer of this network with
    /// parameters whose (source) name the checkpoint holds with the same kind and shapes is loaded; the others are
    /// skipped and the report says why. False (the default): the checkpoint must be of this very architecture.
    /// Optimizer state is never loaded this way (it belongs to the other layout).
    /// </summary>
    public bool ByLayerName { get; set; }

    /// <summary>
    /// Only these layers of this network (implies <see cref="ByLayerName"/>). Each named layer must load: one the
    /// checkpoint lacks, or holds with another kind or shape, is an error and nothing is loaded.
    /// </summary>
    public IReadOnlyCollection<string>? Layers { get; set; }

    /// <summary>The checkpoint's layer name for a layer of this network, where they differ (implies <see cref="ByLayerName"/>).</summary>
    public IReadOnlyDictionary<string, string>? SourceNames { get; set; }

    internal bool IsByName => ByLayerName || Layers is not null || SourceNames is not null;
}

/// <summary>What a load did: which layers it loaded and skipped, and what the checkpoint carried besides.</summary>
public sealed class LoadReport
{
    internal LoadReport(int formatVersion, string? architecture, IReadOnlyList<string> loaded, IReadOnlyList<string> skipped,
        IReadOnlyDictionary<string, Standardizer> preprocessing)
    {
        FormatVersion = formatVersion;
        Architecture = architecture;
        Loaded = loaded;
        Skipped = skipped;
        Preprocessing = preprocessing;
    }

    /// <summary>The checkpoint's format version (1 records no architecture text, layer table or preprocessing).</summary>
    public int FormatVersion { get; }

    /// <summary>The architecture text the checkpoint was saved from (<see cref="INetwork.Architecture"/>); null for version 1.</summary>
    public string? Architecture { get; }

    /// <summary>This network's layers that were loaded, e.g. "enc1" or "enc1 ← hidden1" when the source name differs.</summary>
    public IReadOnlyList<string> Loaded { get; }

    /// <summary>This network's layers with parameters that were not loaded, each with the reason, e.g. "out: not in the checkpoint".</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>The named preprocessing saved with the model (see <see cref="SaveOptions.Preprocessing"/>).</summary>
    public IReadOnlyDictionary<string, Standardizer> Preprocessing { get; }

    /// <summary>One line per loaded and skipped layer.</summary>
    public override string ToString() =>
        $"loaded {Loaded.Count}: {string.Join(", ", Loaded)}" + (Skipped.Count > 0 ? $"; skipped {Skipped.Count}: {string.Join("; ", Skipped)}" : "");
}
