using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Emit;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator;

/// <summary>
/// The incremental pipeline, and nothing else. Diagnostics are the analyzer's job (it runs as you type);
/// the generator emits code for valid networks and silently skips the rest.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Find [Network] classes; turn each into an equatable model right away, so no symbol outlives this step.
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                NetworkParser.NetworkAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => NetworkParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ct))
            .WithTrackingName(TrackingNames.Parse);

        // Shapes, offsets and fusions: recomputed only when a model changes.
        var plans = models
            .Select(static (model, _) => NetworkPlanner.Plan(model).Plan)
            .WithTrackingName(TrackingNames.Plan);

        // One file per valid network.
        context.RegisterSourceOutput(plans, static (spc, plan) =>
        {
            if (plan is null) return;
            spc.AddSource(plan.Model.FullName + ".g.cs", NetworkEmitter.Emit(plan));
        });
    }
}

/// <summary>Step names the incrementality tests look for.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Plan = nameof(Plan);
}
