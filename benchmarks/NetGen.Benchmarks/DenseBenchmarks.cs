using System;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

/// <summary>
/// The two reference points. Each invocation processes <see cref="Samples"/> samples and says so through
/// OperationsPerInvoke, so BenchmarkDotNet's time per operation is the time per sample; the Samples/s column inverts it.
/// </summary>
[MemoryDiagnoser]
public class TinyOnline
{
    const int Samples = 1000;
    readonly Tiny131 _net = new(1);
    readonly Sgd _sgd = new(0.01f);
    readonly float[] _x = new float[Samples];
    readonly float[] _t = new float[Samples];
    readonly float[] _y = new float[1];

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < Samples; i++) { _x[i] = -3.14f + 6.28f * i / Samples; _t[i] = System.MathF.Sin(_x[i]); }
    }

    [Benchmark(OperationsPerInvoke = Samples, Description = "1-3-1 Forward, batch 1")]
    public void Forward()
    {
        for (int i = 0; i < Samples; i++) _net.Forward(_x.AsSpan(i, 1), _y);
    }

    [Benchmark(OperationsPerInvoke = Samples, Description = "1-3-1 TrainBatch + SGD step, batch 1")]
    public void Train()
    {
        for (int i = 0; i < Samples; i++)
        {
            _net.TrainBatch(_x.AsSpan(i, 1), _t.AsSpan(i, 1), 1);
            _sgd.Step(_net);
        }
    }
}

[MemoryDiagnoser]
public class MlpMiniBatch
{
    const int Batch = 64, Batches = 16, Samples = Batch * Batches;
    readonly Mlp784 _net = new(1);
    readonly Adam _adam = new(0.001f);
    readonly float[] _x = new float[Samples * 784];
    readonly int[] _labels = new int[Samples];
    readonly float[] _y = new float[Batch * 10];

    [GlobalSetup]
    public void Setup()
    {
        var random = new NetGen.Data.DeterministicRandom(1);
        for (int i = 0; i < _x.Length; i++) _x[i] = random.NextSingle();
        for (int i = 0; i < Samples; i++) _labels[i] = random.NextInt(10);
    }

    [Benchmark(OperationsPerInvoke = Samples, Description = "784-128-10 Predict, batch 64")]
    public void Forward()
    {
        for (int b = 0; b < Batches; b++) _net.Predict(_x.AsSpan(b * Batch * 784, Batch * 784), _y, Batch);
    }

    [Benchmark(OperationsPerInvoke = Samples, Description = "784-128-10 TrainBatch + Adam step, batch 64")]
    public void Train()
    {
        for (int b = 0; b < Batches; b++)
        {
            _net.TrainBatch(_x.AsSpan(b * Batch * 784, Batch * 784), _labels.AsSpan(b * Batch, Batch), Batch);
            _adam.Step(_net);
        }
    }
}
