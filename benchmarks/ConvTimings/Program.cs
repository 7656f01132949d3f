using System;
using System.Diagnostics;
using NetGen;
using NetGen.Kernels;

// Stopwatch harness for the Fashion-MNIST convnet at batch 64: the whole TrainBatch + Adam step in samples/s, then
// each step the generator emits for it (the same kernel calls, literal sizes copied from the generated code), µs per
// call, best of many short windows. Usage: ConvTimings [seconds] [threads]
const int B = 64;
double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
if (args.Length > 1) Parallelism.MaxDegreeOfParallelism = int.Parse(args[1]);

var rng = new SplitMix(7);
float[] Rand(int n, float s) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (2 * rng.NextFloat() - 1) * s; return a; }
float[] Pixels(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = rng.NextFloat(); return a; }

var x = Pixels(B * 784);
var labels = new int[B]; for (int n = 0; n < B; n++) labels[n] = rng.NextInt(10);

var net = new FashionConv(seed: 1);
var adam = new Adam(1e-3f);
for (int i = 0; i < 100; i++) { net.TrainBatch(x, labels, B); adam.Step(net); }
double best = 0;
long alloc0 = GC.GetAllocatedBytesForCurrentThread(), allAlloc0 = GC.GetTotalAllocatedBytes(true);
int steps = 0;
var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
while (Stopwatch.GetTimestamp() < end)
{
    const int reps = 20;
    long t0 = Stopwatch.GetTimestamp();
    for (int i = 0; i < reps; i++) { net.TrainBatch(x, labels, B); adam.Step(net); }
    double s = (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
    best = Math.Max(best, reps * B / s);
    steps += reps;
}
long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0, allAlloc = GC.GetTotalAllocatedBytes(true) - allAlloc0;
Console.WriteLine($"threads={Parallelism.MaxDegreeOfParallelism}  TrainBatch+Adam: {best,8:N0} samples/s ({B / best * 1e3:F2} ms/step; best 20-step window over {seconds}s; {alloc / (double)steps:F1} B/step allocated on this thread, {allAlloc / (double)steps:F1} in the process)");

// The generated steps, on the harness's own buffers.
var p = Rand(289630, 0.05f); var g = new float[289630];
var a1 = new float[B * 11520]; var col = new float[B * 14400]; var a2 = new float[B * 2880]; var arg = new int[B * 2880];
var a3 = new float[B * 100]; var a4 = new float[B * 10]; var d4 = new float[B * 10]; var d3 = new float[B * 100]; var d2 = Rand(B * 2880, 1f); var d1 = new float[B * 11520];
Span<float> P(int o, int n) => p.AsSpan(o, n);
Span<float> G(int o, int n) => g.AsSpan(o, n);

int degree = Parallelism.MaxDegreeOfParallelism;
// Best of 40 windows of 10 calls, alternating one thread and the chosen degree so both see the same machine noise.
(double Serial, double Parallel) Time(Action a)
{
    double t1 = double.MaxValue, tn = double.MaxValue;
    for (int r = 0; r < 42; r++)
    {
        Parallelism.MaxDegreeOfParallelism = r % 2 == 0 ? 1 : degree;
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 10; i++) a();
        double t = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency / 10;
        if (r < 2) continue; // warm-up
        if (r % 2 == 0) t1 = Math.Min(t1, t); else tn = Math.Min(tn, t);
    }
    Parallelism.MaxDegreeOfParallelism = degree;
    return (t1, tn);
}

var rows = new (string Name, Action Run)[]
{
    ("conv forward (im2col+GEMM+ReLU)", () => ConvKernels.Forward<ReLU>(x, P(0, 500), P(500, 20), a1, col, B, 1, 28, 28, 20, 5, 5, 1, 0, 0, 24, 24, 0f)),
    ("maxpool forward", () => PoolKernels.MaxForward(a1, a2, arg, B, 20, 24, 24, 2, 2, 12, 12)),
    ("dense3 forward 2880->100", () => DenseKernels.Forward<ReLU>(a2, P(520, 288000), P(288520, 100), a3, B, 2880, 100, 0f)),
    ("dense4 forward 100->10", () => DenseKernels.Forward<Identity>(a3, P(288620, 1000), P(289620, 10), a4, B, 100, 10, 0f)),
    ("softmax+CE", () => LossKernels.SoftmaxCrossEntropy(a4, labels, d4, B, 10)),
    ("dense4 dW", () => DenseKernels.BackwardWeights(d4, a3, G(288620, 1000), G(289620, 10), B, 100, 10)),
    ("dense4 dX (ReLU')", () => DenseKernels.BackwardInput<ReLU>(d4, P(288620, 1000), a3, d3, B, 100, 10, 0f)),
    ("dense3 dW", () => DenseKernels.BackwardWeights(d3, a2, G(520, 288000), G(288520, 100), B, 2880, 100)),
    ("dense3 dX", () => DenseKernels.BackwardInput<Identity>(d3, P(520, 288000), default, d2, B, 2880, 100, 0f)),
    ("maxpool backward (ReLU')", () => PoolKernels.MaxBackward<ReLU>(d2, arg, a1, d1, B, 20, 24, 24, 2, 2, 12, 12, 0f)),
    ("conv dW/db", () => ConvKernels.BackwardWeights(d1, col, G(0, 500), G(500, 20), B, 20, 25, 576)),
    ("conv dX (not in FashionConv; 20->20 5x5 pad 2 on 12x12)", null!),
    ("adam step", () => adam.Step(net)),
};
// A conv dX case shaped like a second conv layer: 20×12×12 → 20×12×12 (5×5, Same), so col2im has work.
var x2 = Rand(B * 2880, 1f); var w2 = Rand(20 * 500, 0.05f); var y2 = new float[B * 2880]; var col2 = new float[B * 500 * 144]; var dx2 = new float[B * 2880];
rows[11].Run = () => ConvKernels.BackwardInput<ReLU>(y2, w2, x2, dx2, col2, B, 20, 12, 12, 20, 5, 5, 1, 2, 2, 12, 12, 0f);
double total1 = 0, totalN = 0;
Console.WriteLine($"  {"us per call",-55} {"1 thread",9} {degree + " threads",9}");
void Row(string name, Action run, bool count)
{
    var (t1, tn) = Time(run);
    if (count) { total1 += t1; totalN += tn; }
    Console.WriteLine($"  {name,-55} {t1,9:F1} {tn,9:F1}");
}
foreach (var (name, run) in rows) Row(name, run, !name.StartsWith("conv dX"));
Console.WriteLine($"  {"sum of FashionConv steps",-55} {total1,9:F1} {totalN,9:F1}");
var w2g = new float[20 * 500];
Row("conv2 forward 20->20 5x5 Same on 12x12", () => ConvKernels.Forward<ReLU>(x2, w2, default, y2, col2, B, 20, 12, 12, 20, 5, 5, 1, 2, 2, 12, 12, 0f), false);
Row("conv2 dW", () => ConvKernels.BackwardWeights(y2, col2, w2g, default, B, 20, 500, 144), false);

[Network(Loss.CrossEntropy)]
[Input(1, 28, 28)]
[Conv2D(20, kernel: 5, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Dense(100, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionConv { }
