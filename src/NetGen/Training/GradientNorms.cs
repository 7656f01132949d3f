using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen.Training;

/// <summary>
/// The global gradient norm and clipping by it, as PyTorch's <c>torch.nn.utils.clip_grad_norm_</c>: one L2 norm over
/// every trainable layer's gradients together. Frozen layers are left out, so a stale gradient there can neither
/// trigger clipping nor be scaled. Squares are summed in double, so no finite gradient overflows the norm.
/// </summary>
public static class GradientNorms
{
    /// <summary>√(Σ g²) over the gradients of the trainable layers: NaN or +∞ when any of them is not finite.</summary>
    public static double GradientNorm(this INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        ReadOnlySpan<float> gradients = network.Gradients;
        IReadOnlyList<LayerInfo> layers = network.Layers;
        double sum = 0;
        for (int l = 0; l < layers.Count; l++) // indexed: foreach over the interface would allocate an enumerator
        {
            LayerInfo layer = layers[l];
            if (layer.Trainable && layer.ParameterCount > 0) sum += SumOfSquares(gradients.Slice(layer.ParameterOffset, layer.ParameterCount));
        }
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Scales the trainable layers' gradients by maxNorm / (norm + 1e-6) when the norm exceeds <paramref name="maxNorm"/>
    /// (PyTorch's formula), and returns the norm measured before. A NaN or infinite norm is returned without touching
    /// anything: scaling cannot repair it, and the caller decides (the <see cref="Trainer"/> throws or skips the step).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not finite and positive.</exception>
    public static double ClipGradientNorm(this INetwork network, float maxNorm)
    {
        if (!(maxNorm > 0) || !float.IsFinite(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "Expected a finite norm > 0.");
        double norm = network.GradientNorm();
        if (double.IsFinite(norm) && norm > maxNorm) Scale(network, (float)(maxNorm / (norm + 1e-6)));
        return norm;
    }

    static void Scale(INetwork network, float factor)
    {
        Span<float> gradients = network.Gradients;
        IReadOnlyList<LayerInfo> layers = network.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            LayerInfo layer = layers[l];
            if (!layer.Trainable) continue;
            Span<float> g = gradients.Slice(layer.ParameterOffset, layer.ParameterCount);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                Span<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(g);
                for (int v = 0; v < vectors.Length; v++) vectors[v] *= factor;
                i = vectors.Length * Vector<float>.Count;
            }
            for (; i < g.Length; i++) g[i] *= factor;
        }
    }

    static double SumOfSquares(ReadOnlySpan<float> values)
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            var acc = Vector<double>.Zero;
            for (int v = 0; v < vectors.Length; v++)
            {
                Vector.Widen(vectors[v], out Vector<double> low, out Vector<double> high);
                acc += low * low + high * high;
            }
            sum = Vector.Sum(acc);
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++) sum += (double)values[i] * values[i];
        return sum;
    }
}
