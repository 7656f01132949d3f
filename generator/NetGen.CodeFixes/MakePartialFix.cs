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

/// <summary>NG0001: the network class is not partial → add <c>partial</c> right before <c>class</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialFix)), Shared]
public sealed class MakePartialFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("NG0001");

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var declaration = root?.FindNode(context.Span).FirstAncestorOrSelf<ClassDeclarationSyntax>();
        if (root is null || declaration is null || declaration.Modifiers.Any(SyntaxKind.PartialKeyword)) return;
        context.RegisterCodeFix(
            CodeAction.Create("Make the class partial", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(declaration, MakePartial(declaration)))),
                equivalenceKey: "NG0001"),
            context.Diagnostics);
    }

    private static ClassDeclarationSyntax MakePartial(ClassDeclarationSyntax declaration)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count > 0) return declaration.AddModifiers(partial);
        // No modifiers: `partial` takes over the class keyword's leading trivia (indentation, comments).
        var keyword = declaration.Keyword;
        return declaration
            .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)))
            .WithKeyword(keyword.WithLeadingTrivia());
    }
}
