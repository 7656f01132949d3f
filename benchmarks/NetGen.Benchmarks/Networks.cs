namespace NetGen.Benchmarks;

[Network(Loss.MeanSquaredError)]
[Input(1)]
[Dense(3, Activation.Tanh)]
[Dense(1)]
public partial class Tiny131 { }

[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class Mlp784 { }
