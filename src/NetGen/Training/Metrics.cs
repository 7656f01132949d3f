using System;

namespace NetGen.Training;

/// <summary>Small metric helpers on raw network outputs.</summary>
public static class Metrics
{
    /// <summary>
    /// The class one sample's output stands for: the index of the largest value (the first on ties), or, for a single
    /// output (a sigmoid or a regression onto 0/1), 1 when the value is above 0.5 and 0 otherwise.
    /// </summary>
    public static int PredictedClass(ReadOnlySpan<float> output)
    {
        if (output.Length == 0) throw new ArgumentException("Expected at least one output.", nameof(output));
        if (output.Length == 1) return output[0] > 0.5f ? 1 : 0;
        int best = 0;
        for (int k = 1; k < output.Length; k++) if (output[k] > output[best]) best = k;
        return best;
    }

    /// <summary>How many of the rows of <paramref name="outputs"/> predict their label.</summary>
    public static int CountCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int outputCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        if (outputs.Length != labels.Length * outputCount)
            throw new ArgumentException($"Expected {labels.Length * outputCount} outputs ({labels.Length} labels × {outputCount}), found {outputs.Length}.", nameof(outputs));
        int correct = 0;
        for (int n = 0; n < labels.Length; n++)
            if (PredictedClass(outputs.Slice(n * outputCount, outputCount)) == labels[n]) correct++;
        return correct;
    }

    /// <summary>
    /// The plain mean of (y − t)² over every element (PyTorch's <c>F.mse_loss</c>); 0 for no elements. The training loss
    /// <see cref="Loss.MeanSquaredError"/> is ½ Σ_k per sample instead: ½·K times this over K outputs.
    /// </summary>
    public static double MeanSquaredError(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets)
    {
        if (outputs.Length != targets.Length)
            throw new ArgumentException($"Expected as many targets as outputs ({outputs.Length}), found {targets.Length}.", nameof(targets));
        double sum = 0;
        for (int i = 0; i < outputs.Length; i++) { double e = outputs[i] - (double)targets[i]; sum += e * e; }
        return outputs.Length == 0 ? 0 : sum / outputs.Length;
    }

    /// <summary>The fraction of rows whose prediction matches the label (0 for no rows).</summary>
    public static double Accuracy(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int outputCount)
        => labels.Length == 0 ? 0 : (double)CountCorrect(outputs, labels, outputCount) / labels.Length;
}
