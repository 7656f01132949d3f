using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>Copying a layer's weights from one network into another (transfer learning, stacked pre-training).</summary>
public static class LayerTransfer
{
    /// <summary>
    /// Copies the parameters of <paramref name="source"/>'s layer <paramref name="sourceLayer"/> (by default the same
    /// name) into this network's layer <paramref name="layer"/>. The two must be of the same kind with the same input
    /// and output shapes; otherwise this throws, saying which layer and which shape disagree, and changes nothing.
    /// Takes this network to itself (as an optimizer step does) and shares <paramref name="source"/> with readers.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown layer name (the message lists the names), or the layers do not match.</exception>
    public static void CopyLayerFrom(this INetwork target, INetwork source, string layer, string? sourceLayer = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(layer);
        sourceLayer ??= layer;
        LayerInfo to = target.Layers[Kernels.LayerAccess.IndexOf(target.Layers, layer, nameof(layer))];
        LayerInfo from = source.Layers[Kernels.LayerAccess.IndexOf(source.Layers, sourceLayer, nameof(sourceLayer))];
        if (Mismatch(from.Kind, from.InputShape, from.OutputShape, from.ParameterCount, to) is string problem)
            throw new ArgumentException(
                $"Cannot copy layer '{sourceLayer}' of {source.GetType().Name} into layer '{layer}' of {target.GetType().Name}: {problem}.", nameof(source));

        bool same = ReferenceEquals(source, target);
        target.Concurrency.EnterExclusive("CopyLayerFrom");
        try
        {
            if (!same) source.Concurrency.EnterShared("CopyLayerFrom");
            try
            {
                source.Parameters.Slice(from.ParameterOffset, from.ParameterCount)
                    .CopyTo(target.Parameters.Slice(to.ParameterOffset, to.ParameterCount));
            }
            finally { if (!same) source.Concurrency.ExitShared(); }
        }
        finally { target.Concurrency.ExitExclusive(); }
    }

    /// <summary>Why a source layer (kind, shapes, parameter count) cannot fill <paramref name="target"/>, or null when it can.</summary>
    internal static string? Mismatch(string kind, IReadOnlyList<int> inputShape, IReadOnlyList<int> outputShape, int parameterCount, LayerInfo target)
    {
        if (kind != target.Kind) return $"the source is a {kind} layer, the target a {target.Kind} layer";
        if (inputShape.Count > 0 && target.InputShape.Count > 0 && !SameShape(inputShape, target.InputShape))
            return $"the input shapes differ: the source takes {LayerInfo.FormatShape(inputShape)}, the target {LayerInfo.FormatShape(target.InputShape)}";
        if (!SameShape(outputShape, target.OutputShape))
            return $"the output shapes differ: the source gives {LayerInfo.FormatShape(outputShape)}, the target {LayerInfo.FormatShape(target.OutputShape)}";
        if (parameterCount != target.ParameterCount)
            return $"the parameter counts differ: the source has {parameterCount}, the target {target.ParameterCount} (a bias on one side only?)";
        return null;
    }

    static bool SameShape(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
            if (a[i] != b[i]) return false;
        return true;
    }
}
