using NetGen.Generator.Helpers;
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
    // Workspace: "inputs" is the caller's span; other names are float[] fields sized batch × per-sample length.
    string TrainingSource,
    string InferenceSource,
    string OutputBuffer,
    string InferenceOutput,
    string? OutputGradient,
    string? InputGradient,
    // Backward fusions.
    ActivationKind FoldBelow,
    string? BelowBuffer,
    double BelowAlpha,
    bool AppliesOwnDerivative,
    bool ComputesParameterGradients,
    // The last layer of a CrossEntropy or BinaryCrossEntropy network leaves logits in training: the loss applies softmax/sigmoid.
    bool EmitsLogitsInTraining,
    bool BackwardReaches,
    // Small layers are emitted as straight-line scalar code, within a budget shared by the whole network.
    bool Unrolled)
{
    /// <summary>The field name prefix for this layer's workspace arrays.</summary>
    public string Suffix => Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
