using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;

namespace NetGen.Generator.Parsing;

/// <summary>
/// What the class declaration itself must allow for the generated half to compile next to it: an instance class, no
/// primary constructor, no member the generated code also declares, a C# version the generated code compiles with.
/// Each problem is an error on the offending syntax; without it the build would fail inside generated code.
/// </summary>
internal static class DeclarationChecks
{
    /// <summary>The oldest C# the generated code compiles with (it uses the default literal and Span locals).</summary>
    public const LanguageVersion MinimumLanguageVersion = LanguageVersion.CSharp7_3;

    public static void Check(INamedTypeSymbol type, LanguageVersion languageVersion, LocationInfo? classLocation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        string className = type.Name;
        var declarations = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().ToArray();

        if (type.IsStatic)
        {
            var modifier = declarations.SelectMany(d => d.Modifiers).FirstOrDefault(m => m.IsKind(SyntaxKind.StaticKeyword));
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StaticOrFileLocal, LocationInfo.From(modifier.GetLocation()) ?? classLocation, className, "static"));
        }
        if (type.IsFileLocal)
        {
            var modifier = declarations.SelectMany(d => d.Modifiers).FirstOrDefault(m => m.IsKind(SyntaxKind.FileKeyword));
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StaticOrFileLocal, LocationInfo.From(modifier.GetLocation()) ?? classLocation, className, "file-local"));
        }
        foreach (var declaration in declarations)
            if (declaration.ParameterList is { } parameters)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PrimaryConstructor, LocationInfo.From(parameters), className));

        if (GeneratedMembers.IsGenerated(className))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNamedLikeMember, classLocation, className));

        CheckMembers(type, diagnostics, cancellationToken);
        CheckBaseConstructor(type, declarations, classLocation, diagnostics);

        if (languageVersion < MinimumLanguageVersion)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LanguageVersionTooOld, classLocation, className, MinimumLanguageVersion.ToDisplayString(), languageVersion.ToDisplayString()));
    }

    /// <summary>NG0016 for every user member whose name (or, for a method, name and parameters) the generated code also declares.</summary>
    private static void CheckMembers(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        // Once the generator has run (a build, the IDE), the type also holds the generated members: those are not the user's.
        string generatedFile = HintName.For(NetworkParser.FullName(type));
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member.IsImplicitlyDeclared) continue;
            var location = member.Locations.FirstOrDefault(l => l.SourceTree is { } tree && !tree.FilePath.EndsWith(generatedFile, System.StringComparison.Ordinal));
            if (location is null) continue;

            string? clash = member switch
            {
                IMethodSymbol { MethodKind: MethodKind.Constructor, IsStatic: false } constructor => ConstructorClash(type, constructor, cancellationToken),
                IMethodSymbol { MethodKind: MethodKind.Ordinary } method =>
                    GeneratedMembers.MethodClashes(method.Name, method.TypeParameters.Length, ParameterList(method)) ? $"the method {method.Name}({ParameterList(method)})" : null,
                IMethodSymbol => null, // accessors, operators, finalizers: their names are not the user's to choose
                IFieldSymbol or IPropertySymbol or IEventSymbol or INamedTypeSymbol when GeneratedMembers.IsGenerated(member.Name) => $"{KindName(member)} '{member.Name}'",
                _ => null,
            };
            if (clash is not null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNamedLikeGenerated, LocationInfo.From(location), type.Name, clash));
        }
    }

    /// <summary>NG0028 when the generated constructors' implicit base() has nothing to call.</summary>
    private static void CheckBaseConstructor(INamedTypeSymbol type, TypeDeclarationSyntax[] declarations, LocationInfo? classLocation, List<DiagnosticInfo> diagnostics)
    {
        var baseType = type.BaseType;
        if (baseType is null || baseType.SpecialType == SpecialType.System_Object || baseType.TypeKind == TypeKind.Error) return;
        bool callable = baseType.InstanceConstructors.Any(c =>
            c.DeclaredAccessibility != Accessibility.Private && c.Parameters.All(p => p.IsOptional || p.IsParams));
        if (callable) return;
        // The base list entry that names the base class, found by its last identifier (the list may hold interfaces too).
        var entries = declarations.SelectMany(d => d.BaseList?.Types ?? default(SeparatedSyntaxList<BaseTypeSyntax>)).ToArray();
        var syntax = entries.FirstOrDefault(t => LastIdentifier(t.Type.ToString()) == baseType.Name) ?? entries.FirstOrDefault();
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BaseWithoutParameterlessConstructor, LocationInfo.From(syntax) ?? classLocation, type.Name, baseType.ToDisplayString()));
    }

    private static string LastIdentifier(string typeText)
    {
        string withoutArguments = typeText.Split('<')[0];
        return withoutArguments.Substring(withoutArguments.LastIndexOfAny(new[] { '.', ':' }) + 1).Trim().TrimStart('@');
    }

    private static string? ConstructorClash(INamedTypeSymbol type, IMethodSymbol constructor, CancellationToken cancellationToken)
    {
        // A primary constructor has its own diagnostic (NG0018).
        if (constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax)) return null;
        string parameters = ParameterList(constructor);
        return System.Array.IndexOf(GeneratedMembers.ConstructorParameterLists, parameters) >= 0 ? $"the constructor {type.Name}({parameters})" : null;
    }

    /// <summary>"System.ReadOnlySpan&lt;float&gt;, int": what decides whether two methods of one name clash (ref, in and out make a different overload).</summary>
    private static string ParameterList(IMethodSymbol method) =>
        string.Join(", ", method.Parameters.Select(p => (p.RefKind == RefKind.None ? "" : p.RefKind.ToString().ToLowerInvariant() + " ") + p.Type.ToDisplayString()));

    private static string KindName(ISymbol member) => member switch
    {
        IFieldSymbol => "the field",
        IPropertySymbol => "the property",
        IEventSymbol => "the event",
        _ => "the nested type",
    };
}
