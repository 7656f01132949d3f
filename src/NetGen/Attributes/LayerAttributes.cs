using System;

namespace NetGen;

// The declaration language. The generator reads these attributes at compile time; at run time they are inert.
// Layers run in the order their attributes are written on the class.

/// <summary>Marks a partial class as a network and names the loss it trains on.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    public NetworkAttribute(Loss loss) => Loss = loss;
    public Loss Loss { get; }
}

/// <summary>
/// The input shape: <c>(features)</c> for vectors, <c>(steps, features)</c> for sequences (laid out [batch, step,
/// feature], PyTorch's <c>batch_first=True</c>), <c>(channels, height, width)</c> for images. Before an
/// <see cref="EmbeddingAttribute"/>, <c>(steps)</c> is a sequence of token ids.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    public InputAttribute(params int[] shape) => Shape = shape;
    public int[] Shape { get; }
}

/// <summary>Options shared by layers that own weights.</summary>
public abstract class ParameterizedLayerAttribute : Attribute
{
    public Activation Activation { get; set; }
    /// <summary>Weight initialization; <see cref="NetGen.Init.Default"/> picks Glorot, or He for the ReLU family.</summary>
    public Init Init { get; set; }
    public bool Bias { get; set; } = true;
    /// <summary>The LeakyReLU slope (default 0.01) or the ELU α (default 1).</summary>
    public double Alpha { get; set; }
    public string? Name { get; set; }
    /// <summary>False freezes the layer: no gradient is computed for it and optimizers leave it alone.</summary>
    public bool Trainable { get; set; } = true;
}

/// <summary>A fully connected layer: y = f(W·x + b), W stored [out, in] like PyTorch's nn.Linear.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : ParameterizedLayerAttribute
{
    public DenseAttribute(int units, Activation activation = Activation.Identity)
    {
        Units = units;
        Activation = activation;
    }
    public int Units { get; }
}

/// <summary>
/// A dense layer with a rank-limited weight matrix W = U·V, never formed: y = f(U·(V·x) + b). Parameters V [rank, in],
/// then U [units, rank], then b [units]: PyTorch's <c>Sequential(Linear(in, rank, bias=False), Linear(rank, units))</c>.
/// <see cref="LowRank.Factorize"/> fills it from a trained Dense layer by truncated SVD.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LowRankDenseAttribute : ParameterizedLayerAttribute
{
    public LowRankDenseAttribute(int units, int rank, Activation activation = Activation.Identity)
    {
        Units = units;
        Rank = rank;
        Activation = activation;
    }
    public int Units { get; }
    /// <summary>The inner dimension r of W = U·V, 1 to min(inputs, units).</summary>
    public int Rank { get; }
}

/// <summary>
/// Additive Gaussian noise while training: y = x + stddev·ε, ε ~ N(0, 1) drawn from (seed, layer, step) like dropout's
/// masks; the identity at inference. A regularizer, or a denoising autoencoder's corruption.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GaussianNoiseAttribute : Attribute
{
    public GaussianNoiseAttribute(double stddev) => StdDev = stddev;
    public double StdDev { get; }
    public string? Name { get; set; }
}

/// <summary>
/// Masking noise while training: each value is zeroed with probability <c>rate</c> and the rest kept as they are (no
/// rescaling, unlike dropout): the denoising autoencoder's corruption. Masks come from (seed, layer, step); the
/// identity at inference.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaskingNoiseAttribute : Attribute
{
    public MaskingNoiseAttribute(double rate) => Rate = rate;
    public double Rate { get; }
    public string? Name { get; set; }
}

/// <summary>Inverted dropout: while training, zeroes each value with probability <c>rate</c> and scales the rest by 1/(1 − rate); the identity at inference.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    public DropoutAttribute(double rate) => Rate = rate;
    public double Rate { get; }
    public string? Name { get; set; }
}

/// <summary>A 2-D convolution over NCHW activations; W stored [outC, inC, kH, kW] like PyTorch's nn.Conv2d.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : ParameterizedLayerAttribute
{
    public Conv2DAttribute(int filters, int kernel)
    {
        Filters = filters;
        Kernel = kernel;
    }
    public int Filters { get; }
    public int Kernel { get; }
    /// <summary>Overrides the kernel height (0: use <see cref="Kernel"/>).</summary>
    public int KernelHeight { get; set; }
    /// <summary>Overrides the kernel width (0: use <see cref="Kernel"/>).</summary>
    public int KernelWidth { get; set; }
    public int Stride { get; set; } = 1;
    /// <summary>Zero padding on every side, in pixels, or <see cref="NetGen.Padding.Same"/>.</summary>
    public int Padding { get; set; }
}

/// <summary>Max pooling over size×size windows (stride defaults to size).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : Attribute
{
    public MaxPool2DAttribute(int size) => Size = size;
    public int Size { get; }
    /// <summary>0 means the pool size.</summary>
    public int Stride { get; set; }
    public string? Name { get; set; }
}

/// <summary>Average pooling over size×size windows (stride defaults to size).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : Attribute
{
    public AvgPool2DAttribute(int size) => Size = size;
    public int Size { get; }
    /// <summary>0 means the pool size.</summary>
    public int Stride { get; set; }
    public string? Name { get; set; }
}

/// <summary>Flattens C×H×W into a vector in C, H, W order (PyTorch's flatten(1)). Dense does this implicitly.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : Attribute
{
    public string? Name { get; set; }
}

/// <summary>
/// A lookup table of learned vectors, W [vocabulary, dimension] (PyTorch's <c>nn.Embedding.weight</c>), as the first
/// layer after <c>[Input(steps)]</c>: the network then takes token ids (<c>ReadOnlySpan&lt;int&gt;</c> overloads of
/// Predict and TrainBatch; the float overloads take ids as whole numbers) and outputs a sequence of steps × dimension.
/// An id outside [0, vocabulary) is refused with its position and value. Backward scatter-adds into the rows of the
/// ids seen. W starts U[±√3] (unit variance, as nn.Embedding's N(0, 1)).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : Attribute
{
    public EmbeddingAttribute(int vocabulary, int dimension)
    {
        Vocabulary = vocabulary;
        Dimension = dimension;
    }

    public int Vocabulary { get; }
    public int Dimension { get; }
    public string? Name { get; set; }
    /// <summary>False freezes the table (pre-trained vectors): no gradient is computed for it and optimizers leave it alone.</summary>
    public bool Trainable { get; set; } = true;
}

/// <summary>Options shared by the recurrent layers.</summary>
public abstract class RecurrentLayerAttribute : Attribute
{
    /// <summary>
    /// False (the default): the layer outputs the last step's h, a vector. True: every step's h, a sequence, so recurrent
    /// layers stack and a following Dense applies at every step (next-token models).
    /// </summary>
    public bool ReturnSequences { get; set; }

    /// <summary>
    /// <see cref="NetGen.Init.Default"/>: every parameter, biases too, U[±1/√units] (PyTorch's scheme). Otherwise each
    /// weight matrix by the named rule (fan-in: its input width; fan-out: the gate rows) and the biases start at zero.
    /// </summary>
    public Init Init { get; set; }

    /// <summary>
    /// Truncated backpropagation through time over a long stream: each batch starts from the state (h, and c for an
    /// LSTM) the previous batch ended in, row by row, and the gradient stops at the batch boundary. Feed batch row r
    /// the consecutive pieces of stream r, in order, without shuffling. <c>ResetState()</c> starts over from zeros, as
    /// does a batch of another size. Inference carries the state too, so a stateful network is not shared between threads.
    /// </summary>
    public bool Stateful { get; set; }

    public string? Name { get; set; }
    /// <summary>False freezes the layer: no gradient is computed for it and optimizers leave it alone.</summary>
    public bool Trainable { get; set; } = true;
}

/// <summary>
/// An Elman recurrent layer: h_t = f(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), h_{−1} = 0, f tanh (or ReLU).
/// Parameters W_ih [units, in], W_hh [units, units], b_ih [units], b_hh [units]: <c>torch.nn.RNN(batch_first=True)</c>'s,
/// in that order. Backward runs through the whole sequence (BPTT).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRNNAttribute : RecurrentLayerAttribute
{
    public SimpleRNNAttribute(int units, Activation activation = Activation.Tanh)
    {
        Units = units;
        Activation = activation;
    }

    public int Units { get; }
    public Activation Activation { get; }
}

/// <summary>
/// A long short-term memory layer with <c>torch.nn.LSTM(batch_first=True)</c>'s layout, so weights move by copying:
/// W_ih [4·units, in], then W_hh [4·units, units], then b_ih [4·units], then b_hh [4·units], gate rows in the order
/// i (input), f (forget), g (cell candidate), o (output). c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t). The input projections
/// of all steps are one matrix product; each step adds one recurrent product and one fused pass over the gates and the
/// cell. Backward runs through the whole sequence (BPTT), or through each batch when <see cref="RecurrentLayerAttribute.Stateful"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LSTMAttribute : RecurrentLayerAttribute
{
    public LSTMAttribute(int units) => Units = units;

    public int Units { get; }

    /// <summary>
    /// When set, the forget gate's bias starts at this value: b_ih's forget rows take it and b_hh's start at zero, so
    /// the gate's total bias is exactly it. 1 is the usual choice (Jozefowicz et al., 2015): the cell remembers by
    /// default early in training. Unset, the forget biases are drawn like every other parameter.
    /// </summary>
    public double ForgetGateBias { get; set; }
}
