using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NetGen;
using NetGen.Data;
using NetGen.Kernels;

// NetGen's side of benchmarks/compare.sh: the workloads W1-W3 and the GEMMs at their shapes, timed with the same rule
// as benchmarks/peer/peerbench.py (best ~25 ms window over --seconds after a 0.5 s warm-up), on the same Fashion-MNIST
// images. Prints one tab-separated line per case: case, threads, value, unit. Lines starting with # are notes.
// Usage: dotnet run -c Release --project benchmarks/Compare -- [--threads N] [--seconds S] [--cases a,b] [--data DIR]
var opt = new Dictionary<string, string>();
for (int i = 0; i + 1 < args.Length; i += 2) opt[args[i].TrimStart('-')] = args[i + 1];
int threads = int.Parse(opt.GetValueOrDefault("threads", "1"), CultureInfo.InvariantCulture);
double seconds = double.Parse(opt.GetValueOrDefault("seconds", "3"), CultureInfo.InvariantCulture);
var only = new HashSet<string>(opt.GetValueOrDefault("cases", "").Split(',', StringSplitOptions.RemoveEmptyEntries));
string data = opt.GetValueOrDefault("data", Environment.GetEnvironmentVariable("FASHION_MNIST_DIR") ?? "/usr/share/datasets/fashion-mnist");

// The kernels' thread count (internal to NetGen; this harness sees it through InternalsVisibleTo, as ConvTimings does).
WorkerPool.MaxDegreeOfParallelism = threads;
int actual = WorkerPool.MaxDegreeOfParallelism;
if (actual != threads) { Console.Error.WriteLine($"asked for {threads} threads, the worker pool allows {actual} on this machine"); return 2; }
Console.WriteLine($"# NetGen, .NET {Environment.Version}, WorkerPool.MaxDegreeOfParallelism={actual}, {Environment.ProcessorCount} processors");

// The first 1,024 Fashion-MNIST training images, pixels scaled to [0, 1], as in benchmarks/peer.
var raw = IdxReader.ReadImages(Path.Combine(data, "train-images-idx3-ubyte.gz"));
var images = raw.Pixels.AsSpan(0, 1024 * 784).ToArray();
for (int i = 0; i < images.Length; i++) images[i] /= 255f;
var labels = IdxReader.ReadLabels(Path.Combine(data, "train-labels-idx1-ubyte.gz")).AsSpan(0, 1024).ToArray();

void Run(string name, Action op, double work, string unit = "samples/s", double scale = 1)
{
    if (only.Count > 0 && !only.Contains(name)) return;
    var (best, allocated) = BestRate(op, work, seconds);
    Console.WriteLine(FormattableString.Invariant($"{name}\t{threads}\t{best / scale:G6}\t{unit}"));
    if (allocated > 0) Console.WriteLine($"# {name}: {allocated:N0} bytes allocated in the timed windows");
}

// W1: 1-3-1 tanh/identity, online (batch 1), SGD 0.01, MSE; 100 samples of sin(x) on [-3.14, 3.14] per call.
var tiny = new W1Net(1);
var sgd = new Sgd(0.01f);
var xs = new float[1000]; var ts = new float[1000]; var y1 = new float[1];
for (int i = 0; i < 1000; i++) { xs[i] = -3.14f + 6.28f * i / 999; ts[i] = MathF.Sin(xs[i]); }
int w1At = 0;
Run("w1_train", () =>
{
    for (int i = w1At; i < w1At + 100; i++) { tiny.TrainBatch(xs.AsSpan(i, 1), ts.AsSpan(i, 1), 1); sgd.Step(tiny); }
    w1At = (w1At + 100) % 1000;
}, 100);
Run("w1_forward", () =>
{
    for (int i = w1At; i < w1At + 100; i++) tiny.Forward(xs.AsSpan(i, 1), y1);
    w1At = (w1At + 100) % 1000;
}, 100);

// W2: 784-128 ReLU-10 softmax, cross-entropy, Adam 1e-3, batch 64, the 16 batches taken in turn; predict at 1, 64, 256.
var mlp = new W2Net(1);
var adam = new Adam(1e-3f);
int w2At = 0;
Run("w2_train", () =>
{
    mlp.TrainBatch(images.AsSpan(w2At * 64 * 784, 64 * 784), labels.AsSpan(w2At * 64, 64), 64);
    adam.Step(mlp);
    w2At = (w2At + 1) % 16;
}, 64);
var probabilities = new float[256 * 10];
foreach (int b in new[] { 1, 64, 256 })
{
    int at = 0, count = 1024 / b;
    Run($"w2_predict_{b}", () =>
    {
        mlp.Predict(images.AsSpan(at * b * 784, b * 784), probabilities.AsSpan(0, b * 10), b);
        at = (at + 1) % count;
    }, b);
}

// W3: the course convnet (benchmarks/ConvTimings' FashionConv), Adam 1e-3, batch 64.
var conv = new W3Net(1);
var convAdam = new Adam(1e-3f);
int w3At = 0;
Run("w3_train", () =>
{
    conv.TrainBatch(images.AsSpan(w3At * 64 * 784, 64 * 784), labels.AsSpan(w3At * 64, 64), 64);
    convAdam.Step(conv);
    w3At = (w3At + 1) % 16;
}, 64);

// W4 (kernel level, the LSTM layer is not declarable yet): LSTM(32 → 128) over 32 steps, batch 32, the last step's h
// against a target (loss ½‖h − t‖²), full backpropagation through time, then Adam over the layer's 82,944 parameters
// (inline, the runtime's update formula). Tokens/s = batch × steps per step.
{
    const int B = 32, T = 32, I = 32, H = 128;
    var lstmRandom = new SplitMix(11);
    float[] R(int n, float s) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (2 * lstmRandom.NextFloat() - 1) * s; return a; }
    int count = (int)LstmKernels.ParameterCount(I, H);
    var px = R(count, 0.08f); var gx = new float[count]; var m = new float[count]; var v = new float[count];
    var xs4 = R(B * T * I, 1f); var target = R(B * H, 0.5f); var hOut = new float[B * H]; var dh = new float[B * H];
    var ws = new float[LstmKernels.WorkspaceSize(B, T, I, H)];
    int step = 0;
    Run("w4_lstm", () =>
    {
        LstmKernels.Forward(xs4, px, hOut, ws, B, T, I, H, false);
        for (int k = 0; k < dh.Length; k++) dh[k] = (hOut[k] - target[k]) / B;
        LstmKernels.Backward(dh, px, gx, default, ws, B, T, I, H, false);
        step++;
        float c1 = 1f / (1f - MathF.Pow(0.9f, step)), c2 = 1f / (1f - MathF.Pow(0.999f, step));
        for (int k = 0; k < count; k++)
        {
            float g = gx[k];
            m[k] = 0.9f * m[k] + 0.1f * g;
            v[k] = 0.999f * v[k] + 0.001f * g * g;
            px[k] -= 1e-3f * (m[k] * c1) / (MathF.Sqrt(v[k] * c2) + 1e-8f);
        }
    }, B * T, "tokens/s");
}

// GEMMs at the workloads' shapes, as benchmarks/peer/numpy_gemm.py: gemm_MxKxN is Y[M,N] = X[M,K]·W[N,K]^T through
// DenseKernels.Forward (no bias, identity); conv_64x20x25x576 is ConvKernels.Forward on W3's first layer, which
// includes the im2col that numpy's side is spared.
var rng = new SplitMix(7);
float[] Rand(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = rng.NextFloat(); return a; }
// The gemm_ rows call the kernel compiled for the shape (DenseKernels.Forward<Identity, TExt>), as the generated
// networks do; the gemmrt_ rows call the same kernel with the sizes as arguments, to show what specialization brings.
void Gemm<TExt>(int m) where TExt : struct, IDenseExtents
{
    int k = TExt.In, n = TExt.Out;
    var x = Rand(m * k); var w = Rand(n * k); var yg = new float[m * n];
    Run($"gemm_{m}x{k}x{n}", () => DenseKernels.Forward<Identity, TExt>(x, w, default, yg, m, 0f), 2.0 * m * k * n, "GFLOP/s", 1e9);
    Run($"gemmrt_{m}x{k}x{n}", () => DenseKernels.Forward<Identity>(x, w, default, yg, m, k, n, 0f), 2.0 * m * k * n, "GFLOP/s", 1e9);
}
Gemm<In784Out128>(64);
Gemm<In784Out128>(256);
Gemm<In784Out128>(1);
Gemm<In128Out10>(64);
Gemm<In2880Out100>(64);
Gemm<In25Out20>(64 * 576);
{
    var w = Rand(20 * 25); var yc = new float[64 * 20 * 576]; var col = new float[64 * 25 * 576];
    Run("conv_64x20x25x576", () => ConvKernels.Forward<Identity>(images, w, default, yc, col, 64, 1, 28, 28, 20, 5, 5, 1, 0, 0, 24, 24, 0f),
        2.0 * 64 * 20 * 25 * 576, "GFLOP/s", 1e9);
}
return 0;

// Best rate (work per second) over windows of about 25 ms, for `seconds` after a warm-up of 0.5 s (and 3 calls at least),
// and the bytes allocated (all threads) during the timed windows: NetGen's steps are meant to allocate nothing.
static (double Best, long Allocated) BestRate(Action op, double work, double seconds)
{
    long f = Stopwatch.Frequency, t0 = Stopwatch.GetTimestamp(), end = t0 + f / 2;
    int calls = 0;
    while (calls < 3 || Stopwatch.GetTimestamp() < end) { op(); calls++; }
    double perCall = (Stopwatch.GetTimestamp() - t0) / (double)f / calls;
    int reps = Math.Max(1, (int)(0.025 / perCall));
    double best = 0;
    long allocated = GC.GetTotalAllocatedBytes(true);
    end = Stopwatch.GetTimestamp() + (long)(seconds * f);
    while (Stopwatch.GetTimestamp() < end)
    {
        long s = Stopwatch.GetTimestamp();
        for (int r = 0; r < reps; r++) op();
        best = Math.Max(best, reps * work * f / (Stopwatch.GetTimestamp() - s));
    }
    return (best, GC.GetTotalAllocatedBytes(true) - allocated);
}

[Network(Loss.MeanSquaredError)]
[Input(1)]
[Dense(3, Activation.Tanh)]
[Dense(1)]
public partial class W1Net { }

[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class W2Net { }

// The same declaration as benchmarks/ConvTimings' FashionConv and tests' LeNetish.
[Network(Loss.CrossEntropy)]
[Input(1, 28, 28)]
[Conv2D(20, kernel: 5, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Dense(100, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class W3Net { }

// The GEMM shapes as the generator declares them for a network's Dense layers.
struct In784Out128 : IDenseExtents { public static int In => 784; public static int Out => 128; }
struct In128Out10 : IDenseExtents { public static int In => 128; public static int Out => 10; }
struct In2880Out100 : IDenseExtents { public static int In => 2880; public static int Out => 100; }
struct In25Out20 : IDenseExtents { public static int In => 25; public static int Out => 20; }
