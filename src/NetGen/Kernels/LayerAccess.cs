using System;
using System.Collections.Generic;
using System.ComponentModel;

namespace NetGen.Kernels;

/// <summary>
/// The work behind the generated per-layer members (<c>SetTrainable</c>, <c>PredictLayer</c>): finding a layer by
/// name and changing its trainability. Kept here so each network's generated code stays a few lines per member.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LayerAccess
{
    /// <summary>The position of the layer named <paramref name="name"/>; an unknown name throws, listing the names there are.</summary>
    public static int IndexOf(IReadOnlyList<LayerInfo> layers, string name, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(name, parameterName);
        for (int i = 0; i < layers.Count; i++)
            if (string.Equals(layers[i].Name, name, StringComparison.Ordinal)) return i;
        throw new ArgumentException($"This network has no layer named '{name}'. Its layers are: {Names(layers)}.", parameterName);
    }

    /// <summary>The layers' names, comma-separated, for messages.</summary>
    public static string Names(IReadOnlyList<LayerInfo> layers)
    {
        var names = new string[layers.Count];
        for (int i = 0; i < names.Length; i++) names[i] = layers[i].Name;
        return string.Join(", ", names);
    }

    /// <summary>
    /// A per-layer output span: batchSize × the layer's output size. The message names the layer and its shape, since the
    /// size differs from the network's output.
    /// </summary>
    public static void LayerBatch(int actual, int batchSize, LayerInfo layer, string parameterName)
    {
        int perSample = layer.OutputSize;
        long expected = (long)batchSize * perSample;
        if (actual != expected)
            throw new ArgumentException(
                $"{parameterName} must hold batchSize × {perSample} = {batchSize} × {perSample} = {expected} floats for layer '{layer.Name}' " +
                $"(output shape {LayerInfo.FormatShape(layer.OutputShape)}), but holds {actual}.", parameterName);
    }

    /// <summary>
    /// Freezes or unfreezes layer <paramref name="name"/> of <paramref name="network"/>, whose current layer records are
    /// <paramref name="current"/> and whose declared ones are <paramref name="declared"/>. Freezing clears the layer's
    /// gradients (the backward pass stops writing them). A layer declared <c>Trainable = false</c> was compiled
    /// without weight gradients, so it cannot be unfrozen.
    /// </summary>
    public static void SetTrainable(INetwork network, LayerInfo[] current, IReadOnlyList<LayerInfo> declared, string name, bool trainable)
    {
        int index = IndexOf(current, name, "layer");
        LayerInfo layer = current[index];
        if (layer.ParameterCount == 0)
            throw new ArgumentException($"Layer '{name}' ({layer.Kind}) has no parameters, so there is nothing to freeze or train.", "layer");
        if (trainable && !declared[index].Trainable)
            throw new ArgumentException(
                $"Layer '{name}' ({layer.Kind}) is declared Trainable = false, so its backward pass was compiled without weight gradients. " +
                $"Declare it trainable and freeze it at run time with SetTrainable(\"{name}\", false) to switch it on and off.", "layer");

        // An optimizer step or TrainBatch on another thread would see half a change: take the network to ourselves.
        network.Concurrency.EnterExclusive("SetTrainable");
        try
        {
            if (current[index].Trainable == trainable) return;
            if (!trainable) network.Gradients.Slice(layer.ParameterOffset, layer.ParameterCount).Clear();
            current[index] = layer with { Trainable = trainable };
        }
        finally { network.Concurrency.ExitExclusive(); }
    }
}
