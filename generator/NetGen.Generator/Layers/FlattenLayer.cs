using System.Collections.Generic;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// [Flatten]: C×H×W → C·H·W in C, H, W order (PyTorch's flatten(1)). NCHW activations are already laid out
/// that way, so Flatten costs nothing: it re-labels its input array, forward and backward.
/// </summary>
internal sealed record FlattenLayer(string? Name, LocationInfo? Location) : LayerModel(Name, Location)
{
    public override string Kind => "Flatten";
    public override bool IsAliasInTraining => true;

    public override string Describe() => "Flatten";

    public static FlattenLayer Parse(AttributeReader reader, LocationInfo? location) => new(reader.NamedString("Name"), location);

    public override Shape? InferShape(Shape input, PlanningContext context) => Shape.Vector(input.Size);

    public override IEnumerable<Op> LowerForward(LayerPlan plan, bool training) =>
        new Op[] { new NoteOp("Nothing to do: NCHW data is already in C×H×W order.") };

    public override OnnxOp LowerOnnx(LayerPlan plan) => new OnnxFlattenOp(plan.Name);
}
