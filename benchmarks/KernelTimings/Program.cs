using System;
using System.Diagnostics;
using NetGen.Kernels;

// Stopwatch harness: one training step of a 784-128(ReLU)-10(softmax, cross-entropy) MLP at batch 64,
// written the way the generator emits it: kernel calls with literal sizes, one flat buffer per role.
// Prints samples/s for forward+backward and for forward+backward+Adam. Usage: KernelTimings [seconds] [threads]
const int B = 64, I = 784, H = 128, O = 10;
double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
if (args.Length > 1) WorkerPool.MaxDegreeOfParallelism = int.Parse(args[1]);

var rng = new SplitMix(42);
float[] Rand(int n, float s) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (2 * rng.NextFloat() - 1) * s; return a; }
var x = Rand(B * I, 1f);
var labels = new int[B]; for (int n = 0; n < B; n++) labels[n] = rng.NextInt(O);
int p1 = 0, pb1 = H * I, p2 = pb1 + H, pb2 = p2 + O * H, pCount = pb2 + O;
var parameters = new float[pCount];
Rand(pCount, 0.05f).CopyTo(parameters, 0);
var grads = new float[pCount];
var m = new float[pCount]; var v = new float[pCount];
var h = new float[B * H]; var z = new float[B * O]; var dz = new float[B * O]; var dh = new float[B * H];
int t = 0;

void Step(bool adam)
{
    var P = parameters.AsSpan(); var G = grads.AsSpan();
    DenseKernels.Forward<ReLU>(x, P.Slice(p1, H * I), P.Slice(pb1, H), h, B, I, H, 0f);
    DenseKernels.Forward<Identity>(h, P.Slice(p2, O * H), P.Slice(pb2, O), z, B, H, O, 0f);
    LossKernels.SoftmaxCrossEntropy(z, labels, dz, B, O);
    DenseKernels.BackwardWeights(dz, h, G.Slice(p2, O * H), G.Slice(pb2, O), B, H, O);
    DenseKernels.BackwardInput<ReLU>(dz, P.Slice(p2, O * H), h, dh, B, H, O, 0f);
    DenseKernels.BackwardWeights(dh, x, G.Slice(p1, H * I), G.Slice(pb1, H), B, I, H);
    if (adam)
    {
        // A plain fused Adam pass (the runtime's optimizer is not this project's concern).
        t++;
        const float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        float c1 = 1f / (1f - MathF.Pow(b1, t)), c2 = 1f / (1f - MathF.Pow(b2, t));
        for (int i = 0; i < P.Length; i++)
        {
            float g = G[i];
            float mi = m[i] = b1 * m[i] + (1 - b1) * g;
            float vi = v[i] = b2 * v[i] + (1 - b2) * g * g;
            P[i] -= lr * (mi * c1) / (MathF.Sqrt(vi * c2) + eps);
        }
    }
}

double Measure(bool adam)
{
    for (int i = 0; i < 200; i++) Step(adam);
    var best = 0.0;
    var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
    while (Stopwatch.GetTimestamp() < end)
    {
        int reps = 100;
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < reps; i++) Step(adam);
        double s = (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
        best = Math.Max(best, reps * B / s);
    }
    return best;
}

long alloc0 = GC.GetTotalAllocatedBytes(true);
double fb = Measure(false), fba = Measure(true);
long alloc1 = GC.GetTotalAllocatedBytes(true);
Console.WriteLine($"threads={WorkerPool.MaxDegreeOfParallelism}  fwd+bwd: {fb,10:N0} samples/s   fwd+bwd+adam: {fba,10:N0} samples/s   (best 100-step window over {seconds}s each; allocated {alloc1 - alloc0} B)");
