namespace NetGen.Tests.Sequences;

// Small recurrent networks the sequence tests train and check. Sizes are small and distinct, so a transposed
// index or a swapped extent cannot pass by symmetry.

/// <summary>Next-token model: ids → Embedding → LSTM over every step → softmax at every step.</summary>
[Network(Loss.CrossEntropy)]
[Input(7)]
[Embedding(11, 5)]
[LSTM(6, ReturnSequences = true)]
[Dense(11, Activation.Softmax)]
public partial class TinyNextToken { }

/// <summary>Sequence regression from the last step: SimpleRNN (tanh) then a linear read-out.</summary>
[Network(Loss.MeanSquaredError)]
[Input(6, 3)]
[SimpleRNN(5)]
[Dense(2)]
public partial class TinySimpleRnn { }

/// <summary>Two stacked LSTMs, the first returning every step, classified from the last step.</summary>
[Network(Loss.CrossEntropy)]
[Input(5, 4)]
[LSTM(7, ReturnSequences = true)]
[LSTM(6)]
[Dense(3, Activation.Softmax)]
public partial class TwoLayerLstm { }

/// <summary>A time-distributed hidden layer below an LSTM, and a SimpleRNN (ReLU) returning every step on top.</summary>
[Network(Loss.MeanSquaredError)]
[Input(4, 3)]
[Dense(5, Activation.Tanh)]
[LSTM(4, ReturnSequences = true, ForgetGateBias = 1)]
[SimpleRNN(3, Activation.ReLU, ReturnSequences = true)]
[Dense(2, Activation.Sigmoid)]
public partial class MixedSequence { }
