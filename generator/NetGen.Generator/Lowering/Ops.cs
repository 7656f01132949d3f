using NetGen.Generator.Model;

namespace NetGen.Generator.Lowering;

// The typed operations layers lower to. Each is plain equatable data over symbolic buffers and literal extents;
// a backend's emitter turns each into code (the CPU emitter: straight-line code, or a kernel call). Adding a backend
// means writing an emitter for these, not editing every layer.

/// <summary>One lowered operation.</summary>
internal abstract record Op;

/// <summary>A slice [Offset, Offset + Count) of the flat parameter (or gradient) buffer; Count 0 means absent (no bias).</summary>
internal readonly record struct ParameterSlice(int Offset, int Count)
{
    public static ParameterSlice None => default;
    public bool IsNone => Count == 0;
}

/// <summary>
/// The derivative of the layer below, folded into an input-gradient epilogue: dX = (…) · f'(Below). Identity (no
/// Below) when there is nothing to fold.
/// </summary>
internal readonly record struct Fold(ActivationKind Activation, Buffer? Below, double Alpha)
{
    public static Fold None => new(ActivationKind.Identity, null, 0);
    public bool IsNone => Below is null;
}

/// <summary>A convolution's geometry: input C×H×W, filters, kernel, stride, padding, output H×W.</summary>
internal readonly record struct ConvGeometry(int InChannels, int Height, int Width, int Filters, int KernelHeight, int KernelWidth, int Stride, int PadHeight, int PadWidth, int OutHeight, int OutWidth)
{
    public int PatchSize => InChannels * KernelHeight * KernelWidth;
    public int OutPositions => OutHeight * OutWidth;
}

/// <summary>A pooling window's geometry: input C×H×W, window size, stride, output H×W.</summary>
internal readonly record struct PoolGeometry(int Channels, int Height, int Width, int Size, int Stride, int OutHeight, int OutWidth);

/// <summary>A comment for whoever reads the generated code; every backend may keep or drop it.</summary>
internal sealed record NoteOp(string Text) : Op;

/// <summary>Weights ~ U[±limit] drawn from (seed, layer); biases stay zero. The limit follows <see cref="Init"/>.</summary>
internal sealed record UniformInitOp(int Layer, ParameterSlice Weights, InitKind Init, int FanIn, int FanOut) : Op;

/// <summary>
/// Parameters ~ U[±Limit], biases included where the slice covers them (PyTorch's recurrent and embedding schemes),
/// drawn from (seed, <see cref="Stream"/>): the layer index for a layer's first tensor, −(4·layer + k) for its k-th
/// further one, so no two tensors of a network draw the same numbers.
/// </summary>
internal sealed record UniformLimitInitOp(int Layer, ParameterSlice Parameters, double Limit, int Stream) : Op;

/// <summary>Sets every parameter of a slice to one value (an LSTM's forget-gate bias).</summary>
internal sealed record FillOp(ParameterSlice Parameters, double Value) : Op;

// ---- forward --------------------------------------------------------------------------------------------------

/// <summary>
/// Y = f(X·Wᵀ + b): a GEMM with bias and activation fused into its stores. W is [Out, In] (nn.Linear). X has
/// <see cref="Rows"/> rows per sample: a sequence's steps (the layer applies to every step), else 1.
/// </summary>
internal sealed record DenseOp(int Layer, Buffer Input, Buffer Output, ParameterSlice Weights, ParameterSlice Bias, int In, int Out, ActivationKind Activation, double Alpha, int Rows = 1) : Op;

/// <summary>Row-wise softmax in place (the activation no elementwise epilogue can apply), <see cref="Rows"/> rows per sample.</summary>
internal sealed record SoftmaxRowsOp(Buffer Buffer, int Columns, int Rows = 1) : Op;

/// <summary>Token ids to vectors: output[k, :] = W[ids[k], :], W [Vocabulary, Dimension] (nn.Embedding.weight).</summary>
internal sealed record EmbeddingOp(Buffer Tokens, Buffer Output, ParameterSlice Weights, int Vocabulary, int Dimension) : Op;

/// <summary>The recurrent cell a layer runs at every step.</summary>
internal enum RecurrentCell
{
    /// <summary>h_t = f(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh) (nn.RNN).</summary>
    Simple,
    /// <summary>Gates i, f, g, o; c_t = f·c_{t−1} + i·g; h_t = o·tanh(c_t) (nn.LSTM).</summary>
    Lstm,
}

/// <summary>A recurrent layer's sizes: steps, input features, hidden units, and whether every step's h is output.</summary>
internal readonly record struct RecurrentGeometry(RecurrentCell Cell, int Steps, int In, int Hidden, bool ReturnSequences, ActivationKind Activation);

/// <summary>
/// A recurrent layer over the whole sequence: the input projections of all steps as one product, then one recurrent
/// product and one fused cell pass per step. <see cref="Workspace"/> keeps what backward through time reads.
/// <see cref="Stateful"/> layers start from the state the previous batch ended in, and keep the final one.
/// </summary>
internal sealed record RecurrentOp(int Layer, Buffer Input, Buffer Output, Buffer Workspace, ParameterSlice Parameters, RecurrentGeometry Geometry, bool Stateful) : Op;

/// <summary>Convolution (im2col into <see cref="Columns"/>, GEMM, bias and activation fused), NCHW, W [outC, inC, kH, kW].</summary>
internal sealed record ConvOp(Buffer Input, Buffer Output, Buffer Columns, ParameterSlice Weights, ParameterSlice Bias, ConvGeometry Geometry, ActivationKind Activation, double Alpha) : Op;

/// <summary>Max pooling; training records each window's argmax for the backward scatter (none at inference).</summary>
internal sealed record MaxPoolOp(Buffer Input, Buffer Output, Buffer? Argmax, PoolGeometry Geometry) : Op;

/// <summary>Average pooling.</summary>
internal sealed record AvgPoolOp(Buffer Input, Buffer Output, PoolGeometry Geometry) : Op;

/// <summary>Inverted dropout: a mask drawn from (seed, layer, training step), applied and kept for backward.</summary>
internal sealed record DropoutOp(int Layer, Buffer Input, Buffer Output, Buffer Mask, double Rate) : Op;

/// <summary>
/// Runs <see cref="Inner"/> only while layer <see cref="Layer"/> is trainable at run time (SetTrainable): a frozen
/// layer computes no weight gradients, and the input gradient, lowered outside it, still flows through.
/// </summary>
internal sealed record WhenTrainableOp(int Layer, Op Inner) : Op;

/// <summary>Additive Gaussian noise, training only: stddev·N(0, 1) drawn from (seed, layer, training step).</summary>
internal sealed record GaussianNoiseOp(int Layer, Buffer Input, Buffer Output, double StdDev) : Op;

/// <summary>Masking noise, training only: each value zeroed with probability Rate (mask 0 or 1 from (seed, layer, step)), kept for backward.</summary>
internal sealed record MaskingNoiseOp(int Layer, Buffer Input, Buffer Output, Buffer Mask, double Rate) : Op;

/// <summary>dX = dY times the fold: the backward of a layer whose output is its input plus something independent of it.</summary>
internal sealed record PassGradientOp(Buffer OutputGradient, Buffer InputGradient, Fold Fold) : Op;

/// <summary>Copies a buffer (inference: the last layer passed its input through, so it is copied out).</summary>
internal sealed record CopyOp(Buffer Source, Buffer Destination, int Size) : Op;

// ---- loss -----------------------------------------------------------------------------------------------------

/// <summary>How the loss meets the output layer: which fused kernel computes loss and dL/dz in one pass.</summary>
internal enum LossFusion
{
    /// <summary>Softmax and cross-entropy from logits: dL/dz = (y·Σt − t)/batch per row, (y − t)/batch for one-hot targets.</summary>
    SoftmaxCrossEntropy,
    /// <summary>Sigmoid and binary cross-entropy from logits: dL/dz = (y − t)/batch.</summary>
    SigmoidBinaryCrossEntropy,
    /// <summary>½‖y − t‖² through a softmax output (its Jacobian is not elementwise).</summary>
    SoftmaxMeanSquaredError,
    /// <summary>½‖y − t‖² with the output activation's elementwise derivative folded in.</summary>
    MeanSquaredError,
}

/// <summary>
/// The mean loss over the batch, returned, and dL/dz of the output producer written to <see cref="Gradient"/>.
/// The planner decided which layer produced <see cref="Output"/> and so which derivative is folded.
/// A sequence output has <see cref="Rows"/> = steps rows of <see cref="Size"/> per sample, and the loss averages over
/// batch and steps (one label per step).
/// </summary>
internal sealed record LossOp(LossFusion Fusion, Buffer Output, Buffer Gradient, int Size, ActivationKind Activation, double Alpha, int Rows = 1) : Op;

// ---- backward -------------------------------------------------------------------------------------------------

/// <summary>dZ = dY · f'(Y) in place: a layer whose derivative nobody above could fold applies its own.</summary>
internal sealed record ActivationDerivativeOp(Buffer Activations, Buffer Gradient, ActivationKind Activation, double Alpha) : Op;

/// <summary>
/// Dense backward: dW = dZᵀ·X and db = Σ dZ into <see cref="WeightGradients"/>/<see cref="BiasGradients"/> (when
/// <see cref="ComputeParameterGradients"/>), and dX = dZ·W times the fold (when <see cref="InputGradient"/> is set).
/// </summary>
internal sealed record DenseBackwardOp(int Layer, Buffer OutputGradient, Buffer Input, ParameterSlice Weights, ParameterSlice Bias, bool ComputeParameterGradients, Buffer? InputGradient, Fold Fold, int In, int Out, int Rows = 1) : Op;

/// <summary>Embedding backward: dW = 0, then each token's output gradient scatter-added into its row (no dense product).</summary>
internal sealed record EmbeddingBackwardOp(int Layer, Buffer Tokens, Buffer OutputGradient, ParameterSlice Weights, int Vocabulary, int Dimension) : Op;

/// <summary>
/// Backward through time over the sequence the forward ran: overwrites the layer's parameter gradients (cleared again
/// when the layer is frozen at run time: the kernel computes them together with dX) and writes dX when
/// <see cref="InputGradient"/> is set. A stateful layer's gradient stops at the batch boundary (truncated BPTT).
/// </summary>
internal sealed record RecurrentBackwardOp(int Layer, Buffer OutputGradient, Buffer Workspace, ParameterSlice Parameters, bool ComputeParameterGradients, Buffer? InputGradient, RecurrentGeometry Geometry) : Op;

/// <summary>Convolution backward: dW and db from the columns, then dX through col2im (the columns are reused for Wᵀ·dZ).</summary>
internal sealed record ConvBackwardOp(Buffer OutputGradient, Buffer Columns, ParameterSlice Weights, ParameterSlice Bias, bool ComputeParameterGradients, Buffer? InputGradient, Fold Fold, ConvGeometry Geometry) : Op;

/// <summary>Max-pool backward: dY scattered to the recorded argmax positions, times the fold.</summary>
internal sealed record MaxPoolBackwardOp(Buffer OutputGradient, Buffer Argmax, Buffer InputGradient, Fold Fold, PoolGeometry Geometry) : Op;

/// <summary>Average-pool backward: dY/size² spread over each window, times the fold.</summary>
internal sealed record AvgPoolBackwardOp(Buffer OutputGradient, Buffer InputGradient, Fold Fold, PoolGeometry Geometry) : Op;

/// <summary>Dropout backward: dX = dY · mask, times the fold.</summary>
internal sealed record DropoutBackwardOp(Buffer OutputGradient, Buffer Mask, Buffer InputGradient, Fold Fold, int Size) : Op;
