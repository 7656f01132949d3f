using System;

namespace NetGen.Data;

/// <summary>
/// One mini-batch, as views into the iterator's reused buffers: valid only until the next
/// <see cref="BatchIterator.TryNext"/> or <see cref="BatchIterator.StartEpoch"/>.
/// </summary>
public readonly ref struct Batch
{
    internal Batch(ReadOnlySpan<float> features, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, ReadOnlySpan<int> indices)
    {
        Features = features;
        Labels = labels;
        Targets = targets;
        Indices = indices;
    }

    /// <summary>Number of samples in this batch (the last batch of an epoch may be smaller).</summary>
    public int Size => Indices.Length;
    /// <summary>Size × FeatureSize floats, row-major.</summary>
    public ReadOnlySpan<float> Features { get; }
    /// <summary>Size class ids; empty when the dataset has float targets.</summary>
    public ReadOnlySpan<int> Labels { get; }
    /// <summary>Size × TargetSize floats, row-major; empty when the dataset is labelled.</summary>
    public ReadOnlySpan<float> Targets { get; }
    /// <summary>The dataset indices of the samples in this batch, in batch order.</summary>
    public ReadOnlySpan<int> Indices { get; }
}
