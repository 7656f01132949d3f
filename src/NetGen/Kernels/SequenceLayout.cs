using System;

namespace NetGen.Kernels;

/// <summary>
/// What the recurrent kernels share about sequences: the batch-first ↔ time-major transposes at their boundary, where a
/// step's gradient from above enters backpropagation through time, and the argument checks.
/// </summary>
internal static class SequenceLayout
{
    /// <summary>[a, b, k] → [b, a, k]: batch-first [batch, steps, k] to time-major [steps, batch, k], and back.</summary>
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int a, int b, int k)
    {
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++)
                source.Slice((i * b + j) * k, k).CopyTo(destination.Slice((j * a + i) * k, k));
    }

    /// <summary>
    /// dh [batch, hidden] += the gradient from above at step <paramref name="t"/>: a row of every sample's [steps, hidden]
    /// when the layer returns every step, else all of [batch, hidden] at the last step and nothing before it.
    /// </summary>
    public static void AddGradientFromAbove(ReadOnlySpan<float> outputGrad, Span<float> dh, int t, int batch, int steps, int hidden, bool returnSequences)
        => AddGradientFromAbove(outputGrad, dh, t, batch, steps, hidden, returnSequences, 0, batch);

    /// <summary>The same for the rows [<paramref name="from"/>, <paramref name="to"/>) of dh only (one thread's share of the batch).</summary>
    public static void AddGradientFromAbove(ReadOnlySpan<float> outputGrad, Span<float> dh, int t, int batch, int steps, int hidden, bool returnSequences,
        int from, int to)
    {
        if (returnSequences)
            for (int n = from; n < to; n++)
            {
                ReadOnlySpan<float> above = outputGrad.Slice((n * steps + t) * hidden, hidden);
                Span<float> row = dh.Slice(n * hidden, hidden);
                for (int j = 0; j < hidden; j++) row[j] += above[j];
            }
        else if (t == steps - 1)
            for (int k = from * hidden; k < to * hidden; k++) dh[k] += outputGrad[k];
    }

    /// <summary>The initial state of a step loop: a copy of <paramref name="state"/>, or zeros when it is empty (no carried state).</summary>
    public static void LoadState(ReadOnlySpan<float> state, Span<float> initial)
    {
        if (state.IsEmpty) initial.Clear();
        else state.CopyTo(initial);
    }

    /// <summary>Positive sizes and a workspace an array can hold; <paramref name="layer"/> names the kind in the message.</summary>
    public static void Check(string layer, int batch, int steps, int inputSize, int hidden, long workspace)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be at least 1, but was {batch}.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must be at least 1, but was {steps}.");
        if (inputSize < 1) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"inputSize must be at least 1, but was {inputSize}.");
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, $"hidden must be at least 1, but was {hidden}.");
        if (workspace > Array.MaxLength || 4L * hidden * Math.Max(inputSize, hidden) > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(batch), $"This {layer} layer (batch {batch}, {steps} steps, {inputSize} inputs, {hidden} units) needs {workspace:N0} floats of workspace, more than an array holds.");
    }

    /// <summary>A span of exactly <paramref name="expected"/> floats.</summary>
    public static void Require(int actual, long expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} must hold {expected} floats, but holds {actual}.", name);
    }
}
