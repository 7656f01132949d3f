using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
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

    private static string Argmax(LayerPlan plan) => "_arg" + plan.Suffix;

    public override EquatableWorkspace[] ExtraWorkspace(LayerPlan plan) =>
        Pool == PoolKind.Max ? new[] { new EquatableWorkspace(Argmax(plan), plan.Output.Size, "argmax positions", IsInt: true) } : System.Array.Empty<EquatableWorkspace>();

    /// <summary>The literal extents every kernel call takes: C, H, W, size, stride, oH, oW.</summary>
    private string Extents(LayerPlan plan) =>
        string.Join(", ", Literal.Int(plan.Input.Channels), Literal.Int(plan.Input.Height), Literal.Int(plan.Input.Width), Literal.Int(Size),
            Literal.Int(EffectiveStride), Literal.Int(plan.Output.Height), Literal.Int(plan.Output.Width));

    public override void EmitForward(CodeWriter w, LayerPlan plan, bool training)
    {
        string source = Buffers.Span(training ? plan.TrainingSource : plan.InferenceSource, plan.Input.Size);
        string destination = Buffers.Span(training ? plan.OutputBuffer : plan.InferenceOutput, plan.Output.Size);
        if (Pool == PoolKind.Max)
        {
            string argmax = training ? Buffers.IntSpan(Argmax(plan), plan.Output.Size) : "default";
            w.Line($"global::NetGen.Kernels.PoolKernels.MaxForward({source}, {destination}, {argmax}, batch, {Extents(plan)});");
        }
        else w.Line($"global::NetGen.Kernels.PoolKernels.AverageForward({source}, {destination}, batch, {Extents(plan)});");
    }

    public override void EmitBackward(CodeWriter w, LayerPlan plan)
    {
        if (plan.InputGradient is null) return;
        string outputGradient = Buffers.Span(plan.OutputGradient!, plan.Output.Size);
        string below = plan.BelowBuffer is null ? "default" : Buffers.Span(plan.BelowBuffer, plan.Input.Size);
        string inputGradient = Buffers.Span(plan.InputGradient, plan.Input.Size);
        string fold = plan.FoldBelow.KernelType(), alpha = Literal.Float(plan.BelowAlpha);
        if (Pool == PoolKind.Max)
            w.Line($"global::NetGen.Kernels.PoolKernels.MaxBackward<{fold}>({outputGradient}, {Buffers.IntSpan(Argmax(plan), plan.Output.Size)}, {below}, {inputGradient}, batch, {Extents(plan)}, {alpha});");
        else
            w.Line($"global::NetGen.Kernels.PoolKernels.AverageBackward<{fold}>({outputGradient}, {below}, {inputGradient}, batch, {Extents(plan)}, {alpha});");
    }
}
