using System;

namespace NetGen.Data;

/// <summary>
/// An immutable set of samples: features as one row-major N × D float buffer, and either class labels
/// (N ints in [0, ClassCount)) or float target vectors (one row-major N × T buffer).
/// Every transformation returns a new dataset; the buffers of this one are never changed.
/// </summary>
public sealed class Dataset
{
    private readonly float[] _features;
    private readonly int[]? _labels;
    private readonly float[]? _targets;

    // Trusted constructor: callers have validated (or derived) every length.
    private Dataset(float[] features, int featureSize, int[]? labels, int classCount, float[]? targets, int targetSize, string[]? classNames)
    {
        _features = features;
        FeatureSize = featureSize;
        Count = features.Length / featureSize;
        _labels = labels;
        ClassCount = classCount;
        _targets = targets;
        TargetSize = targetSize;
        ClassNames = classNames;
    }

    /// <summary>A classification dataset. The arrays are taken, not copied.</summary>
    /// <param name="features">N × <paramref name="featureSize"/> finite floats, row-major.</param>
    /// <param name="featureSize">Floats per sample (D).</param>
    /// <param name="labels">N class ids, each in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="classNames">Optional names, one per class.</param>
    public static Dataset FromLabels(float[] features, int featureSize, int[] labels, int classCount, string[]? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        int count = RowCount(features.Length, featureSize, nameof(features));
        CheckFinite(features, featureSize, "feature", nameof(features));
        if (labels.Length != count)
            throw new ArgumentException($"Expected {count} labels (one per sample), found {labels.Length}.", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"Label {i} is {labels[i]}; expected a class id in [0, {classCount}).", nameof(labels));
        }
        CheckClassNames(classNames, classCount);
        return new Dataset(features, featureSize, labels, classCount, null, 0, classNames);
    }

    /// <summary>A regression (or soft-target) dataset. The arrays are taken, not copied.</summary>
    /// <param name="features">N × <paramref name="featureSize"/> finite floats, row-major.</param>
    /// <param name="featureSize">Floats per sample (D).</param>
    /// <param name="targets">N × <paramref name="targetSize"/> finite floats, row-major.</param>
    /// <param name="targetSize">Floats per target (T).</param>
    public static Dataset FromTargets(float[] features, int featureSize, float[] targets, int targetSize)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetSize);
        int count = RowCount(features.Length, featureSize, nameof(features));
        if ((long)count * targetSize != targets.Length)
            throw new ArgumentException(
                $"Expected {(long)count * targetSize} target floats ({count} samples × {targetSize}), found {targets.Length}.", nameof(targets));
        CheckFinite(features, featureSize, "feature", nameof(features));
        CheckFinite(targets, targetSize, "target", nameof(targets));
        return new Dataset(features, featureSize, null, 0, targets, targetSize, null);
    }

    /// <summary>Number of samples (N).</summary>
    public int Count { get; }
    /// <summary>Floats per sample (D).</summary>
    public int FeatureSize { get; }
    /// <summary>True when targets are class ids (<see cref="Labels"/>); false when they are float vectors (<see cref="Targets"/>).</summary>
    public bool HasLabels => _labels is not null;
    /// <summary>Number of classes; 0 for a dataset with float targets.</summary>
    public int ClassCount { get; }
    /// <summary>Floats per target (T); 0 for a labelled dataset.</summary>
    public int TargetSize { get; }
    /// <summary>Optional class names, one per class id.</summary>
    public string[]? ClassNames { get; }

    /// <summary>All features, N × D row-major.</summary>
    public ReadOnlySpan<float> Features => _features;
    /// <summary>All labels (empty when the dataset has float targets).</summary>
    public ReadOnlySpan<int> Labels => _labels;
    /// <summary>All targets, N × T row-major (empty when the dataset is labelled).</summary>
    public ReadOnlySpan<float> Targets => _targets;

    /// <summary>The features of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> GetFeatures(int index)
    {
        CheckIndex(index);
        return new ReadOnlySpan<float>(_features, index * FeatureSize, FeatureSize);
    }

    /// <summary>The class id of sample <paramref name="index"/>.</summary>
    public int GetLabel(int index)
    {
        CheckIndex(index);
        if (_labels is null) throw new InvalidOperationException("The dataset has float targets, not labels.");
        return _labels[index];
    }

    /// <summary>The target vector of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> GetTargets(int index)
    {
        CheckIndex(index);
        if (_targets is null) throw new InvalidOperationException("The dataset has labels, not float targets; see ToOneHot().");
        return new ReadOnlySpan<float>(_targets, index * TargetSize, TargetSize);
    }

    /// <summary>This dataset with class names attached (the buffers are shared, they are never written).</summary>
    public Dataset WithClassNames(string[]? classNames)
    {
        if (_labels is null && classNames is not null) throw new InvalidOperationException("Class names need a labelled dataset.");
        CheckClassNames(classNames, ClassCount);
        return new Dataset(_features, FeatureSize, _labels, ClassCount, _targets, TargetSize, classNames);
    }

    /// <summary>A new dataset with the samples in a random order; the same seed always gives the same order.</summary>
    public Dataset Shuffle(int seed)
    {
        int[] order = Permutation(Count, seed);
        return Subset(order);
    }

    /// <summary>
    /// Shuffles with <paramref name="seed"/>, then splits: the first part for training, the last
    /// round(Count × <paramref name="validationFraction"/>) samples for validation.
    /// </summary>
    public (Dataset Train, Dataset Validation) Split(double validationFraction, int seed)
    {
        if (!(validationFraction >= 0 && validationFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "Expected a fraction in [0, 1].");
        int validationCount = (int)Math.Round(Count * validationFraction, MidpointRounding.AwayFromZero);
        int[] order = Permutation(Count, seed);
        int trainCount = Count - validationCount;
        return (Subset(order.AsSpan(0, trainCount)), Subset(order.AsSpan(trainCount)));
    }

    /// <summary>The contiguous samples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>), copied.</summary>
    public Dataset Subset(int start, int count)
    {
        if (start < 0 || count < 0 || start > Count - count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Expected a range inside [0, {Count}), found start {start}, count {count}.");
        float[] features = _features.AsSpan(start * FeatureSize, count * FeatureSize).ToArray();
        int[]? labels = _labels?.AsSpan(start, count).ToArray();
        float[]? targets = _targets?.AsSpan(start * TargetSize, count * TargetSize).ToArray();
        return new Dataset(features, FeatureSize, labels, ClassCount, targets, TargetSize, ClassNames);
    }

    /// <summary>The samples at <paramref name="indices"/>, in that order (repeats allowed), copied.</summary>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        int d = FeatureSize, t = TargetSize;
        // Repeats are allowed, so the result can outgrow this dataset: sized in 64 bits.
        float[] features = new float[ArrayLength(indices.Length, d, "feature", nameof(indices))];
        int[]? labels = _labels is null ? null : new int[indices.Length];
        float[]? targets = _targets is null ? null : new float[ArrayLength(indices.Length, t, "target", nameof(indices))];
        for (int i = 0; i < indices.Length; i++)
        {
            int row = indices[i];
            if ((uint)row >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {i} is {row}; expected a sample index in [0, {Count}).");
            _features.AsSpan(row * d, d).CopyTo(features.AsSpan(i * d, d));
            if (labels is not null) labels[i] = _labels![row];
            if (targets is not null) _targets.AsSpan(row * t, t).CopyTo(targets.AsSpan(i * t, t));
        }
        return new Dataset(features, d, labels, ClassCount, targets, t, ClassNames);
    }

    /// <summary>The first min(<paramref name="count"/>, Count) samples.</summary>
    public Dataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Subset(0, Math.Min(count, Count));
    }

    /// <summary>Labels turned into one-hot float targets of length <see cref="ClassCount"/>.</summary>
    public Dataset ToOneHot()
    {
        if (_labels is null) throw new InvalidOperationException("ToOneHot needs a labelled dataset; this one already has float targets.");
        long length = (long)Count * ClassCount;
        if (length > Array.MaxLength)
            throw new InvalidOperationException(
                $"ToOneHot needs {Count} samples × {ClassCount} classes = {length} target floats; an array holds at most {Array.MaxLength}.");
        float[] targets = new float[length];
        for (int i = 0; i < _labels.Length; i++) targets[i * ClassCount + _labels[i]] = 1f;
        return new Dataset(_features, FeatureSize, null, 0, targets, ClassCount, null);
    }

    /// <summary>
    /// Features mapped linearly from [<paramref name="min"/>, <paramref name="max"/>] to [0, 1]
    /// (e.g. 0 and 255 for 8-bit pixels). Values outside the range are not clamped.
    /// </summary>
    public Dataset ScaleToUnitRange(float min, float max)
    {
        if (!(max > min) || !float.IsFinite(min) || !float.IsFinite(max))
            throw new ArgumentException($"Expected finite min < max, found min {min}, max {max}.", nameof(max));
        // Divide rather than multiply by a reciprocal: correctly rounded, so 51 / 255 is exactly 0.2f.
        float range = max - min;
        if (!float.IsFinite(range))
            throw new ArgumentException($"Expected max − min to be a finite float, found {max} − {min} = {range}.", nameof(max));
        float[] features = new float[_features.Length];
        for (int i = 0; i < features.Length; i++) features[i] = (_features[i] - min) / range;
        return WithFeatures(features);
    }

    /// <summary>This dataset with other features of the same shape; targets and labels are shared.</summary>
    internal Dataset WithFeatures(float[] features)
    {
        if (features.Length != _features.Length)
            throw new ArgumentException($"Expected {_features.Length} feature floats, found {features.Length}.", nameof(features));
        return new Dataset(features, FeatureSize, _labels, ClassCount, _targets, TargetSize, ClassNames);
    }

    internal static int[] Permutation(int count, int seed)
    {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var rng = new DeterministicRandom(unchecked((ulong)seed));
        rng.Shuffle(order.AsSpan());
        return order;
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected a sample index in [0, {Count}).");
    }

    private static int RowCount(int length, int rowSize, string paramName)
    {
        if (length % rowSize != 0)
            throw new ArgumentException($"Expected a multiple of {rowSize} floats (N × featureSize), found {length}.", paramName);
        return length / rowSize;
    }

    /// <summary>Non-finite values are refused where they enter, with their place, rather than surfacing later as a NaN loss.</summary>
    private static void CheckFinite(float[] values, int rowSize, string what, string paramName)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException(
                    $"{paramName}[{i}] (sample {i / rowSize}, {what} {i % rowSize}) is {values[i]}; expected finite values.", paramName);
        }
    }

    private static int ArrayLength(int rows, int rowSize, string what, string paramName)
    {
        long length = (long)rows * rowSize;
        if (length > Array.MaxLength)
            throw new ArgumentException(
                $"Expected at most {Array.MaxLength} {what} floats in the result, found {rows} samples × {rowSize} = {length}.", paramName);
        return (int)length;
    }

    private static void CheckClassNames(string[]? classNames, int classCount)
    {
        if (classNames is not null && classNames.Length != classCount)
            throw new ArgumentException($"Expected {classCount} class names (one per class), found {classNames.Length}.", nameof(classNames));
    }
}
