using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NetGen.CodeFixes;

/// <summary>
/// NG0021: a strided Conv2D whose windows do not tile its input → the smallest larger padding that makes them tile.
/// With padding p' = p + t the rows left over become (dropped + 2t) mod stride, so t is the least t ≥ 1 that zeroes
/// both axes' remainders (there is none when an even stride meets an odd remainder). Padding.Same is not offered:
/// it needs stride 1, and at stride 1 every window tiles. Pools have no padding, so they get no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TilingPaddingFix)), Shared]
public sealed class TilingPaddingFix : CodeFixProvider
{
    // The dropped rows and columns, as NG0021's message states them (invariant culture).
    private static readonly Regex s_dropped = new(@"the last (\d+) row\(s\) and (\d+) column\(s\) are dropped", RegexOptions.CultureInvariant);

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("NG0021");

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        var attribute = root?.FindNode(context.Span).FirstAncestorOrSelf<AttributeSyntax>();
        if (root is null || model is null || attribute is null || Attributes.Kind(attribute, model, context.CancellationToken) != "Conv2D") return;

        foreach (var diagnostic in context.Diagnostics)
        {
            var match = s_dropped.Match(diagnostic.GetMessage(CultureInfo.InvariantCulture));
            if (!match.Success) continue;
            int rows = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), columns = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            int stride = Constant(attribute, "Stride", model, 1), padding = Constant(attribute, "Padding", model, 0);
            if (stride <= 1 || padding < 0) continue;
            for (int t = 1; t <= stride; t++)
            {
                if ((rows + 2 * t) % stride != 0 || (columns + 2 * t) % stride != 0) continue;
                int tiling = padding + t;
                var value = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(tiling));
                context.RegisterCodeFix(
                    CodeAction.Create($"Use Padding = {tiling}, which tiles the input",
                        _ => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(attribute, ArgumentLists.SetNamed(attribute, "Padding", value)))),
                        equivalenceKey: "NG0021"),
                    diagnostic);
                break;
            }
        }
    }

    private static int Constant(AttributeSyntax attribute, string name, SemanticModel model, int fallback)
    {
        var argument = Attributes.Named(attribute, name);
        return argument is not null && model.GetConstantValue(argument.Expression).Value is int value ? value : fallback;
    }
}
