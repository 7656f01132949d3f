using System;

namespace NetGen;

/// <summary>Low-rank compression: a trained Dense layer's W [out, in] turned into the best rank-r U·V of a LowRankDense layer.</summary>
public static class LowRank
{
    /// <summary>
    /// Writes the truncated SVD of <paramref name="source"/>'s Dense layer <paramref name="denseLayer"/> into
    /// <paramref name="target"/>'s LowRankDense layer <paramref name="lowRankLayer"/>: with W = Σ σ_k u_k v_kᵀ, V = the first
    /// r rows √σ_k v_kᵀ and U = the first r columns u_k √σ_k (the best rank-r approximation in Frobenius norm, Eckart–Young),
    /// and the bias copied. Returns the relative error ‖W − U·V‖_F / ‖W‖_F. The shapes (and bias) must agree.
    /// </summary>
    /// <exception cref="ArgumentException">A layer is unknown or of another kind, or the shapes disagree; nothing changes.</exception>
    public static double Factorize(INetwork source, string denseLayer, INetwork target, string lowRankLayer)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        LayerInfo dense = source.Layers[Kernels.LayerAccess.IndexOf(source.Layers, denseLayer, nameof(denseLayer))];
        LayerInfo low = target.Layers[Kernels.LayerAccess.IndexOf(target.Layers, lowRankLayer, nameof(lowRankLayer))];
        if (dense.Kind != "Dense") throw new ArgumentException($"Layer '{denseLayer}' is a {dense.Kind} layer; expected a Dense layer.", nameof(denseLayer));
        if (low.Kind != "LowRankDense") throw new ArgumentException($"Layer '{lowRankLayer}' is a {low.Kind} layer; expected a LowRankDense layer.", nameof(lowRankLayer));
        int outputs = dense.OutputSize, inputs = Size(dense.InputShape);
        if (low.OutputSize != outputs || Size(low.InputShape) != inputs)
            throw new ArgumentException(
                $"Layer '{denseLayer}' maps {inputs} → {outputs}, but layer '{lowRankLayer}' maps {Size(low.InputShape)} → {low.OutputSize}.", nameof(lowRankLayer));
        bool bias = dense.ParameterCount == outputs * inputs + outputs;
        int factors = low.ParameterCount - (bias ? outputs : 0);
        if (factors <= 0 || factors % (inputs + outputs) != 0)
            throw new ArgumentException(
                $"Layer '{lowRankLayer}' has {low.ParameterCount} parameters, which is not rank × ({inputs} + {outputs}){(bias ? $" + {outputs} biases" : "")}: " +
                $"one of the two layers has a bias and the other not.", nameof(lowRankLayer));
        int rank = factors / (inputs + outputs);

        ReadOnlySpan<float> w = source.Parameters.Slice(dense.ParameterOffset, dense.ParameterCount);
        var (left, sigma, right) = Svd(w.Slice(0, outputs * inputs), outputs, inputs);
        var values = new float[low.ParameterCount];
        double kept = 0, total = 0;
        for (int k = 0; k < sigma.Length; k++)
        {
            total += sigma[k] * sigma[k];
            if (k < rank) kept += sigma[k] * sigma[k];
        }
        for (int k = 0; k < rank; k++)
        {
            double root = k < sigma.Length ? Math.Sqrt(sigma[k]) : 0;
            for (int i = 0; i < inputs; i++) values[k * inputs + i] = k < sigma.Length ? (float)(root * right[i * sigma.Length + k]) : 0f;          // V [rank, in]
            for (int j = 0; j < outputs; j++) values[rank * inputs + j * rank + k] = k < sigma.Length ? (float)(left[j * sigma.Length + k] * root) : 0f; // U [out, rank]
        }
        if (bias) w.Slice(outputs * inputs, outputs).CopyTo(values.AsSpan(rank * (inputs + outputs)));

        target.Concurrency.EnterExclusive("LowRank.Factorize");
        try { values.CopyTo(target.Parameters.Slice(low.ParameterOffset, low.ParameterCount)); }
        finally { target.Concurrency.ExitExclusive(); }
        return total > 0 ? Math.Sqrt(Math.Max(0, total - kept) / total) : 0;
    }

    static int Size(System.Collections.Generic.IReadOnlyList<int> shape)
    {
        int size = 1;
        foreach (int d in shape) size *= d;
        return size;
    }

    /// <summary>
    /// Thin SVD of the row-major m×n matrix <paramref name="a"/>: a = L·diag(σ)·Rᵀ with p = min(m, n) singular values in
    /// descending order, L m×p and R n×p row-major. One-sided Jacobi (Hestenes) in double: rotate column pairs of the
    /// taller orientation until all are orthogonal; the column norms are then the singular values. Small and exact to
    /// rounding, which is all a one-off compression needs.
    /// </summary>
    internal static (double[] Left, double[] Sigma, double[] Right) Svd(ReadOnlySpan<float> a, int m, int n)
    {
        bool transpose = m < n; // work on the tall orientation: rows ≥ columns
        int rows = transpose ? n : m, cols = transpose ? m : n;
        var x = new double[rows * cols]; // column-major: column c at [c·rows, (c+1)·rows)
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                if (transpose) x[i * rows + j] = a[i * n + j];   // xᵀ: column i holds row i of a
                else x[j * rows + i] = a[i * n + j];
        var v = new double[cols * cols]; // column-major rotations, starts as the identity
        for (int c = 0; c < cols; c++) v[c * cols + c] = 1;

        for (int sweep = 0; sweep < 60; sweep++)
        {
            double off = 0;
            for (int p = 0; p < cols - 1; p++)
                for (int q = p + 1; q < cols; q++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int r = 0; r < rows; r++)
                    {
                        double xp = x[p * rows + r], xq = x[q * rows + r];
                        alpha += xp * xp; beta += xq * xq; gamma += xp * xq;
                    }
                    if (gamma == 0 || Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta)) continue;
                    off = Math.Max(off, Math.Abs(gamma) / Math.Sqrt(alpha * beta));
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    double c = 1 / Math.Sqrt(1 + t * t), s = c * t;
                    for (int r = 0; r < rows; r++)
                    {
                        double xp = x[p * rows + r], xq = x[q * rows + r];
                        x[p * rows + r] = c * xp - s * xq;
                        x[q * rows + r] = s * xp + c * xq;
                    }
                    for (int r = 0; r < cols; r++)
                    {
                        double vp = v[p * cols + r], vq = v[q * cols + r];
                        v[p * cols + r] = c * vp - s * vq;
                        v[q * cols + r] = s * vp + c * vq;
                    }
                }
            if (off < 1e-13) break;
        }

        // Column norms are the singular values; normalized columns the left vectors (of the tall orientation).
        var norms = new double[cols];
        var order = new int[cols];
        for (int c = 0; c < cols; c++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += x[c * rows + r] * x[c * rows + r];
            norms[c] = Math.Sqrt(sum);
            order[c] = c;
        }
        Array.Sort(order, (i, j) => norms[j].CompareTo(norms[i]));
        var tallLeft = new double[rows * cols];   // rows × p, row-major
        var tallRight = new double[cols * cols];  // cols × p, row-major
        var sigma = new double[cols];
        for (int k = 0; k < cols; k++)
        {
            int c = order[k];
            sigma[k] = norms[c];
            for (int r = 0; r < rows; r++) tallLeft[r * cols + k] = norms[c] > 0 ? x[c * rows + r] / norms[c] : 0;
            for (int r = 0; r < cols; r++) tallRight[r * cols + k] = v[c * cols + r];
        }
        // a = X·Vᵀ-orientation: for the transposed case aᵀ = L'ΣR'ᵀ, so a = R'ΣL'ᵀ.
        return transpose ? (tallRight, sigma, tallLeft) : (tallLeft, sigma, tallRight);
    }
}
