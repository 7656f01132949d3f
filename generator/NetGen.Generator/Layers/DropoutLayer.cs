using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// [Dropout(rate)]: inverted dropout. Training: y = x ⊙ m with m = 0 (probability rate) or 1/(1 − rate), the mask
/// kept for backward; inference: the identity, so the next layer simply reads this layer's input.
/// Backward: dx = dy ⊙ m, with the derivative of the layer below folded into the same pass.
/// </summary>
internal sealed record DropoutLayer(double Rate, string? Name, LocationInfo? Location) : LayerModel(Name, Location)
{
    public override string Kind => "Dropout";
    public override bool FoldsDerivativeBelow => true;
    public override bool IsAliasInInference => true;

    public override string Describe() => $"Dropout({Literal.Number(Rate)})";

    // The rate changes training, not the parameter layout: a checkpoint moves freely between rates.
    public override string Signature => "Dropout";

    public static DropoutLayer Parse(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        double rate = reader.Double(0, 0);
        if (!(rate >= 0 && rate < 1))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutRateOutOfRange, location, Literal.Number(rate)));
        return new DropoutLayer(rate, reader.NamedString("Name"), location);
    }

    public override Shape? InferShape(Shape input, PlanningContext context) => input;

    /// <summary>The mask drawn in training: 0 or 1/(1 − rate) per element, kept for backward.</summary>
    private static Buffer Mask(LayerPlan plan) => plan.Own(BufferRole.Mask, plan.Output.Size);

    public override IEnumerable<Op> LowerForward(LayerPlan plan, bool training)
    {
        if (!training)
        {
            yield return new NoteOp("Identity at inference: the next layer reads this layer's input directly.");
            yield break;
        }
        yield return new DropoutOp(plan.Index, plan.TrainingSource, plan.OutputBuffer, Mask(plan), Rate);
    }

    public override IEnumerable<Op> LowerBackward(LayerPlan plan)
    {
        if (plan.InputGradient is not Buffer inputGradient) yield break;
        yield return new DropoutBackwardOp(plan.OutputGradient!.Value, Mask(plan), inputGradient, plan.Fold, plan.Output.Size);
    }

    public override OnnxOp LowerOnnx(LayerPlan plan) => new OnnxIdentityOp(plan.Name, Kind);
}
