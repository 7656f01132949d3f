using NetGen.Generator.Helpers;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Planning;

/// <summary>Every number the emitter needs for one network, computed once by <see cref="NetworkPlanner"/>.</summary>
internal sealed record NetworkPlan(
    NetworkModel Model,
    Shape Input,
    EquatableArray<LayerPlan> Layers,
    int ParameterCount,
    long ForwardFlops,
    string Architecture,
    ulong Fingerprint)
{
    public LayerPlan Output => Layers[Layers.Count - 1];

    /// <summary>True when the first layer is an Embedding: the network's input is token ids (ints), not floats.</summary>
    public bool TakesTokens => Layers[0].Layer.ReadsTokens;

    /// <summary>Per-step labels: one class id per step of a sequence output (next-token models), else one per sample.</summary>
    public int LabelsPerSample => Output.Output.Steps;
}

/// <summary>
/// One layer placed in the network: its shapes, where its parameters sit in the flat buffer, which workspace
/// arrays it reads and writes, and which fusions apply to it.
/// </summary>
internal sealed record LayerPlan(
    int Index,
    LayerModel Layer,
    string Name,
    Shape Input,
    Shape Output,
    int ParameterOffset,
    int ParameterCount,
    bool IsLast,
    // What the layer reads and writes: the caller's spans or workspace buffers, in training and at inference.
    Buffer TrainingSource,
    Buffer InferenceSource,
    Buffer OutputBuffer,
    Buffer InferenceOutput,
    Buffer? OutputGradient,
    Buffer? InputGradient,
    // Backward fusions: the derivative of the layer below folded into this layer's input-gradient epilogue.
    Fold Fold,
    bool AppliesOwnDerivative,
    bool ComputesParameterGradients,
    // The last layer of a CrossEntropy or BinaryCrossEntropy network leaves logits in training: the loss applies softmax/sigmoid.
    bool EmitsLogitsInTraining,
    bool BackwardReaches)
{
    /// <summary>This layer's own buffer of a role: its mask, argmax positions or im2col columns.</summary>
    public Buffer Own(BufferRole role, int perSample) => new(role, Index, perSample);
}
