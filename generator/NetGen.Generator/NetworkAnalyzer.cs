using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator;

/// <summary>
/// Reports NetGen's diagnostics live in the IDE, from the same parsing and planning the generator uses,
/// so what the editor underlines is exactly what the generator would refuse.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NetworkAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        bool isNetwork = false, hasLayers = false;
        foreach (var attribute in type.GetAttributes())
        {
            var attributeClass = attribute.AttributeClass;
            if (attributeClass?.ContainingNamespace?.ToDisplayString() != "NetGen") continue;
            if (attributeClass.Name == "NetworkAttribute") isNetwork = true;
            else if (LayerRegistry.IsNetworkPart(attributeClass.Name)) hasLayers = true;
        }

        if (!isNetwork)
        {
            if (hasLayers)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LayerWithoutNetwork, type.Locations.Length > 0 ? type.Locations[0] : Location.None, type.Name));
            return;
        }

        var model = NetworkParser.Parse(type, context.CancellationToken);
        // The model keeps only file paths; map them back onto the declaring trees so locations are real source locations.
        var trees = type.DeclaringSyntaxReferences.Select(r => r.SyntaxTree).ToArray();
        foreach (var diagnostic in NetworkPlanner.Plan(model).Diagnostics)
            context.ReportDiagnostic(diagnostic.ToDiagnostic(trees));
    }
}
