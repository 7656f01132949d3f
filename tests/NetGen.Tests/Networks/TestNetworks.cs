namespace NetGen.Tests.Networks;

// Networks the gradient checks compile. Small ones go through the unrolled scalar path (≤ 256 weights per layer),
// the wide ones through the SIMD kernels, so both emission paths are checked against the same reference.

[Network(Loss.MeanSquaredError)]
[Input(5)]
[Dense(7, Activation.Sigmoid)]
[Dense(3)]
public partial class SigmoidMse { }

[Network(Loss.MeanSquaredError)]
[Input(5)]
[Dense(7, Activation.Tanh)]
[Dense(3, Activation.Tanh)]
public partial class TanhMse { }

[Network(Loss.MeanSquaredError)]
[Input(5)]
[Dense(7, Activation.ReLU)]
[Dense(3, Activation.Sigmoid)]
public partial class ReluMse { }

[Network(Loss.MeanSquaredError)]
[Input(5)]
[Dense(7, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(3, Activation.LeakyReLU)]
public partial class LeakyMse { }

[Network(Loss.MeanSquaredError)]
[Input(5)]
[Dense(7, Activation.ELU, Alpha = 0.7)]
[Dense(3, Activation.ELU)]
public partial class EluMse { }

[Network(Loss.MeanSquaredError)]
[Input(4)]
[Dense(5, Activation.Sigmoid)]
[Dense(3, Activation.Softmax)]
public partial class SoftmaxMse { }

[Network(Loss.CrossEntropy)]
[Input(6)]
[Dense(8, Activation.Tanh)]
[Dense(4, Activation.Softmax)]
public partial class TanhCrossEntropy { }

[Network(Loss.BinaryCrossEntropy)]
[Input(4)]
[Dense(5, Activation.ELU)]
[Dense(3, Activation.Sigmoid)]
public partial class EluBinaryCrossEntropy { }

[Network(Loss.BinaryCrossEntropy)]
[Input(3)]
[Dense(4, Activation.ReLU, Bias = false)]
[Dense(1, Activation.Sigmoid)]
public partial class SingleOutputBce { }

[Network(Loss.CrossEntropy)]
[Input(40)]
[Dense(30, Activation.LeakyReLU)]
[Dense(20, Activation.ELU)]
[Dense(12, Activation.Sigmoid, Bias = false)]
[Dense(10, Activation.Softmax)]
public partial class WideCrossEntropy { }

[Network(Loss.MeanSquaredError)]
[Input(33)]
[Dense(17, Activation.Tanh)]
[Dense(9, Activation.ReLU)]
public partial class WideTanhMse { }

[Network(Loss.MeanSquaredError)]
[Input(10)]
[Dense(12, Activation.Tanh, Trainable = false)]
[Dense(6, Activation.Sigmoid)]
[Dense(3)]
public partial class FrozenFirst { }

[Network(Loss.MeanSquaredError)]
[Input(2, 3, 3)]
[Flatten]
[Dense(5, Activation.Sigmoid)]
[Dense(2)]
public partial class ImageFlatten { }

[Network(Loss.CrossEntropy)]
[Input(20)]
[Dense(30, Activation.ReLU)]
[Dropout(0.3)]
[Dense(15, Activation.Tanh)]
[Dropout(0.5)]
[Dense(4, Activation.Softmax)]
public partial class DropoutCrossEntropy { }
