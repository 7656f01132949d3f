using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NetGen.CodeFixes;

/// <summary>
/// NG0008: the loss does not match the output layer. Two fixes: give the output Dense layer the activation the loss
/// needs (Softmax for CrossEntropy, Sigmoid for BinaryCrossEntropy; a now meaningless Alpha goes too), or change the
/// loss to the one the output layer fits (Softmax → CrossEntropy, Sigmoid → BinaryCrossEntropy, else MeanSquaredError).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LossMismatchFix)), Shared]
public sealed class LossMismatchFix : CodeFixProvider
{
    // NetGen.Loss and NetGen.Activation, by value (the attribute arguments are read as constants).
    private static readonly string[] s_losses = { "MeanSquaredError", "CrossEntropy", "BinaryCrossEntropy" };
    private static readonly string[] s_activations = { "Identity", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Softmax" };

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("NG0008");

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        var output = root?.FindNode(context.Span).FirstAncestorOrSelf<AttributeSyntax>();
        var declaration = output?.FirstAncestorOrSelf<ClassDeclarationSyntax>();
        if (root is null || model is null || output is null || declaration is null) return;
        var network = Attributes.Find(declaration, "Network", model, context.CancellationToken);
        var lossArgument = network is null ? null : Attributes.Positional(network, 0);
        string? loss = Name(s_losses, lossArgument is null ? null : model.GetConstantValue(lossArgument.Expression, context.CancellationToken).Value);
        string? needed = loss switch { "CrossEntropy" => "Softmax", "BinaryCrossEntropy" => "Sigmoid", _ => null };
        if (needed is null) return;

        if (Attributes.Kind(output, model, context.CancellationToken) == "Dense")
        {
            var fixedOutput = ArgumentLists.RemoveNamed(ArgumentLists.SetPositionalOrNamed(output, 1, "Activation", Attributes.EnumValue("Activation", needed)), "Alpha");
            context.RegisterCodeFix(
                CodeAction.Create($"Use Activation.{needed} on the output layer",
                    _ => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(output, fixedOutput))), equivalenceKey: "NG0008.Activation"),
                context.Diagnostics);
        }

        var activationArgument = Attributes.Positional(output, 1) ?? Attributes.Named(output, "Activation");
        string activation = Name(s_activations, activationArgument is null ? 0 : model.GetConstantValue(activationArgument.Expression, context.CancellationToken).Value) ?? "Identity";
        string fitting = activation switch { "Softmax" => "CrossEntropy", "Sigmoid" => "BinaryCrossEntropy", _ => "MeanSquaredError" };
        if (lossArgument is not null && fitting != loss)
            context.RegisterCodeFix(
                CodeAction.Create($"Change the loss to Loss.{fitting}",
                    _ => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(lossArgument.Expression,
                        Attributes.EnumValue("Loss", fitting).WithTriviaFrom(lossArgument.Expression)))),
                    equivalenceKey: "NG0008.Loss"),
                context.Diagnostics);
    }

    private static string? Name(string[] names, object? value) => value is int i && i >= 0 && i < names.Length ? names[i] : null;
}
