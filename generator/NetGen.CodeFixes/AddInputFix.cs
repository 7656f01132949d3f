using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NetGen.CodeFixes;

/// <summary>
/// NG0003: no [Input] → add one after [Network]: <c>[Input(1, 28, 28)]</c> when the first layer is a convolution or a
/// pool (they need an image), <c>[Input(1)]</c> otherwise. The sizes are placeholders to edit; the shape rules then check them.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddInputFix)), Shared]
public sealed class AddInputFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("NG0003");

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        var declaration = root?.FindNode(context.Span).FirstAncestorOrSelf<ClassDeclarationSyntax>();
        if (root is null || model is null || declaration is null) return;

        var lists = declaration.AttributeLists;
        var kinds = lists.Select(l => l.Attributes.Select(a => Attributes.Kind(a, model, context.CancellationToken)).ToList()).ToList();
        int network = kinds.FindIndex(k => k.Contains("Network"));
        string? firstLayer = kinds.Skip(network + 1).SelectMany(k => k).FirstOrDefault(k => k is not null && k != "Network");
        string shape = firstLayer is "Conv2D" or "MaxPool2D" or "AvgPool2D" ? "1, 28, 28" : "1";

        // On its own line, indented like the attribute list it follows.
        var anchor = network >= 0 ? lists[network] : lists.FirstOrDefault();
        var indentation = anchor is null ? SyntaxTriviaList.Empty
            : SyntaxFactory.TriviaList(anchor.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse());
        var input = SyntaxFactory.ParseCompilationUnit($"[Input({shape})]\nclass C {{ }}").Members[0].AttributeLists[0]
            .WithLeadingTrivia(indentation).WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"));
        var fixedDeclaration = anchor is null
            ? declaration.WithAttributeLists(SyntaxFactory.List(new[] { input.WithLeadingTrivia(declaration.GetLeadingTrivia()) }))
                .WithModifiers(declaration.Modifiers.Count > 0 ? declaration.Modifiers.Replace(declaration.Modifiers[0], declaration.Modifiers[0].WithLeadingTrivia(indentation)) : declaration.Modifiers)
            : declaration.WithAttributeLists(lists.Insert(network + 1, input));

        context.RegisterCodeFix(
            CodeAction.Create($"Add [Input({shape})]", _ => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(declaration, fixedDeclaration))),
                equivalenceKey: "NG0003"),
            context.Diagnostics);
    }
}
