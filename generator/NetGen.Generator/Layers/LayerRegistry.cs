using System.Collections.Generic;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Layers;

/// <summary>
/// Every layer kind, once: the attribute class that declares it and the parse rule that reads it. The parser and the
/// analyzer both read this table, so a new layer kind is one entry here plus its file in Layers/.
/// </summary>
internal static class LayerRegistry
{
    public delegate LayerModel? ParseRule(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics);

    /// <summary>The attribute that declares the network's input; not a layer, but a layer attribute for NG0013.</summary>
    public const string InputAttribute = "InputAttribute";

    private static readonly Dictionary<string, ParseRule> s_kinds = new(System.StringComparer.Ordinal)
    {
        ["DenseAttribute"] = DenseLayer.Parse,
        ["DropoutAttribute"] = DropoutLayer.Parse,
        ["GaussianNoiseAttribute"] = NoiseLayer.ParseGaussian,
        ["MaskingNoiseAttribute"] = NoiseLayer.ParseMasking,
        ["LowRankDenseAttribute"] = LowRankDenseLayer.Parse,
        ["FlattenAttribute"] = (reader, location, _) => FlattenLayer.Parse(reader, location),
        ["Conv2DAttribute"] = Conv2DLayer.Parse,
        ["MaxPool2DAttribute"] = (reader, location, diagnostics) => Pool2DLayer.Parse(PoolKind.Max, reader, location, diagnostics),
        ["EmbeddingAttribute"] = EmbeddingLayer.Parse,
        ["SimpleRNNAttribute"] = SimpleRnnLayer.Parse,
        ["LSTMAttribute"] = LstmLayer.Parse,
        ["AvgPool2DAttribute"] = (reader, location, diagnostics) => Pool2DLayer.Parse(PoolKind.Average, reader, location, diagnostics),
    };

    /// <summary>True for the attribute class name (e.g. "DenseAttribute") of a layer kind.</summary>
    public static bool IsLayer(string attributeName) => s_kinds.ContainsKey(attributeName);

    /// <summary>True for [Input] or any layer attribute: what marks a class as meant to be a network.</summary>
    public static bool IsNetworkPart(string attributeName) => attributeName == InputAttribute || IsLayer(attributeName);

    /// <summary>The layer an attribute declares, or null (not a layer attribute, or refused with diagnostics).</summary>
    public static LayerModel? Parse(string attributeName, AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics) =>
        s_kinds.TryGetValue(attributeName, out var parse) ? parse(reader, location, diagnostics) : null;
}
