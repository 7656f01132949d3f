using NetGen;

/// <summary>The course's autoencoder: 4-6-4-2-4-6-4, tanh, a linear 2-unit code and a linear reconstruction.</summary>
[Network(Loss.MeanSquaredError)]
[Input(4)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Tanh)]
[Dense(2, Name = "code")]
[Dense(4, Activation.Tanh)]
[Dense(6, Activation.Tanh)]
[Dense(4)]
public partial class IrisAutoencoder { }
