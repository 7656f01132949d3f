using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// [GaussianNoise(stddev)] and [MaskingNoise(rate)]: input corruption while training, the identity at inference (the next
/// layer then reads this layer's input, as after Dropout). Draws come from (seed, layer, training step), so a step replays.
/// Gaussian: y = x + stddev·ε; backward dx = dy (the noise does not depend on x), the derivative below folded in.
/// Masking: y = x ⊙ m, m ∈ {0, 1} with P(0) = rate, kept for backward; dx = dy ⊙ m, the derivative below folded in.
/// </summary>
internal sealed record NoiseLayer(bool IsGaussian, double Amount, string? Name, LocationInfo? Location) : LayerModel(Name, Location)
{
    public override string Kind => IsGaussian ? "GaussianNoise" : "MaskingNoise";
    public override bool FoldsDerivativeBelow => true;
    public override bool IsAliasInInference => true;

    public override string Describe() => $"{Kind}({Literal.Number(Amount)})";

    // The amount changes training, not the parameter layout: a checkpoint moves freely between amounts.
    public override string Signature => Kind;

    public static NoiseLayer ParseGaussian(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        double stddev = reader.Double(0, 0);
        if (!(stddev >= 0 && stddev <= float.MaxValue))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoiseOutOfRange, location, "GaussianNoise", "the standard deviation", "be finite and ≥ 0", Literal.Number(stddev)));
        return new NoiseLayer(true, stddev, reader.NamedString("Name"), location);
    }

    public static NoiseLayer ParseMasking(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        double rate = reader.Double(0, 0);
        if (!(rate >= 0 && rate < 1))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoiseOutOfRange, location, "MaskingNoise", "the rate", "lie in [0, 1)", Literal.Number(rate)));
        return new NoiseLayer(false, rate, reader.NamedString("Name"), location);
    }

    public override Shape? InferShape(Shape input, PlanningContext context) => input;

    /// <summary>Masking's mask: 0 or 1 per element, kept for backward.</summary>
    private static Buffer Mask(LayerPlan plan) => plan.Own(BufferRole.Mask, plan.Output.Size);

    public override IEnumerable<Op> LowerForward(LayerPlan plan, bool training)
    {
        if (!training)
        {
            yield return new NoteOp("Identity at inference: the next layer reads this layer's input directly.");
            yield break;
        }
        if (IsGaussian) yield return new GaussianNoiseOp(plan.Index, plan.TrainingSource, plan.OutputBuffer, Amount);
        else yield return new MaskingNoiseOp(plan.Index, plan.TrainingSource, plan.OutputBuffer, Mask(plan), Amount);
    }

    public override IEnumerable<Op> LowerBackward(LayerPlan plan)
    {
        if (plan.InputGradient is not Buffer inputGradient) yield break;
        if (IsGaussian) yield return new PassGradientOp(plan.OutputGradient!.Value, inputGradient, plan.Fold);
        else yield return new DropoutBackwardOp(plan.OutputGradient!.Value, Mask(plan), inputGradient, plan.Fold, plan.Output.Size);
    }

    public override OnnxOp LowerOnnx(LayerPlan plan) => new OnnxIdentityOp(plan.Name, Kind);
}
