using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Helpers;

namespace NetGen.Generator.Model;

/// <summary>
/// Everything the generator knows about one [Network] class, as plain equatable data: no symbols, no syntax,
/// no Locations (a test walks this graph to make sure). Breaking value equality here breaks incremental caching.
/// </summary>
internal sealed record NetworkModel(
    string? Namespace,
    string ClassName,
    string FullName,
    LossKind Loss,
    Shape? Input,
    EquatableArray<LayerModel> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics,
    // The class name's location, for diagnostics about the class as a whole.
    LocationInfo? Location,
    // The C# version the class is compiled with: the generated half is compiled with it too.
    LanguageVersion LanguageVersion)
{
    /// <summary>False when a parse error means no code can be emitted (the analyzer reports why).</summary>
    public bool CanEmit
    {
        get
        {
            foreach (var d in Diagnostics) if (d.IsError) return false;
            return Input is not null && Layers.Count > 0;
        }
    }
}
