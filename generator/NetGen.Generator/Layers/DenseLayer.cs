using System.Collections.Generic;
using System.Text;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// [Dense(units, activation)]: y = f(W·x + b).
/// Parameters: W [units, inputs] row-major, then b [units] (PyTorch's nn.Linear). An image input is read flat in C×H×W order.
/// Forward: one fused kernel call (matmul, bias, activation), or straight-line scalar code for tiny layers.
/// Backward: dW = dZᵀ·X, db = Σ dZ, dX = dZ·W with the derivative of the layer below folded into the same pass.
/// </summary>
internal sealed record DenseLayer(
    int Units,
    ActivationKind ActivationKind,
    InitKind Init,
    bool HasBias,
    double AlphaValue,
    bool IsTrainable,
    string? Name,
    LocationInfo? Location) : LayerModel(Name, Location)
{
    /// <summary>
    /// Layers with at most this many weights are unrolled into scalar statements: no call, no loop over features.
    /// Each unrolled weight costs about 140 bytes of C#; <see cref="NetworkPlanner.UnrolledWeightBudget"/> caps the network's total.
    /// </summary>
    public const int UnrollLimit = 256;

    public override string Kind => "Dense";
    public override ActivationKind Activation => ActivationKind;
    public override double Alpha => AlphaValue;
    public override bool Trainable => IsTrainable;
    public override bool FoldsDerivativeBelow => true;

    public override string Describe() => ActivationKind == ActivationKind.Identity ? $"Dense({Units})" : $"Dense({Units}, {ActivationKind})";

    public override string Signature => $"Dense({Units},{ActivationKind}{(ActivationKind.UsesAlpha() ? "," + Literal.Float(AlphaValue) : "")}{(HasBias ? "" : ",nobias")})";

    public static DenseLayer? Parse(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        int units = reader.Int(0, 0);
        var activation = (ActivationKind)reader.NamedInt("Activation", reader.Int(1, 0));
        string? name = reader.NamedString("Name");
        string what = name is null ? $"Dense({units})" : $"Dense '{name}'";
        if (units <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the unit count", units));
        activation = WeightedLayerOptions.Activation(activation, what, location, diagnostics);

        var init = WeightedLayerOptions.Init(reader, what, location, diagnostics);
        double alpha = WeightedLayerOptions.Alpha(reader, activation, what, location, diagnostics);
        return new DenseLayer(units, activation, init, reader.NamedBool("Bias", true), alpha, reader.NamedBool("Trainable", true), name, location);
    }

    public override Shape? InferShape(Shape input, PlanningContext context)
    {
        if (ActivationKind == ActivationKind.Softmax && !context.IsLast)
        {
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNotLast, Location, Describe(), context.LayerIndex, context.LayerCount));
            return null;
        }
        if (input.IsImage && context.LayerIndex == 1)
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.ImageIntoDense, Location, Describe(), input, input.Size));
        return Shape.Vector(Units);
    }

    public override long ParameterCount(Shape input) => (long)input.Size * Units + (HasBias ? Units : 0);

    public override long ForwardFlops(Shape input, Shape output) => 2L * input.Size * Units;

    private static int WeightCount(LayerPlan plan) => plan.Input.Size * plan.Output.Size;
    private static int BiasOffset(LayerPlan plan) => plan.ParameterOffset + WeightCount(plan);
    private static bool Unrolled(LayerPlan plan) => plan.Unrolled;

    public override int UnrollableWeights(Shape input) => (long)input.Size * Units <= UnrollLimit ? input.Size * Units : 0;

    private string Weights(string buffer, LayerPlan plan) => $"{buffer}.Slice({Literal.Int(plan.ParameterOffset)}, {Literal.Int(WeightCount(plan))})";
    private string Biases(string buffer, LayerPlan plan) => HasBias ? $"{buffer}.Slice({Literal.Int(BiasOffset(plan))}, {Literal.Int(Units)})" : "default";

    public override void EmitInit(CodeWriter w, LayerPlan plan)
    {
        var (init, limit) = WeightedLayerOptions.InitLimit(Init, ActivationKind, fanIn: plan.Input.Size, fanOut: Units);
        w.Line($"// {Literal.Comment(plan.Name)}: W ~ U[±limit], {init} limit; biases start at zero.");
        w.Line($"global::NetGen.Kernels.Initializers.Uniform({Weights("parameters", plan)}, {limit}, seed, {Literal.Int(plan.Index)});");
    }

    public override void EmitForward(CodeWriter w, LayerPlan plan, bool training)
    {
        string source = Buffers.Span(training ? plan.TrainingSource : plan.InferenceSource, plan.Input.Size);
        string destination = Buffers.Span(training ? plan.OutputBuffer : plan.InferenceOutput, Units);
        // Softmax is row-wise, so the kernel writes logits and a row pass follows, unless the loss fuses it (training).
        bool logitsOnly = ActivationKind == ActivationKind.Softmax || (training && plan.EmitsLogitsInTraining);
        string activation = logitsOnly ? ActivationKind.Identity.KernelType() : ActivationKind.KernelType();
        string alpha = Literal.Float(AlphaValue);

        if (training && plan.EmitsLogitsInTraining)
            w.Line($"// Logits only: the loss applies the {ActivationKind.ToString().ToLowerInvariant()} and its gradient in one fused pass.");
        if (Unrolled(plan)) EmitForwardUnrolled(w, plan, source, destination, activation, alpha);
        else
            w.Line($"global::NetGen.Kernels.DenseKernels.Forward<{activation}>({source}, {Weights("parameters", plan)}, {Biases("parameters", plan)}, {destination}, batch, {Literal.Int(plan.Input.Size)}, {Literal.Int(Units)}, {alpha});");

        if (ActivationKind == ActivationKind.Softmax && !(training && plan.EmitsLogitsInTraining))
            w.Line($"global::NetGen.Kernels.ElementwiseKernels.SoftmaxRows({destination}, batch, {Literal.Int(Units)});");
    }

    private void EmitForwardUnrolled(CodeWriter w, LayerPlan plan, string source, string destination, string activation, string alpha)
    {
        int inputs = plan.Input.Size;
        bool identity = activation == ActivationKind.Identity.KernelType();
        w.Line($"// {Literal.Int(WeightCount(plan))} weights: unrolled into scalar code.");
        using (w.Braces())
        {
            w.Line($"{Buffers.ReadOnlyFloatSpan} source = {source};");
            w.Line($"{Buffers.FloatSpan} destination = {destination};");
            using (w.Block("for (int n = 0; n < batch; n++)"))
            {
                w.Line($"{Buffers.ReadOnlyFloatSpan} x = source.Slice(n * {Literal.Int(inputs)}, {Literal.Int(inputs)});");
                w.Line($"{Buffers.FloatSpan} y = destination.Slice(n * {Literal.Int(Units)}, {Literal.Int(Units)});");
                for (int j = 0; j < Units; j++)
                {
                    var sum = new StringBuilder();
                    if (HasBias) sum.Append($"parameters[{Literal.Int(BiasOffset(plan) + j)}]");
                    for (int i = 0; i < inputs; i++)
                    {
                        if (sum.Length > 0) sum.Append(" + ");
                        sum.Append($"parameters[{Literal.Int(plan.ParameterOffset + j * inputs + i)}] * x[{Literal.Int(i)}]");
                    }
                    w.Line(identity ? $"y[{j}] = {sum};" : $"y[{j}] = {activation}.Apply({sum}, {alpha});");
                }
            }
        }
    }

    public override void EmitBackward(CodeWriter w, LayerPlan plan)
    {
        int inputs = plan.Input.Size;
        string outputGradient = Buffers.Span(plan.OutputGradient!, Units);
        string source = Buffers.Span(plan.TrainingSource, inputs);
        if (plan.AppliesOwnDerivative)
            w.Line($"global::NetGen.Kernels.ElementwiseKernels.MultiplyByDerivative<{ActivationKind.KernelType()}>({Buffers.Span(plan.OutputBuffer, Units)}, {outputGradient}, {Literal.Float(AlphaValue)});");

        string fold = plan.FoldBelow.KernelType();
        string below = plan.BelowBuffer is null ? "default" : Buffers.Span(plan.BelowBuffer, inputs);
        string belowAlpha = Literal.Float(plan.BelowAlpha);

        if (Unrolled(plan))
        {
            EmitBackwardUnrolled(w, plan, outputGradient, source, below, fold, belowAlpha);
            return;
        }
        if (plan.ComputesParameterGradients)
            w.Line($"global::NetGen.Kernels.DenseKernels.BackwardWeights({outputGradient}, {source}, {Weights("gradients", plan)}, {Biases("gradients", plan)}, batch, {Literal.Int(inputs)}, {Literal.Int(Units)});");
        if (plan.InputGradient is not null)
            w.Line($"global::NetGen.Kernels.DenseKernels.BackwardInput<{fold}>({outputGradient}, {Weights("parameters", plan)}, {below}, {Buffers.Span(plan.InputGradient, inputs)}, batch, {Literal.Int(inputs)}, {Literal.Int(Units)}, {belowAlpha});");
    }

    private void EmitBackwardUnrolled(CodeWriter w, LayerPlan plan, string outputGradient, string source, string below, string fold, string belowAlpha)
    {
        int inputs = plan.Input.Size;
        bool weights = plan.ComputesParameterGradients, inputGradient = plan.InputGradient is not null;
        if (!weights && !inputGradient) return;
        bool folds = plan.FoldBelow.HasElementwiseDerivative();
        using (w.Braces())
        {
            w.Line($"{Buffers.ReadOnlyFloatSpan} outputGradient = {outputGradient};");
            if (weights)
            {
                w.Line($"{Buffers.ReadOnlyFloatSpan} source = {source};");
                w.Line($"gradients.Slice({Literal.Int(plan.ParameterOffset)}, {Literal.Int(plan.ParameterCount)}).Clear();");
            }
            if (inputGradient) w.Line($"{Buffers.FloatSpan} inputGradient = {Buffers.Span(plan.InputGradient!, inputs)};");
            if (folds) w.Line($"{Buffers.ReadOnlyFloatSpan} below = {below};");
            using (w.Block("for (int n = 0; n < batch; n++)"))
            {
                w.Line($"{Buffers.ReadOnlyFloatSpan} dz = outputGradient.Slice(n * {Literal.Int(Units)}, {Literal.Int(Units)});");
                if (weights)
                {
                    w.Line($"{Buffers.ReadOnlyFloatSpan} x = source.Slice(n * {Literal.Int(inputs)}, {Literal.Int(inputs)});");
                    w.Line("// dW[j, i] += dz[j]·x[i]; db[j] += dz[j]");
                    for (int j = 0; j < Units; j++)
                    {
                        var line = new StringBuilder();
                        for (int i = 0; i < inputs; i++)
                            line.Append($"gradients[{Literal.Int(plan.ParameterOffset + j * inputs + i)}] += dz[{j}] * x[{i}]; ");
                        if (HasBias) line.Append($"gradients[{Literal.Int(BiasOffset(plan) + j)}] += dz[{j}];");
                        w.Line(line.ToString().TrimEnd());
                    }
                }
                if (inputGradient)
                {
                    w.Line($"{Buffers.FloatSpan} dx = inputGradient.Slice(n * {Literal.Int(inputs)}, {Literal.Int(inputs)});");
                    if (folds) w.Line($"{Buffers.ReadOnlyFloatSpan} y = below.Slice(n * {Literal.Int(inputs)}, {Literal.Int(inputs)});");
                    w.Line(folds ? $"// dx[i] = Σ_j dz[j]·W[j, i], times {plan.FoldBelow}'(y[i]) of the layer below" : "// dx[i] = Σ_j dz[j]·W[j, i]");
                    for (int i = 0; i < inputs; i++)
                    {
                        var sum = new StringBuilder();
                        for (int j = 0; j < Units; j++)
                        {
                            if (j > 0) sum.Append(" + ");
                            sum.Append($"dz[{j}] * parameters[{Literal.Int(plan.ParameterOffset + j * inputs + i)}]");
                        }
                        w.Line(folds ? $"dx[{i}] = ({sum}) * {fold}.Derivative(y[{i}], {belowAlpha});" : $"dx[{i}] = {sum};");
                    }
                }
            }
        }
    }
}
