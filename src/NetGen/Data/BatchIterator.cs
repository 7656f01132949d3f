using System;

namespace NetGen.Data;

/// <summary>
/// Walks a dataset in mini-batches, epoch after epoch. With shuffling, each epoch's order is a permutation
/// derived only from (seed, epoch), so any epoch can be replayed. Rows are gathered into buffers allocated
/// once here; <see cref="StartEpoch"/> and <see cref="TryNext"/> never allocate.
/// </summary>
/// <example>
/// <code>
/// var batches = new BatchIterator(train, batchSize: 64, shuffle: true, seed: 1);
/// for (int epoch = 0; epoch &lt; 10; epoch++)
/// {
///     batches.StartEpoch(epoch);
///     while (batches.TryNext(out Batch batch))
///     {
///         network.TrainBatch(batch.Features, batch.Labels, batch.Size);
///         optimizer.Step(network);
///     }
/// }
/// </code>
/// </example>
public sealed class BatchIterator
{
    private readonly Dataset _data;
    private readonly int[] _order;
    private readonly float[] _features;
    private readonly int[]? _labels;
    private readonly float[]? _targets;
    private int _position;

    /// <param name="data">The samples to iterate.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="shuffle">Visit samples in a fresh random order each epoch; otherwise in dataset order.</param>
    /// <param name="seed">Seed of the per-epoch permutations.</param>
    /// <param name="dropLast">Skip the last batch of an epoch when it is smaller than <paramref name="batchSize"/>.</param>
    public BatchIterator(Dataset data, int batchSize, bool shuffle, int seed, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _data = data;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        _order = new int[data.Count];
        int capacity = Math.Min(batchSize, data.Count);
        // Unshuffled batches are contiguous slices of the dataset and need no gather buffers.
        _features = shuffle ? new float[capacity * data.FeatureSize] : [];
        if (shuffle && data.HasLabels) _labels = new int[capacity];
        if (shuffle && !data.HasLabels) _targets = new float[capacity * data.TargetSize];
        StartEpoch(0);
    }

    /// <summary>Samples per full batch.</summary>
    public int BatchSize { get; }
    /// <summary>Whether each epoch visits samples in a new random order.</summary>
    public bool Shuffle { get; }
    /// <summary>Seed of the per-epoch permutations.</summary>
    public int Seed { get; }
    /// <summary>Whether a final partial batch is skipped.</summary>
    public bool DropLast { get; }
    /// <summary>The epoch last started.</summary>
    public int Epoch { get; private set; }
    /// <summary>Batches <see cref="TryNext"/> yields per epoch.</summary>
    // Count / BatchSize plus one for a remainder: (Count + BatchSize - 1) / BatchSize would wrap for huge batch sizes.
    public int BatchesPerEpoch => _data.Count / BatchSize + (!DropLast && _data.Count % BatchSize != 0 ? 1 : 0);

    /// <summary>Rewinds to the first batch of <paramref name="epoch"/>, with that epoch's permutation. Does not allocate.</summary>
    public void StartEpoch(int epoch)
    {
        Epoch = epoch;
        _position = 0;
        // Reset to identity first so the order depends on (seed, epoch) alone, not on earlier epochs.
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        if (Shuffle)
        {
            var rng = DeterministicRandom.ForStream(Seed, epoch);
            rng.Shuffle(_order.AsSpan());
        }
    }

    /// <summary>The next batch of the current epoch, or false when the epoch is done. Does not allocate.</summary>
    public bool TryNext(out Batch batch)
    {
        int remaining = _order.Length - _position;
        int size = Math.Min(BatchSize, remaining);
        if (size == 0 || (DropLast && size < BatchSize))
        {
            batch = default;
            return false;
        }
        int start = _position;
        _position += size;
        ReadOnlySpan<int> indices = new(_order, start, size);
        int d = _data.FeatureSize, t = _data.TargetSize;
        if (!Shuffle)
        {
            batch = new Batch(
                _data.Features.Slice(start * d, size * d),
                _data.HasLabels ? _data.Labels.Slice(start, size) : default,
                _data.HasLabels ? default : _data.Targets.Slice(start * t, size * t),
                indices);
            return true;
        }

        ReadOnlySpan<float> features = _data.Features;
        for (int i = 0; i < size; i++) features.Slice(indices[i] * d, d).CopyTo(_features.AsSpan(i * d, d));
        if (_labels is not null)
        {
            ReadOnlySpan<int> labels = _data.Labels;
            for (int i = 0; i < size; i++) _labels[i] = labels[indices[i]];
            batch = new Batch(new ReadOnlySpan<float>(_features, 0, size * d), new ReadOnlySpan<int>(_labels, 0, size), default, indices);
        }
        else
        {
            ReadOnlySpan<float> targets = _data.Targets;
            for (int i = 0; i < size; i++) targets.Slice(indices[i] * t, t).CopyTo(_targets.AsSpan(i * t, t));
            batch = new Batch(new ReadOnlySpan<float>(_features, 0, size * d), default, new ReadOnlySpan<float>(_targets, 0, size * t), indices);
        }
        return true;
    }
}
