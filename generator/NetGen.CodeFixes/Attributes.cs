using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace NetGen.CodeFixes;

/// <summary>Reading and rewriting NetGen attributes in syntax, resolved through the semantic model so aliases and qualified names work.</summary>
internal static class Attributes
{
    /// <summary>"Dense", "Network", ... for a NetGen attribute; null for anything else.</summary>
    public static string? Kind(AttributeSyntax attribute, SemanticModel model, CancellationToken cancellationToken)
    {
        var type = model.GetSymbolInfo(attribute, cancellationToken).Symbol?.ContainingType;
        if (type is null || type.ContainingNamespace?.ToDisplayString() != "NetGen" || !type.Name.EndsWith("Attribute", System.StringComparison.Ordinal))
            return null;
        return type.Name.Substring(0, type.Name.Length - "Attribute".Length);
    }

    /// <summary>The attribute of a kind on any declaration of the class in this syntax tree.</summary>
    public static AttributeSyntax? Find(ClassDeclarationSyntax declaration, string kind, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type) return null;
        return type.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(cancellationToken)).OfType<ClassDeclarationSyntax>()
            .Where(d => d.SyntaxTree == declaration.SyntaxTree)
            .SelectMany(d => d.AttributeLists).SelectMany(l => l.Attributes)
            .FirstOrDefault(a => Kind(a, model, cancellationToken) == kind);
    }

    /// <summary>The named argument <c>Name = …</c>, or null.</summary>
    public static AttributeArgumentSyntax? Named(AttributeSyntax attribute, string name) =>
        attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

    /// <summary>The <paramref name="index"/>-th positional argument (named ones and <c>name:</c> ones in place), or null.</summary>
    public static AttributeArgumentSyntax? Positional(AttributeSyntax attribute, int index) =>
        attribute.ArgumentList?.Arguments.Where(a => a.NameEquals is null).ElementAtOrDefault(index);

    /// <summary><c>global::NetGen.Type.Member</c>, reduced by the simplifier to what the file's usings allow.</summary>
    public static ExpressionSyntax EnumValue(string type, string member) =>
        SyntaxFactory.ParseExpression($"global::NetGen.{type}.{member}").WithAdditionalAnnotations(Simplifier.Annotation);
}

/// <summary>Argument-list edits that keep the attribute on one line: ", " between arguments.</summary>
internal static class ArgumentLists
{
    /// <summary>The attribute with the positional argument <paramref name="index"/> or the named argument <paramref name="name"/> set to <paramref name="value"/>; inserted as positional <paramref name="index"/> when absent.</summary>
    public static AttributeSyntax SetPositionalOrNamed(AttributeSyntax attribute, int index, string name, ExpressionSyntax value)
    {
        var existing = Attributes.Positional(attribute, index) ?? Attributes.Named(attribute, name);
        if (existing is not null) return attribute.ReplaceNode(existing.Expression, value.WithTriviaFrom(existing.Expression));
        var arguments = attribute.ArgumentList?.Arguments.ToList() ?? new System.Collections.Generic.List<AttributeArgumentSyntax>();
        int position = System.Math.Min(index, arguments.TakeWhile(a => a.NameEquals is null && a.NameColon is null).Count());
        arguments.Insert(position, SyntaxFactory.AttributeArgument(value));
        return WithArguments(attribute, arguments);
    }

    /// <summary>The attribute with the named argument <c>name = value</c> set, appended when absent.</summary>
    public static AttributeSyntax SetNamed(AttributeSyntax attribute, string name, ExpressionSyntax value)
    {
        var existing = Attributes.Named(attribute, name);
        if (existing is not null) return attribute.ReplaceNode(existing.Expression, value.WithTriviaFrom(existing.Expression));
        var arguments = attribute.ArgumentList?.Arguments.ToList() ?? new System.Collections.Generic.List<AttributeArgumentSyntax>();
        arguments.Add(SyntaxFactory.AttributeArgument(SyntaxFactory.NameEquals(name), null, value));
        return WithArguments(attribute, arguments);
    }

    /// <summary>The attribute without the named argument <paramref name="name"/>.</summary>
    public static AttributeSyntax RemoveNamed(AttributeSyntax attribute, string name)
    {
        var existing = Attributes.Named(attribute, name);
        return existing is null ? attribute : WithArguments(attribute, attribute.ArgumentList!.Arguments.Where(a => a != existing).ToList());
    }

    private static AttributeSyntax WithArguments(AttributeSyntax attribute, System.Collections.Generic.List<AttributeArgumentSyntax> arguments)
    {
        var separators = Enumerable.Repeat(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space), System.Math.Max(0, arguments.Count - 1));
        var list = SyntaxFactory.SeparatedList(arguments.Select(a => a.WithoutTrivia()), separators);
        return attribute.WithArgumentList(arguments.Count == 0 ? null : SyntaxFactory.AttributeArgumentList(list));
    }
}
