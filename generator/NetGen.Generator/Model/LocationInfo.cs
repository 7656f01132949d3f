using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Model;

/// <summary>An equatable stand-in for <see cref="Location"/>: a Location keeps its syntax tree (and so a whole compilation) alive.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    /// <summary>
    /// A source location in <paramref name="tree"/> when it is this location's file: without one, a diagnostic has no
    /// squiggle in the editor and #pragma warning disable cannot suppress it.
    /// </summary>
    public Location ToLocation(SyntaxTree? tree) => tree is not null && tree.FilePath == FilePath && Span.End <= tree.Length ? Location.Create(tree, Span) : ToLocation();

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null) return null;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());
}
