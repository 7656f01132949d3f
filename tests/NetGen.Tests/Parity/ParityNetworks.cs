namespace NetGen.Tests.Parity;

[Network(Loss.CrossEntropy)]
[Input(1, 28, 28)]
[Conv2D(20, kernel: 5, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Dense(100, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class ParityLeNet { }

[Network(Loss.CrossEntropy)]
[Input(3, 11, 7)]
[Conv2D(4, kernel: 3, Stride = 2, Padding = 1, Activation = Activation.Tanh)]
[MaxPool2D(2)]
[Conv2D(5, kernel: 2, KernelWidth = 1, Activation = Activation.ELU, Bias = false)]
[AvgPool2D(2)]
[Dense(6, Activation.LeakyReLU, Alpha = 0.1)]
[Dense(3, Activation.Softmax)]
public partial class ParityMixedConv { }

[Network(Loss.BinaryCrossEntropy)]
[Input(12)]
[Dense(9, Activation.ELU, Alpha = 0.5)]
[Dense(4, Activation.Sigmoid)]
public partial class ParityBce { }

[Network(Loss.MeanSquaredError)]
[Input(2, 4, 4)]
[Conv2D(3, kernel: 3, Padding = Padding.Same, Activation = Activation.Sigmoid)]
[Flatten]
[Dense(5, Activation.Softmax)]
public partial class ParitySoftmaxMse { }

// Low-rank layers through both emission paths: the first's factors call the kernels, the later ones are unrolled.
[Network(Loss.CrossEntropy)]
[Input(24)]
[LowRankDense(300, 20, Activation.Tanh)]
[LowRankDense(18, 7, Activation.LeakyReLU, Bias = false)]
[LowRankDense(4, 2, Activation.Softmax)]
public partial class ParityLowRank { }

[Network(Loss.MeanSquaredError)]
[Input(5)]
[Dense(6, Activation.Sigmoid)]
[LowRankDense(3, 2)]
public partial class ParityLowRankMse { }

[Network(Loss.CrossEntropy)]
[Input(6)]
[GaussianNoise(0.5)]
[Dense(8, Activation.Tanh)]
[MaskingNoise(0.4)]
[Dense(3, Activation.Softmax)]
public partial class ParityNoise { }
