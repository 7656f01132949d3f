using NetGen.Generator.Emit;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Model;

/// <summary>
/// One parsed layer attribute. Each layer kind lives in one file under Layers/ and tells its whole story there:
/// what it parsed, its shape rule, its parameter layout, and its forward and backward emission side by side.
/// Records, so the incremental pipeline can compare models by value.
/// </summary>
internal abstract record LayerModel(string? Name, LocationInfo? Location)
{
    /// <summary>The attribute name without "Attribute": Dense, Dropout, ...</summary>
    public abstract string Kind { get; }

    /// <summary>A short description for comments and messages, e.g. "Dense(128, ReLU)".</summary>
    public abstract string Describe();

    /// <summary>What must match for weights to be interchangeable (checkpoints): kind, sizes, activation; not names or training flags.</summary>
    public virtual string Signature => Describe();

    /// <summary>The shape rule: the output shape for an input shape, or null after reporting why there is none.</summary>
    public abstract Shape? InferShape(Shape input, PlanningContext context);

    /// <summary>Parameters owned (weights then biases), given the input shape.</summary>
    public virtual long ParameterCount(Shape input) => 0;

    /// <summary>Multiply-adds ×2 for one sample's forward pass.</summary>
    public virtual long ForwardFlops(Shape input, Shape output) => 0;

    /// <summary>The weights this layer would unroll into scalar code on this input, or 0 when it never unrolls.</summary>
    public virtual int UnrollableWeights(Shape input) => 0;

    public virtual ActivationKind Activation => ActivationKind.Identity;
    public virtual double Alpha => 0;
    public virtual bool Trainable => false;

    /// <summary>True when this layer's input-gradient epilogue can multiply in the derivative of the layer below.</summary>
    public virtual bool FoldsDerivativeBelow => false;

    /// <summary>True when the layer passes its input through unchanged in training (Flatten: NCHW is already C×H×W order).</summary>
    public virtual bool IsAliasInTraining => false;

    /// <summary>True when the layer passes its input through unchanged at inference (Flatten, Dropout).</summary>
    public virtual bool IsAliasInInference => IsAliasInTraining;

    /// <summary>
    /// The largest extra per-sample workspace this layer needs, in elements, computed in 64 bits from the shapes so the
    /// planner can refuse a network whose scratch arrays could not exist (e.g. im2col columns of a huge convolution).
    /// </summary>
    public virtual long ExtraWorkspacePerSample(Shape input, Shape output) => 0;

    /// <summary>Extra per-sample workspace arrays this layer needs, beyond its output and gradient (e.g. a dropout mask).</summary>
    public virtual EquatableWorkspace[] ExtraWorkspace(LayerPlan plan) => System.Array.Empty<EquatableWorkspace>();

    public virtual void EmitInit(CodeWriter writer, LayerPlan plan) { }

    public abstract void EmitForward(CodeWriter writer, LayerPlan plan, bool training);

    public virtual void EmitBackward(CodeWriter writer, LayerPlan plan) { }
}

/// <summary>
/// A per-layer workspace array: field name and elements per sample; <paramref name="IsInt"/> makes it an int[] (e.g. max-pool
/// argmax indices); <paramref name="UsedInInference"/> says inference reads it too (im2col columns), so inference workspaces
/// allocate it, while training-only arrays (masks, argmax positions) are never allocated for inference.
/// </summary>
internal readonly record struct EquatableWorkspace(string Field, int PerSample, string What, bool IsInt = false, bool UsedInInference = false);
