using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator;

/// <summary>
/// The incremental pipeline, and nothing else. Diagnostics are the analyzer's job (it runs as you type);
/// the generator emits code for valid networks and silently skips the rest. It never throws: an exception would
/// drop the code of every network in the build, so a failure to emit one network becomes NG9999 on that network.
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
                static (ctx, ct) => IsFirstNetworkDeclaration(ctx) ? NetworkParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ct) : null)
            .Where(static model => model is not null)
            .WithTrackingName(TrackingNames.Parse);

        // Positions only matter to the analyzer's diagnostics: without them, a line typed above the class changes nothing below.
        var locationFree = models
            .Select(static (model, _) => model!.WithoutLocations())
            .WithTrackingName(TrackingNames.Model);

        // Shapes, offsets and fusions: recomputed only when a model changes.
        var plans = locationFree
            .Select(static (model, _) => NetworkPlanner.Plan(model).Plan)
            .WithTrackingName(TrackingNames.Plan);

        // Each layer's typed ops, and the loss: what every backend emits from.
        var programs = plans
            .Select(static (plan, _) => plan is null ? null : Lowerer.Lower(plan))
            .WithTrackingName(TrackingNames.Lower);

        // The CPU backend: one file per valid network.
        context.RegisterSourceOutput(programs, static (spc, program) =>
        {
            if (program is null) return;
            if (TryAddSource(program, NetworkEmitter.Emit, spc.AddSource) is { } failure) spc.ReportDiagnostic(failure);
        });
    }

    /// <summary>
    /// [Network] on two partial declarations of one class (the compiler reports CS0579) finds the class twice:
    /// only the declaration holding the first [Network] is parsed, or two files would get the same hint name.
    /// </summary>
    private static bool IsFirstNetworkDeclaration(GeneratorAttributeSyntaxContext context)
    {
        var first = context.TargetSymbol.GetAttributes()
            .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == NetworkParser.NetworkAttribute)?.ApplicationSyntaxReference;
        return first is null || (first.SyntaxTree == context.TargetNode.SyntaxTree && context.TargetNode.Span.Contains(first.Span));
    }

    /// <summary>
    /// Emits one network and adds its file; an exception on the way comes back as NG9999 naming the class (in the
    /// pipeline the program is location-free, so the diagnostic has no position; its message says which network).
    /// </summary>
    internal static Diagnostic? TryAddSource(NetworkProgram program, Func<NetworkProgram, string> emit, Action<string, string> addSource)
    {
        var plan = program.Plan;
        try
        {
            addSource(HintName.For(plan.Model.FullName), emit(program));
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, plan.Model.Location, plan.Model.ClassName, e.GetType().Name + ": " + e.Message).ToDiagnostic();
        }
    }
}

/// <summary>Step names the incrementality tests look for.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Model = nameof(Model);
    public const string Plan = nameof(Plan);
    public const string Lower = nameof(Lower);
}
