using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NetGen.CodeFixes;

/// <summary>NG0009: <c>Alpha</c> on an activation that ignores it → remove the argument.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveIgnoredAlphaFix)), Shared]
public sealed class RemoveIgnoredAlphaFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("NG0009");

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var attribute = root?.FindNode(context.Span).FirstAncestorOrSelf<AttributeSyntax>();
        var alpha = attribute is null ? null : Attributes.Named(attribute, "Alpha");
        if (root is null || attribute?.ArgumentList is null || alpha is null) return;
        context.RegisterCodeFix(
            CodeAction.Create("Remove Alpha", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(attribute, ArgumentLists.RemoveNamed(attribute, "Alpha")))),
                equivalenceKey: "NG0009"),
            context.Diagnostics);
    }
}
