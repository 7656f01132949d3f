using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

internal enum PoolKind { Max, Average }

/// <summary>
/// [MaxPool2D(size)] and [AvgPool2D(size)]: each channel's size×size windows, stride s (default size), no padding,
/// output = floor((H − size)/s) + 1 per axis (PyTorch's floor semantics). No parameters.
/// Max: y = the window's maximum (first one on ties); training records its position in an int[] workspace so
/// backward scatters dy there. Average: y = the window's mean; backward spreads dy/size² over the window.
/// Both fold the derivative of the layer below into that scatter (only touched positions are non-zero).
/// </summary>
internal sealed record Pool2DLayer(PoolKind Pool, int Size, int Stride, string? Name, LocationInfo? Location) : LayerModel(Name, Location)
{
    public override string Kind => Pool == PoolKind.Max ? "MaxPool2D" : "AvgPool2D";
    public override bool FoldsDerivativeBelow => true;

    private int EffectiveStride => Stride == 0 ? Size : Stride;

    public override string Describe() => Stride == 0 || Stride == Size ? $"{Kind}({Size})" : $"{Kind}({Size}, stride {Stride})";

    public override string Signature => Pool == PoolKind.Max ? $"MaxPool2D({Size},{EffectiveStride})" : $"AvgPool2D({Size},{EffectiveStride})";

    public static Pool2DLayer Parse(PoolKind pool, AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        int size = reader.Int(0, 0);
        int stride = reader.NamedInt("Stride", 0);
        string? name = reader.NamedString("Name");
        string what = (pool == PoolKind.Max ? "MaxPool2D" : "AvgPool2D") + (name is null ? $"({size})" : $" '{name}'");
        if (size <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the pool size", size));
        if (stride < 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the stride (0 means the pool size)", stride));
        return new Pool2DLayer(pool, size, stride, name, location);
    }

    public override Shape? InferShape(Shape input, PlanningContext context)
    {
        if (Size <= 0 || Stride < 0) return null; // already reported
        var size = SpatialShape.Infer(Describe(), input, Size, Size, EffectiveStride, 0, 0, kernelErrorIsOutputError: true, Location, context);
        return size is (int height, int width) ? Shape.Image(input.Channels, height, width) : null;
    }

    /// <summary>Comparisons (max) or additions (average) per output: size², counted like FLOPs.</summary>
    public override long ForwardFlops(Shape input, Shape output) => (long)output.Size * Size * Size;

    private PoolGeometry Geometry(LayerPlan plan) =>
        new(plan.Input.Channels, plan.Input.Height, plan.Input.Width, Size, EffectiveStride, plan.Output.Height, plan.Output.Width);

    /// <summary>Where each max came from, recorded in training for the backward scatter.</summary>
    private static Buffer Argmax(LayerPlan plan) => plan.Own(BufferRole.Argmax, plan.Output.Size);

    public override IEnumerable<Op> LowerForward(LayerPlan plan, bool training)
    {
        var source = training ? plan.TrainingSource : plan.InferenceSource;
        var destination = training ? plan.OutputBuffer : plan.InferenceOutput;
        yield return Pool == PoolKind.Max
            ? new MaxPoolOp(source, destination, training ? Argmax(plan) : null, Geometry(plan))
            : new AvgPoolOp(source, destination, Geometry(plan));
    }

    public override IEnumerable<Op> LowerBackward(LayerPlan plan)
    {
        if (plan.InputGradient is not Buffer inputGradient) yield break;
        yield return Pool == PoolKind.Max
            ? new MaxPoolBackwardOp(plan.OutputGradient!.Value, Argmax(plan), inputGradient, plan.Fold, Geometry(plan))
            : new AvgPoolBackwardOp(plan.OutputGradient!.Value, inputGradient, plan.Fold, Geometry(plan));
    }

    public override OnnxOp LowerOnnx(LayerPlan plan) => new OnnxPoolOp(plan.Name, Pool == PoolKind.Max, Size, EffectiveStride);
}
