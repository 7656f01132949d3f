using System;
using System.Collections.Generic;
using NetGen.Data;

namespace NetGen.Tests.Training;

// Networks the trainer tests compile; names are prefixed so they cannot collide with other test files.

[Network(Loss.CrossEntropy)]
[Input(2)]
[Dense(16, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class TrainingBlobsNet { }

[Network(Loss.CrossEntropy)]
[Input(2)]
[Dense(16, Activation.ReLU)]
[Dropout(0.2)]
[Dense(3, Activation.Softmax)]
public partial class TrainingBlobsDropoutNet { }

[Network(Loss.CrossEntropy)]
[Input(8)]
[Dense(32, Activation.Tanh)]
[Dense(2, Activation.Softmax)]
public partial class TrainingOverfitNet { }

[Network(Loss.MeanSquaredError)]
[Input(3)]
[Dense(8, Activation.ReLU)]
[Dense(1)]
public partial class TrainingRegressionNet { }

/// <summary>Synthetic data sets drawn with <see cref="DeterministicRandom"/>, so every run sees the same samples.</summary>
internal static class TrainingTestData
{
    /// <summary>Three Gaussian blobs in 2-D (σ = 0.6) around (−2, 0), (2, 0) and (0, 3); labels 0, 1, 2 in turn.</summary>
    public static Dataset Blobs(int count, int seed)
    {
        ReadOnlySpan<float> centers = [-2f, 0f, 2f, 0f, 0f, 3f];
        var rng = new DeterministicRandom((ulong)seed);
        float[] features = new float[count * 2];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % 3;
            labels[i] = c;
            features[2 * i] = centers[2 * c] + 0.6f * Gaussian(ref rng);
            features[2 * i + 1] = centers[2 * c + 1] + 0.6f * Gaussian(ref rng);
        }
        return Dataset.FromLabels(features, 2, labels, 3, ["west", "east", "north"]);
    }

    /// <summary>Pure noise: Gaussian features with random binary labels; a network can only memorize it.</summary>
    public static Dataset Noise(int count, int featureSize, int seed)
    {
        var rng = new DeterministicRandom((ulong)seed);
        float[] features = new float[count * featureSize];
        int[] labels = new int[count];
        for (int i = 0; i < features.Length; i++) features[i] = Gaussian(ref rng);
        for (int i = 0; i < count; i++) labels[i] = rng.NextInt(2);
        return Dataset.FromLabels(features, featureSize, labels, 2);
    }

    /// <summary>y = x0 − 2·x1 + 0.5·x2 with uniform inputs in [−1, 1).</summary>
    public static Dataset Linear(int count, int seed)
    {
        var rng = new DeterministicRandom((ulong)seed);
        float[] features = new float[count * 3];
        float[] targets = new float[count];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < 3; j++) features[3 * i + j] = 2f * rng.NextSingle() - 1f;
            targets[i] = features[3 * i] - 2f * features[3 * i + 1] + 0.5f * features[3 * i + 2];
        }
        return Dataset.FromTargets(features, 3, targets, 1);
    }

    public static float Gaussian(ref DeterministicRandom rng)
    {
        double u1 = rng.NextDouble(), u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(1 - u1)) * Math.Cos(2 * Math.PI * u2));
    }
}

/// <summary>
/// Wraps a network: records every TrainBatch's loss and size, can replace the loss of one call (e.g. with NaN), and with
/// <see cref="RecordInputs"/> keeps a copy of what each call was given.
/// </summary>
internal sealed class ScriptedNetwork(INetwork inner) : INetwork
{
    public List<(float Loss, int Size)> Calls { get; } = new();
    /// <summary>Keep copies of every batch's inputs in <see cref="Inputs"/> and float targets in <see cref="Targets"/>.</summary>
    public bool RecordInputs { get; set; }
    public List<float[]> Inputs { get; } = new();
    public List<float[]> Targets { get; } = new();
    /// <summary>The TrainBatch call (from 0, across epochs) whose loss becomes <see cref="InjectedLoss"/>; −1 for none.</summary>
    public int InjectAt { get; set; } = -1;
    public float InjectedLoss { get; set; } = float.NaN;

    public int InputSize => inner.InputSize;
    public int OutputSize => inner.OutputSize;
    public int ParameterCount => inner.ParameterCount;
    public Span<float> Parameters => inner.Parameters;
    public Span<float> Gradients => inner.Gradients;
    public IReadOnlyList<LayerInfo> Layers => inner.Layers;
    public Loss Loss => inner.Loss;
    public string Architecture => inner.Architecture;
    public ulong ArchitectureFingerprint => inner.ArchitectureFingerprint;
    public ulong TrainingStep { get => inner.TrainingStep; set => inner.TrainingStep = value; }
    public ConcurrencyGuard Concurrency => inner.Concurrency;
    public void Forward(ReadOnlySpan<float> input, Span<float> output) => inner.Forward(input, output);
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize) => inner.Predict(inputs, outputs, batchSize);
    public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize)
    {
        if (RecordInputs) { Inputs.Add(inputs.ToArray()); Targets.Add(targets.ToArray()); }
        return Record(inner.TrainBatch(inputs, targets, batchSize), batchSize);
    }

    public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batchSize)
    {
        if (RecordInputs) Inputs.Add(inputs.ToArray());
        return Record(inner.TrainBatch(inputs, labels, batchSize), batchSize);
    }

    float Record(float loss, int size)
    {
        if (Calls.Count == InjectAt) loss = InjectedLoss;
        Calls.Add((loss, size));
        return loss;
    }
}
