using System;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using NetGen.Kernels;

// Stopwatch harness: one training step of a 784-128(ReLU)-10(softmax, cross-entropy) MLP at batch 64,
// written the way the generator emits it: kernel calls with literal sizes, one flat buffer per role.
// Prints samples/s for forward+backward and for forward+backward+Adam. Usage: KernelTimings [seconds] [threads]
const int B = 64, I = 784, H = 128, O = 10;
double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
if (args.Length > 1) Parallelism.MaxDegreeOfParallelism = int.Parse(args[1]);

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
        // A fused, vectorized Adam pass standing in for the runtime's optimizer (not this harness's subject).
        t++;
        const float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        float c1 = 1f / (1f - MathF.Pow(b1, t)), c2 = 1f / (1f - MathF.Pow(b2, t));
        var M = m.AsSpan(); var V = v.AsSpan();
        int i = 0;
        for (; i + 8 <= P.Length; i += 8)
        {
            var g = Vector256.Create<float>(G.Slice(i));
            var mi = Vector256.Create(b1) * Vector256.Create<float>(M.Slice(i)) + Vector256.Create(1 - b1) * g;
            var vi = Vector256.Create(b2) * Vector256.Create<float>(V.Slice(i)) + Vector256.Create(1 - b2) * g * g;
            mi.CopyTo(M.Slice(i)); vi.CopyTo(V.Slice(i));
            var p = Vector256.Create<float>(P.Slice(i)) - Vector256.Create(lr * c1) * mi / (Vector256.Sqrt(vi * Vector256.Create(c2)) + Vector256.Create(eps));
            p.CopyTo(P.Slice(i));
        }
        for (; i < P.Length; i++)
        {
            float g = G[i];
            float mi = M[i] = b1 * M[i] + (1 - b1) * g;
            float vi = V[i] = b2 * V[i] + (1 - b2) * g * g;
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
Console.WriteLine($"threads={Parallelism.MaxDegreeOfParallelism}  fwd+bwd: {fb,10:N0} samples/s   fwd+bwd+adam: {fba,10:N0} samples/s   (best 100-step window over {seconds}s each; allocated {alloc1 - alloc0} B)");

// Per-kernel breakdown, microseconds per call (best of many).
double Time(Action a)
{
    for (int i = 0; i < 50; i++) a();
    double best = double.MaxValue;
    for (int r = 0; r < 30; r++)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 20; i++) a();
        best = Math.Min(best, (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency / 20);
    }
    return best;
}
Console.WriteLine($"  us/call: fwd1 {Time(() => DenseKernels.Forward<ReLU>(x, parameters.AsSpan(p1, H * I), parameters.AsSpan(pb1, H), h, B, I, H, 0f)):F1}"
    + $"  fwd2 {Time(() => DenseKernels.Forward<Identity>(h, parameters.AsSpan(p2, O * H), parameters.AsSpan(pb2, O), z, B, H, O, 0f)):F1}"
    + $"  loss {Time(() => LossKernels.SoftmaxCrossEntropy(z, labels, dz, B, O)):F1}"
    + $"  bww2 {Time(() => DenseKernels.BackwardWeights(dz, h, grads.AsSpan(p2, O * H), grads.AsSpan(pb2, O), B, H, O)):F1}"
    + $"  bwi2 {Time(() => DenseKernels.BackwardInput<ReLU>(dz, parameters.AsSpan(p2, O * H), h, dh, B, H, O, 0f)):F1}"
    + $"  bww1 {Time(() => DenseKernels.BackwardWeights(dh, x, grads.AsSpan(p1, H * I), grads.AsSpan(pb1, H), B, I, H)):F1}");

// The shapes the kernel work is judged on: each layer of the MLP at batch 1, 64 and 256 (forward), and at batch 64
// its weight and input gradients. µs per call, best of many windows.
if (args.Length > 2 && args[2] == "shapes")
{
    foreach (var (inSize, outSize) in new[] { (784, 128), (128, 10) })
        foreach (int batch in new[] { 1, 64, 256 })
        {
            var xs = Rand(batch * inSize, 1f); var ws = Rand(outSize * inSize, 0.05f); var bs = Rand(outSize, 0.05f);
            var ys = new float[batch * outSize]; var gw = new float[outSize * inSize]; var gb = new float[outSize]; var gx = new float[batch * inSize];
            string line = $"  {inSize}->{outSize} batch {batch,3}: forward(ReLU) {Time(() => DenseKernels.Forward<ReLU>(xs, ws, bs, ys, batch, inSize, outSize, 0f)),8:F1} us";
            if (batch == 64)
                line += $"   dW {Time(() => DenseKernels.BackwardWeights(ys, xs, gw, gb, batch, inSize, outSize)),8:F1} us"
                    + $"   dX(ReLU') {Time(() => DenseKernels.BackwardInput<ReLU>(ys, ws, xs, gx, batch, inSize, outSize, 0f)),8:F1} us";
            Console.WriteLine(line);
        }
}
