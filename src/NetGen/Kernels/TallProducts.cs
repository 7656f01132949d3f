using System;

namespace NetGen.Kernels;

/// <summary>
/// Products whose shared dimension is long, as a recurrent layer's weight gradients are: dW = dZᵀ·X summed over every
/// (step, sample) row, thousands of them. <see cref="DenseKernels.BackwardWeights"/> streams all rows once per block of
/// outputs, which for a thousand rows no longer fits in L1; transposing both operands once and taking the dot-product
/// form (<see cref="DenseKernels.Forward{TAct}"/>) reads each row block from L1 instead, about three times as fast
/// for the LSTM of the W4 benchmark.
/// </summary>
internal static class TallProducts
{
    /// <summary>Floats of scratch <see cref="WeightGradient"/> needs.</summary>
    public static long ScratchSize(int rows, int inSize, int outSize) => (long)rows * (inSize + outSize);

    /// <summary>
    /// dW[j, i] = Σ_r dZ[r, j]·X[r, i] and db[j] = Σ_r dZ[r, j] (overwritten; an empty <paramref name="biasGrad"/> means none),
    /// with dZ [rows, outSize] and X [rows, inSize] row-major.
    /// </summary>
    public static void WeightGradient(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> input, Span<float> weightGrad, Span<float> biasGrad,
        Span<float> scratch, int rows, int inSize, int outSize)
    {
        Span<float> dzT = scratch.Slice(0, outSize * rows), xT = scratch.Slice(outSize * rows, inSize * rows);
        Transpose(outputGrad.Slice(0, rows * outSize), dzT, rows, outSize);
        Transpose(input.Slice(0, rows * inSize), xT, rows, inSize);
        // Row j of dZᵀ against row i of Xᵀ: Forward's Y[j, i] = Σ_r dZᵀ[j, r]·Xᵀ[i, r].
        DenseKernels.Forward<Identity>(dzT, xT, default, weightGrad, outSize, rows, inSize, 0f);
        if (biasGrad.IsEmpty) return;
        for (int j = 0; j < outSize; j++)
        {
            ReadOnlySpan<float> row = dzT.Slice(j * rows, rows);
            float s = 0f;
            for (int r = 0; r < rows; r++) s += row[r];
            biasGrad[j] = s;
        }
    }

    // [rows, cols] → [cols, rows], in 16×16 blocks so both sides stay in cache.
    static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        const int Block = 16;
        for (int r0 = 0; r0 < rows; r0 += Block)
            for (int c0 = 0; c0 < cols; c0 += Block)
            {
                int r1 = Math.Min(rows, r0 + Block), c1 = Math.Min(cols, c0 + Block);
                for (int r = r0; r < r1; r++)
                    for (int c = c0; c < c1; c++)
                        destination[c * rows + r] = source[r * cols + c];
            }
    }
}
