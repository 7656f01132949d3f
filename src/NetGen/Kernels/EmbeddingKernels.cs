using System;

namespace NetGen.Kernels;

/// <summary>
/// A lookup table of word vectors, W [vocabulary, dimension] (PyTorch's <c>nn.Embedding.weight</c>): forward gathers
/// one row per token id, backward scatter-adds each token's output gradient into its row, so only the rows of the
/// ids in the batch are touched (no dense product with a one-hot input).
/// </summary>
public static class EmbeddingKernels
{
    /// <summary>output[k, :] = W[ids[k], :]. Every id must lie in [0, vocabulary); the first that does not is named.</summary>
    public static void Forward(ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, Span<float> output, int vocabulary, int dimension)
    {
        CheckIds(ids, vocabulary, nameof(ids));
        Require(weights.Length, (long)vocabulary * dimension, nameof(weights));
        Require(output.Length, (long)ids.Length * dimension, nameof(output));
        for (int k = 0; k < ids.Length; k++) weights.Slice(ids[k] * dimension, dimension).CopyTo(output.Slice(k * dimension, dimension));
    }

    /// <summary>dW = 0, then dW[ids[k], :] += outputGrad[k, :] for every k in order (a repeated id sums its gradients).</summary>
    public static void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<float> outputGrad, Span<float> weightGrad, int vocabulary, int dimension)
    {
        CheckIds(ids, vocabulary, nameof(ids));
        Require(outputGrad.Length, (long)ids.Length * dimension, nameof(outputGrad));
        Require(weightGrad.Length, (long)vocabulary * dimension, nameof(weightGrad));
        weightGrad.Clear();
        for (int k = 0; k < ids.Length; k++)
        {
            Span<float> row = weightGrad.Slice(ids[k] * dimension, dimension);
            ReadOnlySpan<float> g = outputGrad.Slice(k * dimension, dimension);
            for (int d = 0; d < dimension; d++) row[d] += g[d];
        }
    }

    /// <summary>Token ids must name a row: the first outside [0, vocabulary) is reported with its position and value.</summary>
    public static void CheckIds(ReadOnlySpan<int> ids, int vocabulary, string parameterName)
    {
        for (int k = 0; k < ids.Length; k++)
            if ((uint)ids[k] >= (uint)vocabulary)
                throw new ArgumentException($"{parameterName}[{k}] is {ids[k]}, but token ids must lie in [0, {vocabulary - 1}] for a vocabulary of {vocabulary}.", parameterName);
    }

    /// <summary>
    /// Token ids given as floats, checked whole before any work: each must be a whole number in [0, vocabulary); the first
    /// that is not is named with its position in <paramref name="values"/> (Predict converts chunk by chunk, and a
    /// position within a chunk would mislead).
    /// </summary>
    public static void CheckIds(ReadOnlySpan<float> values, int vocabulary, string parameterName)
    {
        for (int k = 0; k < values.Length; k++)
        {
            float value = values[k];
            if (!(value >= 0 && value < vocabulary) || value != MathF.Floor(value))
                throw new ArgumentException($"{parameterName}[{k}] is {value}, but token ids must be whole numbers in [0, {vocabulary - 1}] for a vocabulary of {vocabulary}.", parameterName);
        }
    }

    /// <summary>
    /// Token ids given as floats (the INetwork overloads, and datasets, carry floats): each must be a whole number in
    /// [0, vocabulary); the first that is not is named with its position and value.
    /// </summary>
    public static void IdsFromFloats(ReadOnlySpan<float> values, Span<int> ids, int vocabulary, string parameterName)
    {
        if (ids.Length != values.Length) throw new ArgumentException($"ids must hold {values.Length} ints, but holds {ids.Length}.", nameof(ids));
        for (int k = 0; k < values.Length; k++)
        {
            float value = values[k];
            // Compare as float: every whole id below 2²⁴ is exact, and NaN fails both tests.
            if (!(value >= 0 && value < vocabulary) || value != MathF.Floor(value))
                throw new ArgumentException($"{parameterName}[{k}] is {value}, but token ids must be whole numbers in [0, {vocabulary - 1}] for a vocabulary of {vocabulary}.", parameterName);
            ids[k] = (int)value;
        }
    }

    static void Require(int actual, long expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} must hold {expected} floats, but holds {actual}.", name);
    }
}
