using NetGen;

namespace FashionMnist;

/// <summary>The main job's MLP: 784-256-128-10, ReLU, a little dropout, softmax with cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dropout(0.2)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionMlp { }

/// <summary>Placeholder until the convnet lands: the same MLP.</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dropout(0.2)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionConv { }
