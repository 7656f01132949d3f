using System;
using NetGen.Data;
using NetGen.Training;

namespace NetGen; // beside INetwork, so net.PredictClasses(...) needs no other using

/// <summary>
/// Class ids from a network's outputs, through <see cref="INetwork.Predict"/> (inference mode) and
/// <see cref="Metrics.PredictedClass"/>: the largest output, or for a single output 1 when it is above 0.5.
/// </summary>
/// <remarks>
/// Outputs pass through a scratch array of at most <see cref="ScratchFloats"/> floats (or one sample's outputs, if
/// larger), one per thread, allocated on a thread's first call and reused: after that no call allocates. Safe from
/// many threads at once, as <see cref="INetwork.Predict"/> is.
/// </remarks>
public static class Predictions
{
    /// <summary>The size of the per-thread scratch array the outputs go through, in floats.</summary>
    public const int ScratchFloats = 16384;

    [ThreadStatic] static float[]? t_outputs;

    /// <summary>The class of each of <paramref name="batchSize"/> samples: <paramref name="classes"/>[n] for sample n.</summary>
    /// <exception cref="ArgumentException">The spans do not hold <paramref name="batchSize"/> samples.</exception>
    public static void PredictClasses(this INetwork network, ReadOnlySpan<float> inputs, Span<int> classes, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int d = network.InputSize, k = network.OutputSize;
        if (inputs.Length != (long)batchSize * d)
            throw new ArgumentException($"Expected {(long)batchSize * d} inputs ({batchSize} samples × {d}), got {inputs.Length}.", nameof(inputs));
        if (classes.Length != batchSize)
            throw new ArgumentException($"Expected room for {batchSize} classes, got {classes.Length}.", nameof(classes));

        int chunk = Math.Max(1, Math.Min(batchSize, ScratchFloats / k));
        float[] outputs = t_outputs is { } cached && cached.Length >= chunk * k ? cached : (t_outputs = new float[Math.Max(ScratchFloats, k)]);
        for (int start = 0; start < batchSize; start += chunk)
        {
            int n = Math.Min(chunk, batchSize - start);
            Span<float> rows = outputs.AsSpan(0, n * k);
            network.Predict(inputs.Slice(start * d, n * d), rows, n);
            for (int i = 0; i < n; i++) classes[start + i] = Metrics.PredictedClass(rows.Slice(i * k, k));
        }
    }

    /// <summary>The class of one sample.</summary>
    public static int PredictClass(this INetwork network, ReadOnlySpan<float> input)
    {
        int result = 0;
        network.PredictClasses(input, new Span<int>(ref result), 1);
        return result;
    }

    /// <summary>The class of every sample of <paramref name="data"/>, in a new array (the one allocation).</summary>
    public static int[] PredictClasses(this INetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var classes = new int[data.Count];
        if (data.Count > 0) network.PredictClasses(data.Features, classes, data.Count);
        return classes;
    }
}
