using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Helpers;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// What [SimpleRNN] and [LSTM] share (<see cref="SimpleRnnLayer"/>, <see cref="LstmLayer"/> add their cell): the shape rule,
/// PyTorch's parameter layout (W_ih [G·H, in], W_hh [G·H, H], b_ih [G·H], b_hh [G·H], G gates), the initializers, and
/// the lowering to one forward op and one backward-through-time op over the whole sequence.
/// Input: [batch, steps, in]. Output: the last step's h [batch, H], or every step's h [batch, steps, H] with ReturnSequences.
/// The layer's activation as the planner sees it is the identity: its nonlinearities and their derivatives live inside
/// the cell, so the layer below applies its own derivative and the layer above folds nothing.
/// </summary>
internal abstract record RecurrentLayer(int Units, bool ReturnSequences, InitKind Init, bool Stateful, bool IsTrainable, string? Name, LocationInfo? Location)
    : LayerModel(Name, Location)
{
    /// <summary>Gate blocks of H rows in each weight matrix: 1 for SimpleRNN, 4 for LSTM.</summary>
    protected abstract int Gates { get; }

    protected abstract RecurrentCell Cell { get; }

    /// <summary>The cell's activation (SimpleRNN's f; the LSTM's are fixed).</summary>
    protected virtual ActivationKind CellActivation => ActivationKind.Tanh;

    public override bool Trainable => IsTrainable;

    /// <summary>"LSTM(128)", "LSTM(128, sequences)", "SimpleRNN(32, ReLU, stateful)".</summary>
    protected string Options(string cell) => $"{Kind}({Units}{cell}{(ReturnSequences ? ", sequences" : "")}{(Stateful ? ", stateful" : "")})";

    // Which steps are output changes the shapes; statefulness and the initializer change neither the layout nor the weights' meaning.
    public override string Signature => $"{Kind}({Units}{(CellActivation != ActivationKind.Tanh ? "," + CellActivation : "")}{(ReturnSequences ? ",seq" : "")})";

    /// <summary>The options every recurrent layer reads: units, ReturnSequences, Init, Stateful, Name, Trainable.</summary>
    protected static (int Units, bool ReturnSequences, InitKind Init, bool Stateful, bool Trainable, string? Name) ParseCommon(
        string kind, AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        int units = reader.Int(0, 0);
        string? name = reader.NamedString("Name");
        string what = name is null ? $"{kind}({units})" : $"{kind} '{name}'";
        if (units <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the unit count", units));
        var init = WeightedLayerOptions.Init(reader, what, location, diagnostics);
        return (units, reader.NamedBool("ReturnSequences", false), init, reader.NamedBool("Stateful", false), reader.NamedBool("Trainable", true), name);
    }

    public override Shape? InferShape(Shape input, PlanningContext context)
    {
        if (Units <= 0) return null; // reported by Parse
        if (!input.IsSequence)
        {
            string what = input.IsImage ? $"the image {input}" : $"a vector of {input.Size} values";
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.RecurrentNeedsSequence, Location, Describe(), what, SpatialShape.Trail(context, input)));
            return null;
        }
        return ReturnSequences ? Shape.Sequence(input.Steps, Units) : Shape.Vector(Units);
    }

    public override long ParameterCount(Shape input) => (long)Gates * Units * (input.Features + Units + 2);

    /// <summary>Per step: the input and recurrent products (2 FLOPs per multiply-add) of every gate.</summary>
    public override long ForwardFlops(Shape input, Shape output) => 2L * input.Steps * Gates * Units * (input.Features + Units);

    /// <summary>
    /// An upper bound of the kernel's workspace per sequence (the arrays are sized by the kernel's own WorkspaceSize at run
    /// time; this bounds the batch): x and the gate values at every step, h and c at every step and the initial one, the
    /// recurrent product, the bias sum, and backward's gate gradients, dX and scratch.
    /// </summary>
    public override long ExtraWorkspacePerSample(Shape input, Shape output)
    {
        long steps = input.Steps, features = input.Features, h = Units, g = Gates * h;
        return 2 * steps * features + 3 * steps * g + 2 * (steps + 1) * h + 2 * g + 2 * h + steps * System.Math.Max(features, h) + g;
    }

    protected RecurrentGeometry Geometry(LayerPlan plan) =>
        new(Cell, plan.Input.Steps, plan.Input.Features, Units, ReturnSequences, CellActivation);

    private ParameterSlice Parameters(LayerPlan plan) => new(plan.ParameterOffset, plan.ParameterCount);

    private static Buffer Workspace(LayerPlan plan) =>
        plan.Own(BufferRole.Sequence, (int)System.Math.Min(int.MaxValue, plan.Layer.ExtraWorkspacePerSample(plan.Input, plan.Output)));

    public override IEnumerable<Op> LowerInit(LayerPlan plan)
    {
        int inputs = plan.Input.Features, rows = Gates * Units, offset = plan.ParameterOffset;
        var inputWeights = new ParameterSlice(offset, rows * inputs);
        var recurrentWeights = new ParameterSlice(offset + rows * inputs, rows * Units);
        if (Init == InitKind.Default)
        {
            yield return new NoteOp($"{plan.Name}: every parameter, biases too, ~ U[±1/√{Units}] (PyTorch's scheme).");
            yield return new UniformLimitInitOp(plan.Index, Parameters(plan), 1.0 / System.Math.Sqrt(Units), plan.Index);
        }
        else
        {
            yield return new NoteOp($"{plan.Name}: W_ih and W_hh ~ U[±limit], {Init} limit each; biases start at zero.");
            yield return new UniformLimitInitOp(plan.Index, inputWeights, Limit(inputs, rows), plan.Index);
            yield return new UniformLimitInitOp(plan.Index, recurrentWeights, Limit(Units, rows), -(4 * plan.Index + 1));
        }
        foreach (var op in LowerCellInit(plan)) yield return op;
    }

    /// <summary>The limit of a weight matrix under a named initializer (fan-in: its input width; fan-out: its rows).</summary>
    private double Limit(int fanIn, int fanOut) => Init switch
    {
        InitKind.FanIn => 1.0 / System.Math.Sqrt(fanIn),
        InitKind.He => System.Math.Sqrt(6.0 / fanIn),
        _ => System.Math.Sqrt(6.0 / (fanIn + fanOut)),
    };

    /// <summary>Cell-specific initialization after the weights (the LSTM's forget-gate bias).</summary>
    protected virtual IEnumerable<Op> LowerCellInit(LayerPlan plan) => System.Array.Empty<Op>();

    public override IEnumerable<Op> LowerForward(LayerPlan plan, bool training)
    {
        var source = training ? plan.TrainingSource : plan.InferenceSource;
        yield return new RecurrentOp(plan.Index, source, training ? plan.OutputBuffer : plan.InferenceOutput, Workspace(plan), Parameters(plan), Geometry(plan), Stateful);
    }

    public override IEnumerable<Op> LowerBackward(LayerPlan plan)
    {
        if (Stateful) yield return new NoteOp("Truncated BPTT: the gradient stops at the state this batch started from.");
        yield return new RecurrentBackwardOp(plan.Index, plan.OutputGradient!.Value, Workspace(plan), Parameters(plan),
            plan.ComputesParameterGradients, plan.InputGradient, Geometry(plan));
    }

    public override OnnxOp LowerOnnx(LayerPlan plan) => new OnnxUnsupportedOp(plan.Name, Kind);
}
