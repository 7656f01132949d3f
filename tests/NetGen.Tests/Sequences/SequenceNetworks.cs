using System;

namespace NetGen.Tests.Sequences;

/// <summary>The ReadOnlySpan&lt;int&gt; members the generator adds to a network whose first layer is an Embedding.</summary>
public interface ITokenNetwork : INetwork
{
    void Forward(ReadOnlySpan<int> tokens, Span<float> output);
    void Predict(ReadOnlySpan<int> tokens, Span<float> outputs, int batchSize);
    void PredictLayer(string layer, ReadOnlySpan<int> tokens, Span<float> outputs, int batchSize);
    void PredictLayer(string layer, ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize);
    float TrainBatch(ReadOnlySpan<int> tokens, ReadOnlySpan<float> targets, int batchSize);
    float TrainBatch(ReadOnlySpan<int> tokens, ReadOnlySpan<int> labels, int batchSize);
}

// Small recurrent networks the sequence tests (gradients, parity, behaviour) train and check. Sizes are small and distinct, so a transposed
// index or a swapped extent cannot pass by symmetry.

/// <summary>Next-token model: ids → Embedding → LSTM over every step → softmax at every step.</summary>
[Network(Loss.CrossEntropy)]
[Input(7)]
[Embedding(11, 5)]
[LSTM(6, ReturnSequences = true)]
[Dense(11, Activation.Softmax)]
public partial class TinyNextToken : ITokenNetwork { }

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

/// <summary>SimpleRNN (ReLU) over every step, a time-distributed linear layer, a last-step SimpleRNN (tanh), then LeakyReLU and ELU on the vector.</summary>
[Network(Loss.MeanSquaredError)]
[Input(5, 3)]
[SimpleRNN(6, Activation.ReLU, ReturnSequences = true)]
[Dense(4)]
[SimpleRNN(5)]
[Dense(4, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(3, Activation.ELU, Alpha = 0.7)]
public partial class RnnStackMse { }

/// <summary>Per-step binary cross-entropy: LSTM over every step, time-distributed ReLU, then sigmoid at every step.</summary>
[Network(Loss.BinaryCrossEntropy)]
[Input(6, 2)]
[LSTM(5, ReturnSequences = true)]
[Dense(4, Activation.ReLU)]
[Dense(3, Activation.Sigmoid)]
public partial class PerStepBce { }

/// <summary>Softmax under MSE at every step, after time-distributed ELU and LeakyReLU layers.</summary>
[Network(Loss.MeanSquaredError)]
[Input(4, 3)]
[SimpleRNN(5, ReturnSequences = true)]
[Dense(6, Activation.ELU, Alpha = 0.5)]
[Dense(5, Activation.LeakyReLU, Alpha = 0.1, Bias = false)]
[Dense(3, Activation.Softmax)]
public partial class PerStepSoftmaxMse { }

/// <summary>Token ids through a small vocabulary (ids repeat), a SimpleRNN over every step, a last-step LSTM, ReLU then softmax.</summary>
[Network(Loss.CrossEntropy)]
[Input(6)]
[Embedding(5, 3)]
[SimpleRNN(4, ReturnSequences = true)]
[LSTM(5)]
[Dense(4, Activation.ReLU)]
[Dense(3, Activation.Softmax)]
public partial class TokenStack : ITokenNetwork { }

/// <summary>Last-step LSTM, then tanh and sigmoid on the vector, under binary cross-entropy.</summary>
[Network(Loss.BinaryCrossEntropy)]
[Input(5, 2)]
[LSTM(4)]
[Dense(3, Activation.Tanh)]
[Dense(2, Activation.Sigmoid)]
public partial class LastStepBce { }

/// <summary>A recurrent layer declared frozen between a trainable Embedding and a trainable LSTM.</summary>
[Network(Loss.CrossEntropy)]
[Input(5)]
[Embedding(7, 3)]
[SimpleRNN(4, ReturnSequences = true, Trainable = false)]
[LSTM(4)]
[Dense(2, Activation.Softmax)]
public partial class DeclaredFrozenRnn : ITokenNetwork { }
