namespace NetGen.Tests.Networks;

// Convolutional networks the conv gradient checks and learning tests compile. Every spatial case the kernels
// special-case (stride 1 vs 2, padding 0/1/Same, rectangular kernels, 1 and 3 channels, non-square images,
// pooling with stride = size, > size and < size) appears at least once, always followed by Dense layers.

/// <summary>The declaration contract, verbatim.</summary>
[Network(Loss.CrossEntropy)]
[Input(1, 28, 28)]
[Conv2D(20, kernel: 5, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Dense(100, Activation.ReLU)]   // flattens implicitly in C×H×W order
[Dense(10, Activation.Softmax)]
public partial class LeNetish { }

[Network(Loss.CrossEntropy)]
[Input(1, 6, 7)]
[Conv2D(3, 3, Activation = Activation.ReLU)]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class ConvBasic { }

[Network(Loss.MeanSquaredError)]
[Input(3, 7, 9)]
[Conv2D(4, 3, Stride = 2, Padding = 1, Activation = Activation.Tanh)]
[Dense(3)]
public partial class ConvStride2Pad1 { }

[Network(Loss.CrossEntropy)]
[Input(3, 7, 9)]
[Conv2D(2, 3, KernelWidth = 5, Padding = Padding.Same, Activation = Activation.LeakyReLU, Alpha = 0.1)]
[Conv2D(3, 3, Stride = 2, Activation = Activation.Sigmoid)]
[Dense(4, Activation.Softmax)]
public partial class ConvSameRect { }

// Deliberately drops a row and a column (floor semantics): NG0021 would warn, and the reference must agree.
#pragma warning disable NG0021
[Network(Loss.MeanSquaredError)]
[Input(1, 8, 7)]
[Conv2D(2, 2, KernelHeight = 3, Activation = Activation.ELU, Alpha = 0.5)]
[Conv2D(3, 1, KernelWidth = 3, Stride = 2, Padding = 1, Activation = Activation.Tanh)]
[Dense(2)]
public partial class ConvRectStride2 { }
#pragma warning restore NG0021

[Network(Loss.CrossEntropy)]
[Input(2, 8, 8)]
[Conv2D(4, 3, Padding = 1, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Dense(6, Activation.ELU)]
[Dense(3, Activation.Softmax)]
public partial class ConvMaxPool { }

[Network(Loss.BinaryCrossEntropy)]
[Input(2, 7, 7)]
[Conv2D(3, 3, Padding = 1, Activation = Activation.ELU)]
[MaxPool2D(3, Stride = 2)]
[Dense(2, Activation.Sigmoid)]
public partial class ConvMaxPoolOverlap { }

[Network(Loss.CrossEntropy)]
[Input(1, 9, 9)]
[Conv2D(2, 2, Activation = Activation.Sigmoid)]
[MaxPool2D(2, Stride = 3)]
[Dense(3, Activation.Softmax)]
public partial class ConvMaxPoolGaps { }

[Network(Loss.MeanSquaredError)]
[Input(1, 10, 10)]
[Conv2D(3, 2, Activation = Activation.Tanh, Bias = false)]
[AvgPool2D(3, Stride = 2)]
[Dense(2)]
public partial class ConvAvgPoolOverlap { }

[Network(Loss.MeanSquaredError)]
[Input(3, 8, 6)]
[Conv2D(3, 3, Activation = Activation.Tanh)]
[AvgPool2D(2)]
[Conv2D(2, 2, Activation = Activation.ReLU)]
[Flatten]
[Dense(3)]
public partial class ConvAvgPoolConv { }

[Network(Loss.MeanSquaredError)]
[Input(1, 6, 6)]
[Conv2D(2, 3, Activation = Activation.Tanh, Trainable = false)]
[Conv2D(3, 3, Activation = Activation.ReLU)]
[Dense(2)]
public partial class ConvFrozenFirst { }

[Network(Loss.MeanSquaredError)]
[Input(1, 7, 7)]
[Conv2D(2, 3, Activation = Activation.Tanh)]
[Conv2D(3, 3, Activation = Activation.Sigmoid, Trainable = false)]
[MaxPool2D(2, Stride = 1)]
[Dense(2)]
public partial class ConvFrozenMiddle { }

/// <summary>Wide enough that the GEMM's 4×16 register blocks, its 8-wide and scalar tails all run; the pool drops a column (NG0021, deliberately).</summary>
#pragma warning disable NG0021
[Network(Loss.CrossEntropy)]
[Input(3, 12, 13)]
[Conv2D(9, 3, Padding = 1, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(6, 3, Activation = Activation.Tanh)]
[Dense(5, Activation.Softmax)]
public partial class ConvWide { }
#pragma warning restore NG0021
