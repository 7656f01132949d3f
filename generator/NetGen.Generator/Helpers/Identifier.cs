using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Generator.Helpers;

/// <summary>Names as C# source text: a class named <c>@class</c> must be emitted as <c>class @class</c>, not <c>class class</c>.</summary>
internal static class Identifier
{
    /// <summary>The name, with an @ when C# would read it as a keyword (contextual ones too: the @ is always legal).</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A dotted namespace name, each part escaped.</summary>
    public static string EscapeDotted(string dottedName) => string.Join(".", dottedName.Split('.').Select(Escape));
}
