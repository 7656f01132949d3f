using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// [Dense(units, activation)]: y = f(W·x + b).
/// Parameters: W [units, inputs] row-major, then b [units] (PyTorch's nn.Linear). An image input is read flat in C×H×W order;
/// a sequence input is read step by step (time-distributed: the same W at every step, as nn.Linear on [batch, steps, in]).
/// Forward: one GEMM with bias and activation fused into its stores (a softmax output adds a row pass).
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
        return input.IsSequence ? Shape.Sequence(input.Steps, Units) : Shape.Vector(Units);
    }

    public override long ParameterCount(Shape input) => (long)input.Features * Units + (HasBias ? Units : 0);

    public override long ForwardFlops(Shape input, Shape output) => 2L * input.Size * Units;

    private ParameterSlice Weights(LayerPlan plan) => new(plan.ParameterOffset, plan.Input.Features * Units);
    private ParameterSlice Biases(LayerPlan plan) => HasBias ? new(plan.ParameterOffset + plan.Input.Features * Units, Units) : ParameterSlice.None;

    public override IEnumerable<Op> LowerInit(LayerPlan plan)
    {
        var init = WeightedLayerOptions.Resolve(Init, ActivationKind);
        yield return new NoteOp($"{plan.Name}: W ~ U[±limit], {init} limit; biases start at zero.");
        yield return new UniformInitOp(plan.Index, Weights(plan), init, FanIn: plan.Input.Features, FanOut: Units);
    }

    public override IEnumerable<Op> LowerForward(LayerPlan plan, bool training)
    {
        var source = training ? plan.TrainingSource : plan.InferenceSource;
        var destination = training ? plan.OutputBuffer : plan.InferenceOutput;
        bool fusedIntoLoss = training && plan.EmitsLogitsInTraining;
        // Softmax is row-wise, so the GEMM writes logits and a row pass follows, unless the loss fuses it (training).
        bool logitsOnly = ActivationKind == ActivationKind.Softmax || fusedIntoLoss;
        if (fusedIntoLoss)
            yield return new NoteOp($"Logits only: the loss applies the {ActivationKind.ToString().ToLowerInvariant()} and its gradient in one fused pass.");
        if (plan.Input.IsSequence)
            yield return new NoteOp($"Time-distributed: the same weights at each of the {plan.Input.Steps} steps, one product over batch × steps rows.");
        yield return new DenseOp(plan.Index, source, destination, Weights(plan), Biases(plan), plan.Input.Features, Units,
            logitsOnly ? ActivationKind.Identity : ActivationKind, AlphaValue, plan.Input.Steps);
        if (ActivationKind == ActivationKind.Softmax && !fusedIntoLoss)
            yield return new SoftmaxRowsOp(destination, Units, plan.Input.Steps);
    }

    public override IEnumerable<Op> LowerBackward(LayerPlan plan)
    {
        var outputGradient = plan.OutputGradient!.Value;
        if (plan.AppliesOwnDerivative)
            yield return new ActivationDerivativeOp(plan.OutputBuffer, outputGradient, ActivationKind, AlphaValue);
        // dW, db only while the layer is trainable at run time; dX either way (it reads W, not dW).
        if (plan.ComputesParameterGradients)
            yield return new WhenTrainableOp(plan.Index, new DenseBackwardOp(plan.Index, outputGradient, plan.TrainingSource, Weights(plan), Biases(plan),
                true, null, Fold.None, plan.Input.Features, Units, plan.Input.Steps));
        if (plan.InputGradient is not null)
            yield return new DenseBackwardOp(plan.Index, outputGradient, plan.TrainingSource, Weights(plan), Biases(plan),
                false, plan.InputGradient, plan.Fold, plan.Input.Features, Units, plan.Input.Steps);
    }

    public override OnnxOp LowerOnnx(LayerPlan plan) => plan.Input.IsSequence
        ? new OnnxUnsupportedOp(plan.Name, "time-distributed Dense")
        : new OnnxDenseOp(plan.Name, plan.Input.Size, Units, Weights(plan), Biases(plan), ActivationKind, AlphaValue);
}
