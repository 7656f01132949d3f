using System;

namespace NetGen.Kernels;

/// <summary>Argument checks the generated entry points share. Messages say what was expected and what arrived.</summary>
public static class Guard
{
    public static void BatchSize(int batchSize)
    {
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be positive, but was {batchSize}.");
    }

    /// <summary>
    /// A training batch must fit the network's largest per-sample workspace array in one .NET array
    /// (<see cref="Array.MaxLength"/> elements); beyond that, batch × per-sample would overflow an int.
    /// </summary>
    public static void TrainingBatch(int batchSize, int maxBatchSize, string largestBuffer, int perSample)
    {
        if (batchSize > maxBatchSize)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize,
                $"batchSize is {batchSize:N0}, but TrainBatch on this network takes at most {maxBatchSize:N0} samples: its largest workspace array " +
                $"({largestBuffer}, {perSample:N0} elements per sample) would need {(long)batchSize * perSample:N0} elements, more than a .NET array holds " +
                $"({Array.MaxLength:N0}). Split the batch, or accumulate gradients over smaller ones.");
    }

    /// <summary>One sample's span: exactly <paramref name="expected"/> floats.</summary>
    public static void Sample(int actual, int expected, string parameterName)
    {
        if (actual != expected)
            throw new ArgumentException($"{parameterName} must hold {expected} floats (one sample), but holds {actual}.", parameterName);
    }

    /// <summary>A batch's span: batchSize × perSample floats (computed in 64 bits, so a huge batch cannot overflow into a match).</summary>
    public static void Batch(int actual, int batchSize, int perSample, string parameterName)
    {
        long expected = (long)batchSize * perSample;
        if (actual != expected)
            throw new ArgumentException($"{parameterName} must hold batchSize × {perSample} = {batchSize} × {perSample} = {expected} floats, but holds {actual}.", parameterName);
    }

    public static void LabelCount(int actual, int expected, string parameterName)
    {
        if (actual != expected)
            throw new ArgumentException($"{parameterName} must hold {expected} labels (one per sample), but holds {actual}.", parameterName);
    }

    /// <summary>Labels must name a class: [0, classes), or 0/1 for a single-output network.</summary>
    public static void Labels(ReadOnlySpan<int> labels, int outputs, string parameterName)
    {
        int limit = outputs == 1 ? 2 : outputs;
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)limit)
                throw new ArgumentException($"{parameterName}[{i}] is {labels[i]}, but labels must lie in [0, {limit - 1}] for a network with {outputs} output(s).", parameterName);
        }
    }

    /// <summary>NaN or ±∞ in an input would silently poison every parameter it touches.</summary>
    public static void Finite(ReadOnlySpan<float> values, int rowLength, string parameterName)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"{parameterName} holds {values[i]} at index {i} (sample {i / rowLength}, element {i % rowLength}); expected finite numbers.", parameterName);
        }
    }
}
