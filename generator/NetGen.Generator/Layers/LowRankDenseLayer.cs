using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// [LowRankDense(units, rank, activation)]: y = f(U·(V·x) + b), W = U·V of rank r never formed.
/// Parameters: V [r, inputs], then U [units, r], then b [units]: PyTorch's Sequential(Linear(in, r, bias=False),
/// Linear(r, units)), so weights move by copying. r·(in + units) weights instead of in·units.
/// Forward: two GEMMs, H = X·Vᵀ into the inner buffer (kept for backward), then Y = f(H·Uᵀ + b) fused as Dense's.
/// Backward: dU = dZᵀ·H, db = Σ dZ; dH = dZ·U; dV = dHᵀ·X; dX = dH·V with the derivative of the layer below folded in.
/// The two factors are lowered as Dense ops; the U factor's ops carry the layer index negated so that the CPU backend
/// decides their unrolling apart from V's.
/// </summary>
internal sealed record LowRankDenseLayer(
    int Units,
    int Rank,
    ActivationKind ActivationKind,
    InitKind Init,
    bool HasBias,
    double AlphaValue,
    bool IsTrainable,
    string? Name,
    LocationInfo? Location) : LayerModel(Name, Location)
{
    public override string Kind => "LowRankDense";
    public override ActivationKind Activation => ActivationKind;
    public override double Alpha => AlphaValue;
    public override bool Trainable => IsTrainable;
    public override bool FoldsDerivativeBelow => true;

    public override string Describe() => ActivationKind == ActivationKind.Identity
        ? $"LowRankDense({Units}, rank {Rank})"
        : $"LowRankDense({Units}, rank {Rank}, {ActivationKind})";

    public override string Signature =>
        $"LowRankDense({Units},r{Rank},{ActivationKind}{(ActivationKind.UsesAlpha() ? "," + Literal.Float(AlphaValue) : "")}{(HasBias ? "" : ",nobias")})";

    public static LowRankDenseLayer Parse(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        int units = reader.Int(0, 0);
        int rank = reader.Int(1, 0);
        var activation = (ActivationKind)reader.NamedInt("Activation", reader.Int(2, 0));
        string? name = reader.NamedString("Name");
        string what = name is null ? $"LowRankDense({units}, {rank})" : $"LowRankDense '{name}'";
        if (units <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the unit count", units));
        if (rank <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the rank", rank));
        activation = WeightedLayerOptions.Activation(activation, what, location, diagnostics);
        var init = WeightedLayerOptions.Init(reader, what, location, diagnostics);
        double alpha = WeightedLayerOptions.Alpha(reader, activation, what, location, diagnostics);
        return new LowRankDenseLayer(units, rank, activation, init, reader.NamedBool("Bias", true), alpha, reader.NamedBool("Trainable", true), name, location);
    }

    public override Shape? InferShape(Shape input, PlanningContext context)
    {
        if (Units <= 0 || Rank <= 0) return null; // reported by Parse
        if (ActivationKind == ActivationKind.Softmax && !context.IsLast)
        {
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNotLast, Location, Describe(), context.LayerIndex, context.LayerCount));
            return null;
        }
        long limit = System.Math.Min(input.LongSize, Units);
        if (Rank > limit)
        {
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.RankOutOfRange, Location, Describe(), input.LongSize, limit, Rank));
            return null;
        }
        return Shape.Vector(Units);
    }

    public override long ParameterCount(Shape input) => (long)Rank * (input.LongSize + Units) + (HasBias ? Units : 0);

    public override long ForwardFlops(Shape input, Shape output) => 2L * Rank * (input.LongSize + Units);

    public override long ExtraWorkspacePerSample(Shape input, Shape output) => Rank;

    private ParameterSlice V(LayerPlan plan) => new(plan.ParameterOffset, Rank * plan.Input.Size);
    private ParameterSlice U(LayerPlan plan) => new(plan.ParameterOffset + Rank * plan.Input.Size, Units * Rank);
    private ParameterSlice Biases(LayerPlan plan) => HasBias ? new(plan.ParameterOffset + Rank * (plan.Input.Size + Units), Units) : ParameterSlice.None;

    /// <summary>H = V·x, rank per sample: written forward, read by dU.</summary>
    private Buffer Hidden(LayerPlan plan) => plan.Own(BufferRole.Hidden, Rank);
    private Buffer HiddenGradient(LayerPlan plan) => plan.Own(BufferRole.HiddenGradient, Rank);

    /// <summary>The U factor's key for the backend (see the remarks above).</summary>
    private static int UKey(LayerPlan plan) => -plan.Index;

    public override IEnumerable<Op> LowerInit(LayerPlan plan)
    {
        var init = WeightedLayerOptions.Resolve(Init, ActivationKind);
        yield return new NoteOp($"{plan.Name}: V ~ U[±limit], Glorot limit (linear); U ~ U[±limit], {init} limit; biases start at zero.");
        yield return new UniformInitOp(plan.Index, V(plan), InitKind.Glorot, FanIn: plan.Input.Size, FanOut: Rank);
        yield return new UniformInitOp(UKey(plan), U(plan), init, FanIn: Rank, FanOut: Units);
    }

    public override IEnumerable<Op> LowerForward(LayerPlan plan, bool training)
    {
        var source = training ? plan.TrainingSource : plan.InferenceSource;
        var destination = training ? plan.OutputBuffer : plan.InferenceOutput;
        bool fusedIntoLoss = training && plan.EmitsLogitsInTraining;
        bool logitsOnly = ActivationKind == ActivationKind.Softmax || fusedIntoLoss;
        yield return new NoteOp($"H = x·Vᵀ: {Literal.Int(plan.Input.Size)} → rank {Literal.Int(Rank)}, no bias, no activation.");
        yield return new DenseOp(plan.Index, source, Hidden(plan), V(plan), ParameterSlice.None, plan.Input.Size, Rank, ActivationKind.Identity, 0);
        if (fusedIntoLoss)
            yield return new NoteOp($"Logits only: the loss applies the {ActivationKind.ToString().ToLowerInvariant()} and its gradient in one fused pass.");
        yield return new DenseOp(UKey(plan), Hidden(plan), destination, U(plan), Biases(plan), Rank, Units,
            logitsOnly ? ActivationKind.Identity : ActivationKind, AlphaValue);
        if (ActivationKind == ActivationKind.Softmax && !fusedIntoLoss)
            yield return new SoftmaxRowsOp(destination, Units);
    }

    public override IEnumerable<Op> LowerBackward(LayerPlan plan)
    {
        var outputGradient = plan.OutputGradient!.Value;
        if (plan.AppliesOwnDerivative)
            yield return new ActivationDerivativeOp(plan.OutputBuffer, outputGradient, ActivationKind, AlphaValue);
        bool weights = plan.ComputesParameterGradients;
        if (!weights && plan.InputGradient is null) yield break;
        // dU, db while trainable; dH = dZ·U either way (dV and dX both need it).
        if (weights)
            yield return new WhenTrainableOp(plan.Index, new DenseBackwardOp(UKey(plan), outputGradient, Hidden(plan), U(plan), Biases(plan),
                true, null, Fold.None, Rank, Units));
        yield return new DenseBackwardOp(UKey(plan), outputGradient, Hidden(plan), U(plan), Biases(plan),
            false, HiddenGradient(plan), Fold.None, Rank, Units);
        if (weights)
            yield return new WhenTrainableOp(plan.Index, new DenseBackwardOp(plan.Index, HiddenGradient(plan), plan.TrainingSource, V(plan), ParameterSlice.None,
                true, null, Fold.None, plan.Input.Size, Rank));
        if (plan.InputGradient is not null)
            yield return new DenseBackwardOp(plan.Index, HiddenGradient(plan), plan.TrainingSource, V(plan), ParameterSlice.None,
                false, plan.InputGradient, plan.Fold, plan.Input.Size, Rank);
    }

    public override OnnxOp LowerOnnx(LayerPlan plan) =>
        new OnnxLowRankDenseOp(plan.Name, plan.Input.Size, Rank, Units, V(plan), HasBias, ActivationKind, AlphaValue);
}
