using Microsoft.CodeAnalysis.CSharp;
using System.Linq;
using NetGen.Generator.Helpers;

namespace NetGen.Generator.Model;

/// <summary>
/// Everything the generator knows about one [Network] class, as plain equatable data: no symbols, no syntax,
/// no Roslyn Locations (a test walks this graph to make sure), only <see cref="LocationInfo"/> records for the analyzer's
/// diagnostics, which the generator strips (<see cref="WithoutLocations"/>) before planning. Breaking value equality here
/// breaks incremental caching.
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
    /// <summary>
    /// The same network with every source position removed: what the generator plans from, so an edit that only moves
    /// the class in its file (a line typed above it) leaves the plan, the ops and the emitted file cached.
    /// </summary>
    public NetworkModel WithoutLocations() => this with
    {
        Location = null,
        Diagnostics = Diagnostics.Select(d => d with { Location = null }).ToEquatableArray(),
        Layers = Layers.Select(l => l with { Location = null }).ToEquatableArray(),
    };

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
