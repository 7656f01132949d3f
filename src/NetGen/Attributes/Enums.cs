// The source generator compiles this file too (linked, with NETGEN_GENERATOR defined), so it reads attribute
// arguments with these very enums rather than hand-kept copies. There they live in another namespace, so a project
// that references both assemblies (the generator's tests) sees one NetGen.Loss.
#if NETGEN_GENERATOR
namespace NetGen.Generator.Runtime;
#else
namespace NetGen;
#endif

/// <summary>The loss a network is trained on. Each one is the mean over the batch of a per-sample loss.</summary>
public enum Loss
{
    /// <summary>
    /// ½ Σ_k (y_k − t_k)² per sample (the ½ makes the output gradient y − t). Over K outputs that is ½·K times the mean
    /// squared error that <c>Evaluator</c> and <c>Metrics.MeanSquaredError</c> report, the plain mean of (y − t)² over
    /// samples and outputs (PyTorch's <c>F.mse_loss</c>).
    /// </summary>
    MeanSquaredError,
    /// <summary>
    /// −Σ_k t_k ln y_k per sample, on a Softmax output; fused with the softmax as y·Σt − t, which is y − t for targets
    /// that sum to 1 (one-hot labels). Targets need not sum to 1 (PyTorch's <c>F.cross_entropy</c> with probabilities).
    /// </summary>
    CrossEntropy,
    /// <summary>−Σ_k [t_k ln y_k + (1 − t_k) ln(1 − y_k)] per sample, on a Sigmoid output; fused as y − t (soft targets in [0, 1] too).</summary>
    BinaryCrossEntropy,
}

/// <summary>The non-linearity applied after a layer's affine map.</summary>
public enum Activation
{
    Identity,
    Sigmoid,
    Tanh,
    ReLU,
    /// <summary>x for x &gt; 0, α·x otherwise (α = <c>Alpha</c>, default 0.01).</summary>
    LeakyReLU,
    /// <summary>x for x &gt; 0, α·(eˣ − 1) otherwise (α = <c>Alpha</c>, default 1).</summary>
    ELU,
    /// <summary>Normalized exponentials over the layer's outputs. Only allowed on the last layer.</summary>
    Softmax,
}

/// <summary>How a layer's weights are drawn. Biases always start at zero.</summary>
public enum Init
{
    /// <summary>Glorot for most activations, He for the ReLU family.</summary>
    Default,
    /// <summary>U[−1/√n_in, 1/√n_in].</summary>
    FanIn,
    /// <summary>Glorot (normalized fan-in): U[−√6/√(n_in+n_out), +√6/√(n_in+n_out)].</summary>
    Glorot,
    /// <summary>He: U[−√6/√n_in, +√6/√n_in], for ReLU-like activations.</summary>
    He,
}

/// <summary>Padding presets for <c>Conv2D.Padding</c>, which takes a pixel count: <c>Padding = Padding.Same</c>.</summary>
public static class Padding
{
    /// <summary>No padding.</summary>
    public const int Valid = 0;
    /// <summary>Pad so that a stride-1 convolution keeps the input's height and width (odd kernels).</summary>
    public const int Same = -1;
}
