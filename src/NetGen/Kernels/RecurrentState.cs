using System;

namespace NetGen.Kernels;

/// <summary>
/// The state a stateful recurrent layer carries from one batch to the next (truncated backpropagation through time):
/// <c>valuesPerRow</c> floats per batch row (h, then c for an LSTM, as the kernels lay them out: every row's h, then
/// every row's c). It starts at zero, and starts over at zero when a batch of another size arrives, since row r of one
/// batch continues row r of the last.
/// </summary>
public sealed class RecurrentState
{
    readonly int _valuesPerRow;
    float[] _values = Array.Empty<float>();
    int _batch;

    public RecurrentState(int valuesPerRow)
    {
        if (valuesPerRow <= 0) throw new ArgumentOutOfRangeException(nameof(valuesPerRow), valuesPerRow, "Expected a positive count.");
        _valuesPerRow = valuesPerRow;
    }

    /// <summary>The batch size the held state belongs to; 0 before the first batch.</summary>
    public int BatchSize => _batch;

    /// <summary>The state for a batch of <paramref name="batch"/> rows: the carried one, or zeros for a new batch size.</summary>
    public Span<float> For(int batch)
    {
        if (batch != _batch)
        {
            // Allocates only when the batch size changes, not per step.
            _values = new float[checked(batch * _valuesPerRow)];
            _batch = batch;
        }
        return _values;
    }

    /// <summary>Back to zeros: the next batch starts a new stream.</summary>
    public void Reset() => Array.Clear(_values);
}
