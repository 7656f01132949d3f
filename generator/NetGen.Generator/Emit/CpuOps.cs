using System.Collections.Generic;
using System.Text;
using NetGen.Generator.Helpers;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// The CPU backend's translation of each typed op into C#. Per Dense op it chooses one of three forms:
/// <list type="bullet">
/// <item>straight-line scalar code: tiny layers, within a budget for the whole network;</item>
/// <item>a size-specialized kernel body: the layer's extents become a nested struct (<c>Extents.In784Out128</c>) whose
/// static <c>In</c>/<c>Out</c> the SIMD kernel takes as a type argument, so the JIT compiles that kernel for this one
/// shape with every loop bound a constant. Implementing static abstract members needs C# 11;</item>
/// <item>below C# 11, a call to the same kernel with the extents as literal arguments.</item>
/// </list>
/// Convolution, pooling and the elementwise ops are runtime kernel calls with literal extents.
/// Emitted code compiles from C# 7.3 on: typed locals (no var), global:: on every type.
/// </summary>
internal sealed class CpuOps
{
    /// <summary>Dense layers with at most this many weights are unrolled into scalar statements: no call, no loop over features.</summary>
    public const int UnrollLimit = 256;

    /// <summary>
    /// Unrolled weights allowed in one network, all layers together (each costs about 140 bytes of C#, so about 140 KB).
    /// Layers take from it in order; once it is spent, small layers call the kernels like large ones. Without it,
    /// 300 tiny layers emit 11 MB of C#.
    /// </summary>
    public const int UnrolledWeightBudget = 4 * UnrollLimit;

    /// <summary>The nested class holding the extents structs; a reserved member name (GeneratedMembers).</summary>
    public const string ExtentsClass = "Extents";

    private readonly HashSet<int> _unrolledLayers;
    private readonly bool _specializeExtents;
    // Stateful recurrent layers in order: layer index → its entry in the carried-state array.
    private readonly Dictionary<int, int> _statefulLayers;

    private CpuOps(HashSet<int> unrolledLayers, bool specializeExtents, Dictionary<int, int> statefulLayers)
    {
        _unrolledLayers = unrolledLayers;
        _specializeExtents = specializeExtents;
        _statefulLayers = statefulLayers;
    }

    /// <summary>The stateful recurrent layers' ops, in layer order: one carried state each.</summary>
    public static IEnumerable<RecurrentOp> StatefulLayers(IEnumerable<Op> forwardOps)
    {
        var seen = new HashSet<int>();
        foreach (var op in forwardOps)
            if (op is RecurrentOp { Stateful: true } recurrent && seen.Add(recurrent.Layer)) yield return recurrent;
    }

    /// <summary>
    /// Decides, in layer order, which Dense ops are unrolled: the same decision serves forward and backward. The rest get
    /// size-specialized kernels when <paramref name="specializeExtents"/> (the user's C# is 11 or later).
    /// </summary>
    public static CpuOps For(IEnumerable<Op> forwardOps, bool specializeExtents)
    {
        var unrolled = new HashSet<int>();
        int budget = UnrolledWeightBudget;
        foreach (var op in forwardOps)
        {
            if (op is not DenseOp dense || unrolled.Contains(dense.Layer)) continue;
            long weights = (long)dense.In * dense.Out;
            if (weights > UnrollLimit || weights > budget) continue;
            unrolled.Add(dense.Layer);
            budget -= (int)weights;
        }
        var stateful = new Dictionary<int, int>();
        foreach (var recurrent in StatefulLayers(forwardOps)) stateful[recurrent.Layer] = stateful.Count;
        return new CpuOps(unrolled, specializeExtents, stateful);
    }

    /// <summary>The nested struct carrying one shape: In784Out128 for 784 inputs and 128 outputs.</summary>
    private static string ExtentsName(int inputs, int outputs) => $"In{inputs}Out{outputs}";

    /// <summary>
    /// Declares one struct per distinct shape of the kernel-called Dense layers (nothing when none, or below C# 11).
    /// </summary>
    public void EmitExtents(CodeWriter w, IEnumerable<Op> forwardOps)
    {
        if (!_specializeExtents) return;
        var shapes = new List<(int In, int Out)>();
        foreach (var op in forwardOps)
            if (op is DenseOp dense && !_unrolledLayers.Contains(dense.Layer) && !shapes.Contains((dense.In, dense.Out)))
                shapes.Add((dense.In, dense.Out));
        if (shapes.Count == 0) return;
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Each Dense layer's extents as a type: the kernels take it as a type argument, and the JIT compiles them once per");
        w.Line("/// shape with In and Out as constants in every loop bound and row stride.");
        w.Line("/// </summary>");
        using (w.Block($"private static class {ExtentsClass}"))
            foreach (var (inputs, outputs) in shapes)
                w.Line($"internal struct {ExtentsName(inputs, outputs)} : global::NetGen.Kernels.IDenseExtents {{ public static int In => {Literal.Int(inputs)}; public static int Out => {Literal.Int(outputs)}; }}");
    }

    /// <summary>
    /// The kernel call's type arguments and extents: <c>&lt;TAct, Extents.In784Out128&gt;(…, batch</c> when specialized,
    /// else <c>&lt;TAct&gt;(…, batch, 784, 128</c>.
    /// </summary>
    private string DenseTypeArguments(string? activation, int inputs, int outputs)
    {
        string prefix = activation is null ? "" : activation + ", ";
        return _specializeExtents ? $"<{prefix}{ExtentsClass}.{ExtentsName(inputs, outputs)}>" : activation is null ? "" : $"<{activation}>";
    }

    private string DenseExtentArguments(int inputs, int outputs, int rows) =>
        _specializeExtents ? Rows(rows) : $"{Rows(rows)}, {Literal.Int(inputs)}, {Literal.Int(outputs)}";

    /// <summary>The row count of a per-row op: batch, or batch × steps when it applies to every step of a sequence.</summary>
    public static string Rows(int rowsPerSample) => rowsPerSample == 1 ? "batch" : $"batch * {Literal.Int(rowsPerSample)}";

    /// <summary>A recurrent layer's workspace, exactly as long as its kernel asks for this batch.</summary>
    private static string SequenceWorkspace(Buffer workspace, RecurrentGeometry g) =>
        $"new global::System.Span<float>({Workspace}.{workspace.Name}, 0, (int){WorkspaceSize(g, "batch")})";

    /// <summary>The kernel's own workspace size for a batch, as an expression: the arrays are sized by it, so they always fit.</summary>
    public static string WorkspaceSize(RecurrentGeometry g, string batch) =>
        $"global::NetGen.Kernels.{RecurrentKernels(g)}.WorkspaceSize({batch}, {Literal.Int(g.Steps)}, {Literal.Int(g.In)}, {Literal.Int(g.Hidden)})";

    private static string RecurrentKernels(RecurrentGeometry g) => g.Cell == RecurrentCell.Lstm ? "LstmKernels" : "SimpleRnnKernels";

    /// <summary>The kernel method with its type argument: LstmKernels.Forward, SimpleRnnKernels.Backward&lt;Tanh&gt;.</summary>
    private static string RecurrentMethod(RecurrentGeometry g, string method) =>
        $"global::NetGen.Kernels.{RecurrentKernels(g)}.{method}{(g.Cell == RecurrentCell.Simple ? $"<{g.Activation.KernelType()}>" : "")}";

    private static string RecurrentExtents(RecurrentGeometry g) =>
        $"batch, {Literal.Int(g.Steps)}, {Literal.Int(g.In)}, {Literal.Int(g.Hidden)}, {(g.ReturnSequences ? "true" : "false")}";

    /// <summary>The generated field holding the carried states of the stateful recurrent layers, by layer index.</summary>
    public const string RecurrentStates = "_recurrentStates";

    /// <summary>The parameter name the generated passes give the workspace they run on.</summary>
    public const string Workspace = "workspace";

    // Locals are declared with their types, not var: a type named var in the user's namespace would capture var.
    public const string FloatSpan = "global::System.Span<float>";
    public const string ReadOnlyFloatSpan = "global::System.ReadOnlySpan<float>";

    /// <summary>
    /// A span over a buffer's first batch × per-sample elements: the caller's spans are already exactly that long;
    /// workspace arrays are sized for the largest batch the workspace has served.
    /// </summary>
    public static string Span(Buffer buffer) => buffer.IsCaller
        ? buffer.Name
        : $"new global::System.Span<{(buffer.IsInt ? "int" : "float")}>({Workspace}.{buffer.Name}, 0, batch * {Literal.Int(buffer.PerSample)})";

    private static string Span(Buffer? buffer) => buffer is Buffer b ? Span(b) : "default";

    private static string Slice(string flat, ParameterSlice slice) =>
        slice.IsNone ? "default" : $"{flat}.Slice({Literal.Int(slice.Offset)}, {Literal.Int(slice.Count)})";

    private static string ConvExtents(ConvGeometry g) => string.Join(", ", Literal.Int(g.InChannels), Literal.Int(g.Height), Literal.Int(g.Width),
        Literal.Int(g.Filters), Literal.Int(g.KernelHeight), Literal.Int(g.KernelWidth), Literal.Int(g.Stride), Literal.Int(g.PadHeight),
        Literal.Int(g.PadWidth), Literal.Int(g.OutHeight), Literal.Int(g.OutWidth));

    private static string PoolExtents(PoolGeometry g) => string.Join(", ", Literal.Int(g.Channels), Literal.Int(g.Height), Literal.Int(g.Width),
        Literal.Int(g.Size), Literal.Int(g.Stride), Literal.Int(g.OutHeight), Literal.Int(g.OutWidth));

    private static string InitLimit(UniformInitOp op) => op.Init switch
    {
        InitKind.FanIn => $"global::NetGen.Kernels.Initializers.FanInLimit({Literal.Int(op.FanIn)})",
        InitKind.He => $"global::NetGen.Kernels.Initializers.HeLimit({Literal.Int(op.FanIn)})",
        _ => $"global::NetGen.Kernels.Initializers.GlorotLimit({Literal.Int(op.FanIn)}, {Literal.Int(op.FanOut)})",
    };

    /// <summary>Writes one op. <c>parameters</c>, <c>gradients</c>, <c>batch</c> and the workspace are in scope.</summary>
    public void Emit(CodeWriter w, Op op)
    {
        switch (op)
        {
            case NoteOp o:
                w.Line("// " + Literal.Comment(o.Text));
                break;
            case UniformInitOp o:
                w.Line($"global::NetGen.Kernels.Initializers.Uniform({Slice("parameters", o.Weights)}, {InitLimit(o)}, seed, {Literal.Int(o.Layer)});");
                break;
            case DenseOp o when _unrolledLayers.Contains(o.Layer):
                EmitDenseUnrolled(w, o);
                break;
            case DenseOp o:
                w.Line($"global::NetGen.Kernels.DenseKernels.Forward{DenseTypeArguments(o.Activation.KernelType(), o.In, o.Out)}({Span(o.Input)}, {Slice("parameters", o.Weights)}, {Slice("parameters", o.Bias)}, {Span(o.Output)}, {DenseExtentArguments(o.In, o.Out, o.Rows)}, {Literal.Float(o.Alpha)});");
                break;
            case SoftmaxRowsOp o:
                w.Line($"global::NetGen.Kernels.ElementwiseKernels.SoftmaxRows({Span(o.Buffer)}, {Rows(o.Rows)}, {Literal.Int(o.Columns)});");
                break;
            case UniformLimitInitOp o:
                w.Line($"global::NetGen.Kernels.Initializers.Uniform({Slice("parameters", o.Parameters)}, {Literal.Float(o.Limit)}, seed, {Literal.Int(o.Stream)});");
                break;
            case FillOp o:
                w.Line($"{Slice("parameters", o.Parameters)}.Fill({Literal.Float(o.Value)});");
                break;
            case EmbeddingOp o:
                w.Line($"global::NetGen.Kernels.EmbeddingKernels.Forward({Span(o.Tokens)}, {Slice("parameters", o.Weights)}, {Span(o.Output)}, {Literal.Int(o.Vocabulary)}, {Literal.Int(o.Dimension)});");
                break;
            case EmbeddingBackwardOp o:
                w.Line($"global::NetGen.Kernels.EmbeddingKernels.Backward({Span(o.Tokens)}, {Span(o.OutputGradient)}, {Slice("gradients", o.Weights)}, {Literal.Int(o.Vocabulary)}, {Literal.Int(o.Dimension)});");
                break;
            case RecurrentOp o:
                string state = o.Stateful ? $", {RecurrentStates}[{Literal.Int(_statefulLayers[o.Layer])}].For(batch)" : "";
                w.Line($"{RecurrentMethod(o.Geometry, "Forward")}({Span(o.Input)}, {Slice("parameters", o.Parameters)}, {Span(o.Output)}, {SequenceWorkspace(o.Workspace, o.Geometry)}, {RecurrentExtents(o.Geometry)}{state});");
                break;
            case RecurrentBackwardOp o:
                w.Line($"{RecurrentMethod(o.Geometry, "Backward")}({Span(o.OutputGradient)}, {Slice("parameters", o.Parameters)}, {Slice("gradients", o.Parameters)}, {Span(o.InputGradient)}, {SequenceWorkspace(o.Workspace, o.Geometry)}, {RecurrentExtents(o.Geometry)});");
                // The kernel computes the weight gradients with dX in one pass; a frozen layer's read zero.
                if (!o.ComputeParameterGradients) w.Line($"{Slice("gradients", o.Parameters)}.Clear();");
                else using (w.Block($"if (!_layers[{Literal.Int(o.Layer - 1)}].Trainable)")) w.Line($"{Slice("gradients", o.Parameters)}.Clear();");
                break;
            case ConvOp o:
                w.Line($"global::NetGen.Kernels.ConvKernels.Forward<{o.Activation.KernelType()}>({Span(o.Input)}, {Slice("parameters", o.Weights)}, {Slice("parameters", o.Bias)}, {Span(o.Output)}, {Span(o.Columns)}, batch, {ConvExtents(o.Geometry)}, {Literal.Float(o.Alpha)});");
                break;
            case MaxPoolOp o:
                w.Line($"global::NetGen.Kernels.PoolKernels.MaxForward({Span(o.Input)}, {Span(o.Output)}, {Span(o.Argmax)}, batch, {PoolExtents(o.Geometry)});");
                break;
            case AvgPoolOp o:
                w.Line($"global::NetGen.Kernels.PoolKernels.AverageForward({Span(o.Input)}, {Span(o.Output)}, batch, {PoolExtents(o.Geometry)});");
                break;
            case DropoutOp o:
                w.Line($"global::NetGen.Kernels.DropoutKernels.Forward({Span(o.Input)}, {Span(o.Output)}, {Span(o.Mask)}, {Literal.Float(o.Rate)}, _dropoutKey + {Literal.Int(o.Layer)}UL, _trainingStep);");
                break;
            case CopyOp o:
                w.Line($"{Span(o.Source)}.CopyTo({Span(o.Destination)});");
                break;
            case GaussianNoiseOp o:
                w.Line($"global::NetGen.Kernels.NoiseKernels.Gaussian({Span(o.Input)}, {Span(o.Output)}, {Literal.Float(o.StdDev)}, _dropoutKey + {Literal.Int(o.Layer)}UL, _trainingStep);");
                break;
            case MaskingNoiseOp o:
                w.Line($"global::NetGen.Kernels.NoiseKernels.Masking({Span(o.Input)}, {Span(o.Output)}, {Span(o.Mask)}, {Literal.Float(o.Rate)}, _dropoutKey + {Literal.Int(o.Layer)}UL, _trainingStep);");
                break;
            case PassGradientOp o:
                w.Line($"global::NetGen.Kernels.NoiseKernels.PassGradient<{o.Fold.Activation.KernelType()}>({Span(o.OutputGradient)}, {Span(o.Fold.Below)}, {Span(o.InputGradient)}, {Literal.Float(o.Fold.Alpha)});");
                break;
            case WhenTrainableOp o:
                using (w.Block($"if (_layers[{Literal.Int(o.Layer - 1)}].Trainable)")) Emit(w, o.Inner);
                break;
            case ActivationDerivativeOp o:
                w.Line($"global::NetGen.Kernels.ElementwiseKernels.MultiplyByDerivative<{o.Activation.KernelType()}>({Span(o.Activations)}, {Span(o.Gradient)}, {Literal.Float(o.Alpha)});");
                break;
            case DenseBackwardOp o when _unrolledLayers.Contains(o.Layer):
                EmitDenseBackwardUnrolled(w, o);
                break;
            case DenseBackwardOp o:
                if (o.ComputeParameterGradients)
                    w.Line($"global::NetGen.Kernels.DenseKernels.BackwardWeights{DenseTypeArguments(null, o.In, o.Out)}({Span(o.OutputGradient)}, {Span(o.Input)}, {Slice("gradients", o.Weights)}, {Slice("gradients", o.Bias)}, {DenseExtentArguments(o.In, o.Out, o.Rows)});");
                if (o.InputGradient is Buffer dx)
                    w.Line($"global::NetGen.Kernels.DenseKernels.BackwardInput{DenseTypeArguments(o.Fold.Activation.KernelType(), o.In, o.Out)}({Span(o.OutputGradient)}, {Slice("parameters", o.Weights)}, {Span(o.Fold.Below)}, {Span(dx)}, {DenseExtentArguments(o.In, o.Out, o.Rows)}, {Literal.Float(o.Fold.Alpha)});");
                break;
            case ConvBackwardOp o:
                var g = o.Geometry;
                if (o.ComputeParameterGradients)
                    w.Line($"global::NetGen.Kernels.ConvKernels.BackwardWeights({Span(o.OutputGradient)}, {Span(o.Columns)}, {Slice("gradients", o.Weights)}, {Slice("gradients", o.Bias)}, batch, {Literal.Int(g.Filters)}, {Literal.Int(g.PatchSize)}, {Literal.Int(g.OutPositions)});");
                if (o.InputGradient is Buffer cdx)
                {
                    w.Line("// The columns are done with once dW is computed: they now receive Wᵀ·dZ before col2im.");
                    w.Line($"global::NetGen.Kernels.ConvKernels.BackwardInput<{o.Fold.Activation.KernelType()}>({Span(o.OutputGradient)}, {Slice("parameters", o.Weights)}, {Span(o.Fold.Below)}, {Span(cdx)}, {Span(o.Columns)}, batch, {ConvExtents(g)}, {Literal.Float(o.Fold.Alpha)});");
                }
                break;
            case MaxPoolBackwardOp o:
                w.Line($"global::NetGen.Kernels.PoolKernels.MaxBackward<{o.Fold.Activation.KernelType()}>({Span(o.OutputGradient)}, {Span(o.Argmax)}, {Span(o.Fold.Below)}, {Span(o.InputGradient)}, batch, {PoolExtents(o.Geometry)}, {Literal.Float(o.Fold.Alpha)});");
                break;
            case AvgPoolBackwardOp o:
                w.Line($"global::NetGen.Kernels.PoolKernels.AverageBackward<{o.Fold.Activation.KernelType()}>({Span(o.OutputGradient)}, {Span(o.Fold.Below)}, {Span(o.InputGradient)}, batch, {PoolExtents(o.Geometry)}, {Literal.Float(o.Fold.Alpha)});");
                break;
            case DropoutBackwardOp o:
                w.Line($"global::NetGen.Kernels.ElementwiseKernels.MultiplyByMaskAndDerivative<{o.Fold.Activation.KernelType()}>({Span(o.OutputGradient)}, {Span(o.Mask)}, {Span(o.Fold.Below)}, {Span(o.InputGradient)}, {Literal.Float(o.Fold.Alpha)});");
                break;
            default:
                throw new System.NotSupportedException($"The CPU backend has no emission for {op.GetType().Name}.");
        }
    }

    /// <summary>The fused loss call: returns the batch's mean loss and writes dL/dz; <paramref name="targets"/> is "targets" or "labels".</summary>
    public static string LossExpression(LossOp o, string targets)
    {
        string output = Span(o.Output), gradient = Span(o.Gradient), size = Literal.Int(o.Size), rows = Rows(o.Rows);
        return o.Fusion switch
        {
            LossFusion.SoftmaxCrossEntropy => $"global::NetGen.Kernels.LossKernels.SoftmaxCrossEntropy({output}, {targets}, {gradient}, {rows}, {size})",
            LossFusion.SigmoidBinaryCrossEntropy => $"global::NetGen.Kernels.LossKernels.SigmoidBinaryCrossEntropy({output}, {targets}, {gradient}, {rows}, {size})",
            LossFusion.SoftmaxMeanSquaredError => $"global::NetGen.Kernels.LossKernels.SoftmaxMeanSquaredError({output}, {targets}, {gradient}, {rows}, {size})",
            _ => $"global::NetGen.Kernels.LossKernels.MeanSquaredError<{o.Activation.KernelType()}>({output}, {targets}, {gradient}, {rows}, {size}, {Literal.Float(o.Alpha)})",
        };
    }

    private static void EmitDenseUnrolled(CodeWriter w, DenseOp o)
    {
        bool identity = o.Activation == ActivationKind.Identity;
        string activation = o.Activation.KernelType(), alpha = Literal.Float(o.Alpha);
        w.Line($"// {Literal.Int(o.Weights.Count)} weights: unrolled into scalar code.");
        using (w.Braces())
        {
            w.Line($"{ReadOnlyFloatSpan} source = {Span(o.Input)};");
            w.Line($"{FloatSpan} destination = {Span(o.Output)};");
            using (w.Block($"for (int n = 0; n < {Rows(o.Rows)}; n++)"))
            {
                w.Line($"{ReadOnlyFloatSpan} x = source.Slice(n * {Literal.Int(o.In)}, {Literal.Int(o.In)});");
                w.Line($"{FloatSpan} y = destination.Slice(n * {Literal.Int(o.Out)}, {Literal.Int(o.Out)});");
                for (int j = 0; j < o.Out; j++)
                {
                    var sum = new StringBuilder();
                    if (!o.Bias.IsNone) sum.Append($"parameters[{Literal.Int(o.Bias.Offset + j)}]");
                    for (int i = 0; i < o.In; i++)
                    {
                        if (sum.Length > 0) sum.Append(" + ");
                        sum.Append($"parameters[{Literal.Int(o.Weights.Offset + j * o.In + i)}] * x[{Literal.Int(i)}]");
                    }
                    w.Line(identity ? $"y[{j}] = {sum};" : $"y[{j}] = {activation}.Apply({sum}, {alpha});");
                }
            }
        }
    }

    private static void EmitDenseBackwardUnrolled(CodeWriter w, DenseBackwardOp o)
    {
        int inputs = o.In, units = o.Out;
        bool weights = o.ComputeParameterGradients, inputGradient = o.InputGradient is not null;
        if (!weights && !inputGradient) return;
        bool folds = o.Fold.Activation.HasElementwiseDerivative();
        string fold = o.Fold.Activation.KernelType(), belowAlpha = Literal.Float(o.Fold.Alpha);
        using (w.Braces())
        {
            w.Line($"{ReadOnlyFloatSpan} outputGradient = {Span(o.OutputGradient)};");
            if (weights)
            {
                w.Line($"{ReadOnlyFloatSpan} source = {Span(o.Input)};");
                w.Line($"gradients.Slice({Literal.Int(o.Weights.Offset)}, {Literal.Int(o.Weights.Count + o.Bias.Count)}).Clear();");
            }
            if (inputGradient) w.Line($"{FloatSpan} inputGradient = {Span(o.InputGradient!.Value)};");
            if (folds) w.Line($"{ReadOnlyFloatSpan} below = {Span(o.Fold.Below)};");
            using (w.Block($"for (int n = 0; n < {Rows(o.Rows)}; n++)"))
            {
                w.Line($"{ReadOnlyFloatSpan} dz = outputGradient.Slice(n * {Literal.Int(units)}, {Literal.Int(units)});");
                if (weights)
                {
                    w.Line($"{ReadOnlyFloatSpan} x = source.Slice(n * {Literal.Int(inputs)}, {Literal.Int(inputs)});");
                    w.Line("// dW[j, i] += dz[j]·x[i]; db[j] += dz[j]");
                    for (int j = 0; j < units; j++)
                    {
                        var line = new StringBuilder();
                        for (int i = 0; i < inputs; i++)
                            line.Append($"gradients[{Literal.Int(o.Weights.Offset + j * inputs + i)}] += dz[{j}] * x[{i}]; ");
                        if (!o.Bias.IsNone) line.Append($"gradients[{Literal.Int(o.Bias.Offset + j)}] += dz[{j}];");
                        w.Line(line.ToString().TrimEnd());
                    }
                }
                if (inputGradient)
                {
                    w.Line($"{FloatSpan} dx = inputGradient.Slice(n * {Literal.Int(inputs)}, {Literal.Int(inputs)});");
                    if (folds) w.Line($"{ReadOnlyFloatSpan} y = below.Slice(n * {Literal.Int(inputs)}, {Literal.Int(inputs)});");
                    w.Line(folds ? $"// dx[i] = Σ_j dz[j]·W[j, i], times {o.Fold.Activation}'(y[i]) of the layer below" : "// dx[i] = Σ_j dz[j]·W[j, i]");
                    for (int i = 0; i < inputs; i++)
                    {
                        var sum = new StringBuilder();
                        for (int j = 0; j < units; j++)
                        {
                            if (j > 0) sum.Append(" + ");
                            sum.Append($"dz[{j}] * parameters[{Literal.Int(o.Weights.Offset + j * inputs + i)}]");
                        }
                        w.Line(folds ? $"dx[{i}] = ({sum}) * {fold}.Derivative(y[{i}], {belowAlpha});" : $"dx[{i}] = {sum};");
                    }
                }
            }
        }
    }
}
