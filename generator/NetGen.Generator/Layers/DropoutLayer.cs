using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
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

    private static string Mask(LayerPlan plan) => "_m" + plan.Suffix;

    public override EquatableWorkspace[] ExtraWorkspace(LayerPlan plan) => new[] { new EquatableWorkspace(Mask(plan), plan.Output.Size, "mask (0 or 1/(1 − rate))") };

    public override void EmitForward(CodeWriter w, LayerPlan plan, bool training)
    {
        if (!training)
        {
            w.Line("// Identity at inference: the next layer reads this layer's input directly.");
            return;
        }
        int size = plan.Output.Size;
        w.Line($"global::NetGen.Kernels.DropoutKernels.Forward({Buffers.Span(plan.TrainingSource, size)}, {Buffers.Span(plan.OutputBuffer, size)}, {Buffers.Span(Mask(plan), size)}, {Literal.Float(Rate)}, _dropoutKey + {Literal.Int(plan.Index)}UL, _trainingStep);");
    }

    public override void EmitBackward(CodeWriter w, LayerPlan plan)
    {
        if (plan.InputGradient is null) return;
        int size = plan.Output.Size;
        string below = plan.BelowBuffer is null ? "default" : Buffers.Span(plan.BelowBuffer, size);
        w.Line($"global::NetGen.Kernels.ElementwiseKernels.MultiplyByMaskAndDerivative<{plan.FoldBelow.KernelType()}>({Buffers.Span(plan.OutputGradient!, size)}, {Buffers.Span(Mask(plan), size)}, {below}, {Buffers.Span(plan.InputGradient, size)}, {Literal.Float(plan.BelowAlpha)});");
    }
}
