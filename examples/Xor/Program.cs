using System;
using NetGen;

// XOR, the classic problem a single layer cannot solve: a 2-2-1 sigmoid network trained by plain SGD on MSE.
var net = new XorNet(seed: 1);
var sgd = new Sgd(learningRate: 2f);
float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1];
float[] targets = [0, 1, 1, 0];

for (int epoch = 1; epoch <= 5000; epoch++)
{
    float loss = net.TrainBatch(inputs, targets, batchSize: 4);   // full-batch gradient descent
    sgd.Step(net);
    if (epoch % 1000 == 0) Console.WriteLine($"epoch {epoch,5}: loss {loss:F6}");
}

var output = new float[1];
for (int i = 0; i < 4; i++)
{
    net.Forward(inputs.AsSpan(i * 2, 2), output);
    Console.WriteLine($"{inputs[i * 2]} xor {inputs[i * 2 + 1]} = {output[0]:F3} (target {targets[i]})");
}

[Network(Loss.MeanSquaredError)]
[Input(2)]
[Dense(2, Activation.Sigmoid)]
[Dense(1, Activation.Sigmoid)]
public partial class XorNet { }
