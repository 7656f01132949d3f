using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// [Conv2D(filters, kernel)]: y[o, i, j] = f(b[o] + Σ_c Σ_u Σ_v W[o, c, u, v] · x[c, i·s + u − p, j·s + v − p]), zero padding.
/// Parameters: W [outC, inC, kH, kW], then b [outC] (PyTorch's nn.Conv2d). Output = floor((H + 2p − kH)/s) + 1 per axis.
/// Forward: im2col of each sample into the columns workspace [inC·kH·kW, oH·oW], then one register-blocked GEMM
/// W·columns with bias and activation fused into its epilogue.
/// Backward: dW = Σ_n dZ_n · columns_nᵀ, db = Σ dZ; dX = col2im(Wᵀ · dZ_n) with the derivative of the layer below
/// folded in. The columns of a sample are reused as its dcolumns once dW is done.
/// </summary>
internal sealed record Conv2DLayer(
    int Filters,
    int KernelHeight,
    int KernelWidth,
    int Stride,
    int Padding,
    ActivationKind ActivationKind,
    InitKind Init,
    bool HasBias,
    double AlphaValue,
    bool IsTrainable,
    string? Name,
    LocationInfo? Location) : LayerModel(Name, Location)
{
    /// <summary>NetGen.Padding.Same (the runtime's constant, linked in).</summary>
    public const int SamePadding = Runtime.Padding.Same;

    public override string Kind => "Conv2D";
    public override ActivationKind Activation => ActivationKind;
    public override double Alpha => AlphaValue;
    public override bool Trainable => IsTrainable;
    public override bool FoldsDerivativeBelow => true;

    /// <summary>Zero padding above and below (Same: (kH − 1)/2).</summary>
    public int PadHeight => Padding == SamePadding ? (KernelHeight - 1) / 2 : Padding;
    /// <summary>Zero padding left and right (Same: (kW − 1)/2).</summary>
    public int PadWidth => Padding == SamePadding ? (KernelWidth - 1) / 2 : Padding;

    private string KernelText => KernelHeight == KernelWidth ? Literal.Int(KernelHeight) : $"{KernelHeight}×{KernelWidth}";

    public override string Describe()
    {
        string stride = Stride != 1 ? $", stride {Stride}" : "";
        string padding = Padding == SamePadding ? ", padding Same" : Padding != 0 ? $", padding {Padding}" : "";
        string activation = ActivationKind == ActivationKind.Identity ? "" : $", {ActivationKind}";
        return $"Conv2D({Filters}, {KernelText}{stride}{padding}{activation})";
    }

    public override string Signature =>
        $"Conv2D({Filters},{KernelHeight}x{KernelWidth},s{Stride},p{PadHeight}x{PadWidth},{ActivationKind}{(ActivationKind.UsesAlpha() ? "," + Literal.Float(AlphaValue) : "")}{(HasBias ? "" : ",nobias")})";

    public static Conv2DLayer Parse(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        int filters = reader.Int(0, 0);
        int kernel = reader.Int(1, 0);
        int kernelHeight = reader.NamedInt("KernelHeight", 0), kernelWidth = reader.NamedInt("KernelWidth", 0);
        if (kernelHeight == 0) kernelHeight = kernel;
        if (kernelWidth == 0) kernelWidth = kernel;
        int stride = reader.NamedInt("Stride", 1);
        int padding = reader.NamedInt("Padding", 0);
        var activation = (ActivationKind)reader.NamedInt("Activation", 0);
        string? name = reader.NamedString("Name");
        string what = name is null ? $"Conv2D({filters}, {kernel})" : $"Conv2D '{name}'";

        if (filters <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the filter count", filters));
        if (kernelHeight <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the kernel height", kernelHeight));
        if (kernelWidth <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the kernel width", kernelWidth));
        if (stride <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the stride", stride));
        if (padding < SamePadding)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, what, $"Padding must be a pixel count ≥ 0 or Padding.Same, but is {padding}"));
        else if (padding == SamePadding && (stride != 1 || kernelHeight % 2 == 0 || kernelWidth % 2 == 0))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SamePaddingUnsupported, location, what, kernelHeight, kernelWidth, stride));

        activation = WeightedLayerOptions.Activation(activation, what, location, diagnostics);
        if (activation == ActivationKind.Softmax)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, what, "Softmax is not supported on Conv2D; put it on a final Dense layer"));
            activation = ActivationKind.Identity;
        }

        var init = WeightedLayerOptions.Init(reader, what, location, diagnostics);
        double alpha = WeightedLayerOptions.Alpha(reader, activation, what, location, diagnostics);
        return new Conv2DLayer(filters, kernelHeight, kernelWidth, stride, padding, activation, init, reader.NamedBool("Bias", true), alpha,
            reader.NamedBool("Trainable", true), name, location);
    }

    public override Shape? InferShape(Shape input, PlanningContext context)
    {
        if (Padding == SamePadding && (Stride != 1 || KernelHeight % 2 == 0 || KernelWidth % 2 == 0)) return null; // NG0025, reported by Parse
        if (Filters <= 0 || KernelHeight <= 0 || KernelWidth <= 0 || Stride <= 0 || Padding < SamePadding) return null; // reported by Parse
        var size = SpatialShape.Infer(Describe(), input, KernelHeight, KernelWidth, Stride, PadHeight, PadWidth, kernelErrorIsOutputError: false, Location, context);
        return size is (int height, int width) ? Shape.Image(Filters, height, width) : null;
    }

    // The planner sizes parameters and workspaces in 64 bits before it knows they fit (NG0014 otherwise); emission,
    // which runs only after that check, uses the int.
    private static long PatchSizeLong(Shape input, Conv2DLayer layer) => (long)input.Channels * layer.KernelHeight * layer.KernelWidth;
    private static int PatchSize(Shape input, Conv2DLayer layer) => (int)PatchSizeLong(input, layer);

    public override long ParameterCount(Shape input) => Filters * PatchSizeLong(input, this) + (HasBias ? Filters : 0);

    public override long ForwardFlops(Shape input, Shape output) => 2L * Filters * output.Height * output.Width * PatchSizeLong(input, this);

    private int WeightCount(LayerPlan plan) => Filters * PatchSize(plan.Input, this);
    private static ParameterSlice Weights(LayerPlan plan, int count) => new(plan.ParameterOffset, count);
    private ParameterSlice Biases(LayerPlan plan) => HasBias ? new(plan.ParameterOffset + WeightCount(plan), Filters) : ParameterSlice.None;

    public override long ExtraWorkspacePerSample(Shape input, Shape output) => PatchSizeLong(input, this) * output.Height * output.Width;

    private ConvGeometry Geometry(LayerPlan plan) => new(plan.Input.Channels, plan.Input.Height, plan.Input.Width, Filters,
        KernelHeight, KernelWidth, Stride, PadHeight, PadWidth, plan.Output.Height, plan.Output.Width);

    /// <summary>im2col columns: one patch per output position, kept from forward for dW and reused for dX.</summary>
    private Buffer Columns(LayerPlan plan) => plan.Own(BufferRole.Columns, Geometry(plan).PatchSize * Geometry(plan).OutPositions);

    public override IEnumerable<Op> LowerInit(LayerPlan plan)
    {
        int fanIn = PatchSize(plan.Input, this), fanOut = Filters * KernelHeight * KernelWidth;
        var init = WeightedLayerOptions.Resolve(Init, ActivationKind);
        yield return new NoteOp($"{plan.Name}: W ~ U[±limit], {init} limit (fan-in inC·kH·kW = {Literal.Int(fanIn)}, fan-out outC·kH·kW = {Literal.Int(fanOut)}); biases start at zero.");
        yield return new UniformInitOp(plan.Index, Weights(plan, WeightCount(plan)), init, fanIn, fanOut);
    }

    public override IEnumerable<Op> LowerForward(LayerPlan plan, bool training)
    {
        yield return new ConvOp(training ? plan.TrainingSource : plan.InferenceSource, training ? plan.OutputBuffer : plan.InferenceOutput,
            Columns(plan), Weights(plan, WeightCount(plan)), Biases(plan), Geometry(plan), ActivationKind, AlphaValue);
    }

    public override IEnumerable<Op> LowerBackward(LayerPlan plan)
    {
        var outputGradient = plan.OutputGradient!.Value;
        if (plan.AppliesOwnDerivative)
            yield return new ActivationDerivativeOp(plan.OutputBuffer, outputGradient, ActivationKind, AlphaValue);
        // dW, db only while the layer is trainable at run time, and before dX: dX reuses the columns dW reads.
        if (plan.ComputesParameterGradients)
            yield return new WhenTrainableOp(plan.Index, new ConvBackwardOp(outputGradient, Columns(plan), Weights(plan, WeightCount(plan)), Biases(plan),
                true, null, Fold.None, Geometry(plan)));
        if (plan.InputGradient is not null)
            yield return new ConvBackwardOp(outputGradient, Columns(plan), Weights(plan, WeightCount(plan)), Biases(plan),
                false, plan.InputGradient, plan.Fold, Geometry(plan));
    }

    public override OnnxOp LowerOnnx(LayerPlan plan) =>
        new OnnxConvOp(plan.Name, Geometry(plan), Weights(plan, WeightCount(plan)), Biases(plan), ActivationKind, AlphaValue);
}
