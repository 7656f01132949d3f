using System;
using NetGen;

// sin(x) on [−π, π] with the course's 1-3-1 network: three tanh units and a linear output, trained full-batch with Adam.
const int Points = 64;
var x = new float[Points];
var t = new float[Points];
for (int i = 0; i < Points; i++)
{
    x[i] = -MathF.PI + 2 * MathF.PI * i / (Points - 1);
    t[i] = MathF.Sin(x[i]);
}

var net = new SinusNet(seed: 3);
var adam = new Adam(learningRate: 0.01f);
for (int epoch = 1; epoch <= 3000; epoch++)
{
    float loss = net.TrainBatch(x, t, Points);
    adam.Step(net);
    if (epoch % 500 == 0) Console.WriteLine($"epoch {epoch,4}: loss {loss:E3}");
}

// Mean squared error on a finer grid than the training points.
const int Grid = 201;
var gx = new float[Grid];
var gy = new float[Grid];
for (int i = 0; i < Grid; i++) gx[i] = -MathF.PI + 2 * MathF.PI * i / (Grid - 1);
net.Predict(gx, gy, Grid);
double mse = 0;
for (int i = 0; i < Grid; i++) mse += Math.Pow(gy[i] - Math.Sin(gx[i]), 2) / Grid;
Console.WriteLine($"mean squared error on a {Grid}-point grid: {mse:E3}");
for (int i = 0; i < Grid; i += 25) Console.WriteLine($"  sin({gx[i],6:F3}) = {Math.Sin(gx[i]),7:F4}   net: {gy[i],7:F4}");

[Network(Loss.MeanSquaredError)]
[Input(1)]
[Dense(3, Activation.Tanh)]
[Dense(1)]
public partial class SinusNet { }
