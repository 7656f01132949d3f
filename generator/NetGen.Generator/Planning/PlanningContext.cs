using System.Collections.Generic;
using NetGen.Generator.Model;

namespace NetGen.Generator.Planning;

/// <summary>What a layer's shape rule may consult and where it reports problems.</summary>
internal sealed class PlanningContext
{
    public PlanningContext(List<DiagnosticInfo> diagnostics, int layerCount, LossKind loss)
    {
        Diagnostics = diagnostics;
        LayerCount = layerCount;
        Loss = loss;
    }

    public List<DiagnosticInfo> Diagnostics { get; }
    public int LayerCount { get; }
    public LossKind Loss { get; }

    /// <summary>1-based position of the layer being planned.</summary>
    public int LayerIndex { get; set; }

    /// <summary>"Conv2D(20, 5) on 1×28×28 gives 20×24×24; MaxPool2D(2) gives 20×12×12": the trail so far, for messages.</summary>
    public List<string> ShapeTrail { get; } = new();

    public string Trail => ShapeTrail.Count == 0 ? "first layer" : string.Join("; ", ShapeTrail);

    public bool IsLast => LayerIndex == LayerCount;

    public void Report(DiagnosticInfo diagnostic) => Diagnostics.Add(diagnostic);
}
