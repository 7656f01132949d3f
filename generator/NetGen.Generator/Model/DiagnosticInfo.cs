using Microsoft.CodeAnalysis;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Helpers;

namespace NetGen.Generator.Model;

/// <summary>A diagnostic as plain data; it becomes a Roslyn <see cref="Diagnostic"/> only when reported.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments)
    {
        var texts = new string[arguments.Length];
        for (int i = 0; i < arguments.Length; i++) texts[i] = System.Convert.ToString(arguments[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new DiagnosticInfo(descriptor.Id, location, texts.ToEquatableArray());
    }

    /// <summary>The Roslyn diagnostic; pass the trees the location may lie in (the analyzer has them) to get a source location.</summary>
    public Diagnostic ToDiagnostic(System.Collections.Generic.IEnumerable<SyntaxTree>? trees = null)
    {
        var args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
        return Diagnostic.Create(DiagnosticDescriptors.ById(Id), ResolveLocation(trees), args);
    }

    private Location ResolveLocation(System.Collections.Generic.IEnumerable<SyntaxTree>? trees)
    {
        if (Location is null) return Microsoft.CodeAnalysis.Location.None;
        if (trees is not null)
            foreach (var tree in trees)
                if (tree.FilePath == Location.FilePath) return Location.ToLocation(tree);
        return Location.ToLocation();
    }

    public bool IsError => DiagnosticDescriptors.ById(Id).DefaultSeverity == DiagnosticSeverity.Error;
}
