using System.Collections.Generic;
using NetGen.Generator.Lowering;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Model;

/// <summary>
/// One parsed layer attribute. Each layer kind lives in one file under Layers/ and tells its whole story there:
/// what it parsed, its shape rule, its parameter layout, and its forward and backward lowering to typed ops side by side.
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

    public virtual ActivationKind Activation => ActivationKind.Identity;
    public virtual double Alpha => 0;
    public virtual bool Trainable => false;

    /// <summary>True when this layer's input-gradient epilogue can multiply in the derivative of the layer below.</summary>
    public virtual bool FoldsDerivativeBelow => false;

    /// <summary>True for a layer that reads the network's input as token ids (Embedding): it must come first.</summary>
    public virtual bool ReadsTokens => false;

    /// <summary>True when the layer passes its input through unchanged in training (Flatten: NCHW is already C×H×W order).</summary>
    public virtual bool IsAliasInTraining => false;

    /// <summary>True when the layer passes its input through unchanged at inference (Flatten, Dropout).</summary>
    public virtual bool IsAliasInInference => IsAliasInTraining;

    /// <summary>
    /// The largest extra per-sample workspace this layer needs, in elements, computed in 64 bits from the shapes so the
    /// planner can refuse a network whose scratch arrays could not exist (e.g. im2col columns of a huge convolution).
    /// </summary>
    public virtual long ExtraWorkspacePerSample(Shape input, Shape output) => 0;

    /// <summary>The ops that initialize this layer's parameters (the constructor runs them).</summary>
    public virtual IEnumerable<Op> LowerInit(LayerPlan plan) => System.Array.Empty<Op>();

    /// <summary>The forward ops: training keeps what backward reads (masks, argmax positions, logits for the fused loss).</summary>
    public abstract IEnumerable<Op> LowerForward(LayerPlan plan, bool training);

    /// <summary>The backward ops, given dL/d(output) in <see cref="LayerPlan.OutputGradient"/>.</summary>
    public virtual IEnumerable<Op> LowerBackward(LayerPlan plan) => System.Array.Empty<Op>();

    /// <summary>This layer in the ONNX inference graph; a kind without a counterpart makes the export throw, naming it.</summary>
    public virtual OnnxOp LowerOnnx(LayerPlan plan) => new OnnxUnsupportedOp(plan.Name, Kind);
}
