using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Helpers;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Parsing;

/// <summary>
/// Turns a [Network] class symbol into a <see cref="NetworkModel"/>: data in, data out, diagnostics as records.
/// Shared by the generator and the analyzer so both see exactly the same network. Never throws.
/// </summary>
internal static class NetworkParser
{
    public const string NetworkAttribute = "NetGen.NetworkAttribute";
    private const string AttributeNamespace = "NetGen";

    public static NetworkModel Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        string className = type.Name;
        string? ns = Namespace(type);
        string fullName = FullName(type);
        var classLocation = LocationInfo.From(type.Locations.FirstOrDefault());
        var languageVersion = type.DeclaringSyntaxReferences.FirstOrDefault()?.SyntaxTree.Options is CSharpParseOptions options ? options.LanguageVersion : LanguageVersion.Latest;
        try
        {
            return ParseCore(type, className, ns, fullName, classLocation, languageVersion, cancellationToken);
        }
        catch (System.OperationCanceledException)
        {
            throw;
        }
        catch (System.Exception e)
        {
            // A bug in NetGen must not crash the user's build: report it on the class instead.
            var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, classLocation, className, e.GetType().Name + ": " + e.Message);
            return new NetworkModel(ns, className, fullName, LossKind.MeanSquaredError, null, EquatableArray<LayerModel>.Empty, new[] { diagnostic }.ToEquatableArray(), classLocation, languageVersion);
        }
    }

    /// <summary>The namespace as written, without @ escapes ("class.Inner" for <c>namespace @class.Inner</c>); null for the global namespace.</summary>
    public static string? Namespace(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (var n = type.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace) parts.Insert(0, n.Name);
        return parts.Count == 0 ? null : string.Join(".", parts);
    }

    /// <summary>Namespace and class name, without @ escapes: unique per class (case-sensitively), and what the hint name is made from.</summary>
    public static string FullName(INamedTypeSymbol type) => Namespace(type) is { } ns ? ns + "." + type.Name : type.Name;

    private static NetworkModel ParseCore(INamedTypeSymbol type, string className, string? ns, string fullName, LocationInfo? classLocation, LanguageVersion languageVersion, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();

        bool isPartial = type.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is ClassDeclarationSyntax c && c.Modifiers.Any(SyntaxKind.PartialKeyword));
        if (!isPartial) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, classLocation, className));
        if (type.ContainingType is not null) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGeneric, classLocation, className, "nested in " + type.ContainingType.Name));
        else if (type.IsGenericType) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGeneric, classLocation, className, "generic"));
        DeclarationChecks.Check(type, languageVersion, classLocation, diagnostics, cancellationToken);

        var loss = LossKind.MeanSquaredError;
        Shape? input = null;
        LocationInfo? inputLocation = null;
        int inputCount = 0;
        var layers = new List<LayerModel>();
        var layerAttributes = new List<SyntaxReference>();

        // GetAttributes lists attributes in source order: that order is the network's layer order.
        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var attributeClass = attribute.AttributeClass;
            if (attributeClass is null || attributeClass.ContainingNamespace?.ToDisplayString() != AttributeNamespace) continue;
            var reader = new AttributeReader(attribute);
            var location = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? classLocation;

            switch (attributeClass.Name)
            {
                case "NetworkAttribute":
                    loss = (LossKind)reader.Int(0, 0);
                    if (loss < LossKind.MeanSquaredError || loss > LossKind.BinaryCrossEntropy)
                    {
                        // (Loss)42 compiles; emitting it would not (global::NetGen.Loss.42).
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, "Network", $"{(int)loss} is not a Loss"));
                        loss = LossKind.MeanSquaredError;
                    }
                    break;
                case LayerRegistry.InputAttribute:
                    inputCount++;
                    inputLocation = location;
                    if (inputCount == 1 && !reader.HasErrors) input = ParseInput(reader, location, diagnostics);
                    break;
                default:
                    if (LayerRegistry.IsLayer(attributeClass.Name) && attribute.ApplicationSyntaxReference is { } syntax) layerAttributes.Add(syntax);
                    if (reader.HasErrors) continue; // the compiler already reports the broken argument
                    var layer = LayerRegistry.Parse(attributeClass.Name, reader, location, diagnostics);
                    if (layer is not null) layers.Add(layer);
                    break;
            }
        }

        CheckLayersInOneFile(className, layerAttributes, diagnostics);
        if (inputCount == 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, classLocation, className));
        else if (inputCount > 1) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateInput, inputLocation, className, inputCount));
        // Flatten only re-labels its input: a network of nothing but Flatten computes nothing and has no output buffer to emit.
        else if (layers.All(l => l.IsAliasInTraining)) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, inputLocation, className));

        return new NetworkModel(ns, className, fullName, loss, input, layers.ToEquatableArray(), diagnostics.ToEquatableArray(), classLocation, languageVersion);
    }

    /// <summary>
    /// The compiler lists the attributes of partial declarations in the order it reads their files, which a build does
    /// not fix: layers split across files would have no defined order. The file whose path sorts first keeps its layers;
    /// NG0027 goes on the first layer attribute of every other file.
    /// </summary>
    private static void CheckLayersInOneFile(string className, List<SyntaxReference> layerAttributes, List<DiagnosticInfo> diagnostics)
    {
        var files = layerAttributes.GroupBy(a => a.SyntaxTree.FilePath).OrderBy(g => g.Key, System.StringComparer.Ordinal).ToList();
        for (int i = 1; i < files.Count; i++)
        {
            var first = files[i].OrderBy(a => a.Span.Start).First();
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersInSeveralFiles, LocationInfo.From(first.SyntaxTree.GetLocation(first.Span)), className, files[0].Key, files[i].Key));
        }
    }

    private static Shape? ParseInput(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        var dims = reader.Ints(0);
        if (dims.Count < 1 || dims.Count > 3)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadInputRank, location, dims.Count));
            return null;
        }
        string[] names = dims.Count switch
        {
            1 => new[] { "the feature count" },
            2 => new[] { "the step count", "the feature count" },
            _ => new[] { "channels", "height", "width" },
        };
        bool ok = true;
        for (int i = 0; i < dims.Count; i++)
        {
            if (dims[i] <= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "Input", names[i], dims[i]));
                ok = false;
            }
        }
        if (!ok) return null;
        long size = 1;
        foreach (int d in dims) size *= d; // at most three factors below 2³¹: fits in a long
        if (size > int.MaxValue / 4)
        {
            // Shape.Size is an int: a larger input would wrap (2³² values read as 0) and emit a nonsense network.
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, location, "Input(" + string.Join(", ", dims) + ")", Literal.Grouped(size)));
            return null;
        }
        return dims.Count switch
        {
            1 => Shape.Vector(dims[0]),
            2 => Shape.Sequence(dims[0], dims[1]),
            _ => Shape.Image(dims[0], dims[1], dims[2]),
        };
    }
}
