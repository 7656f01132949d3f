using NetGen.Generator.Model;

namespace NetGen.Generator.Lowering;

// What each layer contributes to the ONNX inference graph, as plain data with literal sizes. The ONNX emitter turns
// these into calls on the runtime's NetGen.Onnx.OnnxGraphBuilder, which owns the ONNX operators and the protobuf.

/// <summary>One layer's part of the ONNX inference graph; <see cref="Layer"/> is its name in the network.</summary>
internal abstract record OnnxOp(string Layer);

/// <summary>Gemm (transB = 1) then the activation's node.</summary>
internal sealed record OnnxDenseOp(string Layer, int In, int Out, ParameterSlice Weights, ParameterSlice Bias, ActivationKind Activation, double Alpha) : OnnxOp(Layer);

/// <summary>Conv with symmetric pads, then the activation's node.</summary>
/// <summary>A low-rank Dense layer: two Gemms, x·Vᵀ (no bias) then ·Uᵀ + b, with the activation; W = U·V is never formed.</summary>
internal sealed record OnnxLowRankDenseOp(string Layer, int In, int Rank, int Out, ParameterSlice V, bool HasBias, ActivationKind Activation, double Alpha) : OnnxOp(Layer);

internal sealed record OnnxConvOp(string Layer, ConvGeometry Geometry, ParameterSlice Weights, ParameterSlice Bias, ActivationKind Activation, double Alpha) : OnnxOp(Layer);

/// <summary>MaxPool or AveragePool, no padding.</summary>
internal sealed record OnnxPoolOp(string Layer, bool Max, int Size, int Stride) : OnnxOp(Layer);

/// <summary>Flatten(axis 1).</summary>
internal sealed record OnnxFlattenOp(string Layer) : OnnxOp(Layer);

/// <summary>A layer that is the identity at inference (Dropout): nothing in the graph.</summary>
internal sealed record OnnxIdentityOp(string Layer, string Kind) : OnnxOp(Layer);

/// <summary>A layer kind the exporter cannot write: the export throws NotSupportedException naming it.</summary>
internal sealed record OnnxUnsupportedOp(string Layer, string Kind) : OnnxOp(Layer);

/// <summary>Gather: token ids to rows of W [vocabulary, dimension].</summary>
internal sealed record OnnxEmbeddingOp(string Layer, int Vocabulary, int Dimension, ParameterSlice Weights) : OnnxOp(Layer);

/// <summary>ONNX's LSTM or RNN, batch-first, from PyTorch's flat layout; every step's h or the last.</summary>
internal sealed record OnnxRecurrentOp(string Layer, RecurrentGeometry Geometry, ParameterSlice Parameters) : OnnxOp(Layer);
