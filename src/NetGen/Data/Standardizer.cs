using System;

namespace NetGen.Data;

/// <summary>
/// Per-feature standardization, x' = (x − mean) / std. Fit it on the training set only and apply the same
/// statistics to validation and test sets, so nothing about them leaks into training.
/// </summary>
public sealed class Standardizer
{
    /// <summary>The floor on a feature's std, so constant features map to 0 instead of dividing by zero.</summary>
    public const float DefaultEpsilon = 1e-6f;

    private readonly float[] _mean;
    private readonly float[] _std;

    private Standardizer(float[] mean, float[] std)
    {
        _mean = mean;
        _std = std;
    }

    /// <summary>Per-feature means of the fitted set.</summary>
    public ReadOnlySpan<float> Mean => _mean;
    /// <summary>Per-feature (population) standard deviations of the fitted set, floored at the epsilon.</summary>
    public ReadOnlySpan<float> Std => _std;
    /// <summary>Floats per sample this standardizer expects.</summary>
    public int FeatureSize => _mean.Length;

    /// <summary>Builds a standardizer from known statistics (e.g. loaded from a checkpoint).</summary>
    public static Standardizer FromStatistics(ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        if (mean.Length == 0)
            throw new ArgumentException("Expected statistics for at least one feature, found none.", nameof(mean));
        if (mean.Length != std.Length)
            throw new ArgumentException($"Expected as many stds as means ({mean.Length}), found {std.Length}.", nameof(std));
        for (int j = 0; j < mean.Length; j++)
        {
            if (!float.IsFinite(mean[j])) throw new ArgumentException($"Expected finite means, found mean {j} is {mean[j]}.", nameof(mean));
        }
        foreach (float s in std)
        {
            if (!(s > 0) || !float.IsFinite(s)) throw new ArgumentException($"Expected positive finite stds, found {s}.", nameof(std));
        }
        return new Standardizer(mean.ToArray(), std.ToArray());
    }

    /// <summary>Computes per-feature mean and std over <paramref name="train"/>.</summary>
    public static Standardizer Fit(Dataset train, float epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!(epsilon > 0) || !float.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Expected a positive finite epsilon.");
        if (train.Count == 0) throw new ArgumentException("Expected a non-empty training set, found 0 samples.", nameof(train));
        int d = train.FeatureSize, n = train.Count;
        ReadOnlySpan<float> x = train.Features;
        // Two passes in double: the naive E[x²] − E[x]² loses everything for large, nearly constant features.
        var sum = new double[d];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> row = x.Slice(i * d, d);
            for (int j = 0; j < d; j++) sum[j] += row[j];
        }
        var mean = new float[d];
        for (int j = 0; j < d; j++) sum[j] /= n;
        var squares = new double[d];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> row = x.Slice(i * d, d);
            for (int j = 0; j < d; j++)
            {
                double delta = row[j] - sum[j];
                squares[j] += delta * delta;
            }
        }
        var std = new float[d];
        for (int j = 0; j < d; j++)
        {
            mean[j] = (float)sum[j];
            std[j] = MathF.Max((float)Math.Sqrt(squares[j] / n), epsilon);
        }
        return new Standardizer(mean, std);
    }

    /// <summary>A new dataset with standardized features; targets and labels are kept.</summary>
    public Dataset Apply(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureSize != FeatureSize)
            throw new ArgumentException($"Expected {FeatureSize} features per sample (as fitted), found {data.FeatureSize}.", nameof(data));
        var features = new float[data.Features.Length];
        Apply(data.Features, features);
        return data.WithFeatures(features);
    }

    /// <summary>Standardizes rows of features from <paramref name="source"/> into <paramref name="destination"/> (may be the same memory).</summary>
    public void Apply(ReadOnlySpan<float> source, Span<float> destination)
    {
        int d = FeatureSize;
        if (source.Length % d != 0)
            throw new ArgumentException($"Expected a multiple of {d} floats, found {source.Length}.", nameof(source));
        if (destination.Length < source.Length)
            throw new ArgumentException($"Expected at least {source.Length} destination floats, found {destination.Length}.", nameof(destination));
        for (int i = 0; i < source.Length; i += d)
        {
            for (int j = 0; j < d; j++) destination[i + j] = (source[i + j] - _mean[j]) / _std[j];
        }
    }
}
