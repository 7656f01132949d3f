using System;
using System.Collections.Generic;
using System.Text;

namespace NetGen.Tests.Support;

/// <summary>
/// A hand-written <see cref="INetwork"/> for runtime tests (optimizers, checkpoints, the trainer): a stack of Dense
/// layers with identity activation, each y = W x + b with W[out, in] row-major then b[out] (the generated layout),
/// trained on mean squared error (½ Σ_k (y_k − t_k)² per sample, mean over the batch). Frozen layers keep zero
/// gradients but still pass the error back. <see cref="Blocks"/> builds a network of opaque parameter blocks for tests
/// that only need a layout; it cannot run forward.
/// </summary>
public sealed class FakeNetwork : INetwork
{
    readonly int[] _widths;          // [input, layer 1 out, layer 2 out, ...]; empty for blocks
    readonly float[] _parameters;
    readonly float[] _gradients;
    readonly LayerInfo[] _layers;
    float[] _activations = Array.Empty<float>(); // batch × width per layer, layer after layer, input first
    float[] _deltas = Array.Empty<float>();
    float[] _oneHot = Array.Empty<float>();
    int _batchCapacity;

    /// <summary>A linear MLP: <paramref name="widths"/> are the layers' output sizes, all trainable.</summary>
    public FakeNetwork(int inputSize, params int[] widths) : this(inputSize, widths, trainable: null) { }

    /// <summary>A linear MLP with per-layer trainability; weights U[−1/√in, 1/√in] from <paramref name="seed"/>, biases 0.</summary>
    public FakeNetwork(int inputSize, int[] widths, bool[]? trainable, int seed = 1)
    {
        if (widths.Length == 0) throw new ArgumentException("At least one layer.", nameof(widths));
        _widths = new int[widths.Length + 1];
        _widths[0] = inputSize;
        widths.CopyTo(_widths, 1);

        var layers = new List<LayerInfo>();
        var architecture = new StringBuilder($"FakeNetwork(in={inputSize}");
        int offset = 0;
        for (int l = 0; l < widths.Length; l++)
        {
            int count = widths[l] * (_widths[l] + 1);
            bool isTrainable = trainable?[l] ?? true;
            layers.Add(new LayerInfo("Dense", $"Dense{l + 1}", new[] { widths[l] }, offset, count, isTrainable));
            architecture.Append($"; Dense({widths[l]}{(isTrainable ? "" : ", frozen")})");
            offset += count;
        }
        _layers = layers.ToArray();
        _parameters = new float[offset];
        _gradients = new float[offset];
        Architecture = architecture.Append(')').ToString();
        ArchitectureFingerprint = Fnv1a(Architecture);

        var random = new Random(seed);
        for (int l = 0; l < widths.Length; l++)
        {
            int fanIn = _widths[l], weights = widths[l] * fanIn;
            float bound = fanIn == 0 ? 0f : 1f / MathF.Sqrt(fanIn);
            for (int i = 0; i < weights; i++) _parameters[_layers[l].ParameterOffset + i] = (2f * random.NextSingle() - 1f) * bound;
        }
    }

    FakeNetwork((int Count, bool Trainable)[] blocks)
    {
        _widths = Array.Empty<int>();
        var layers = new List<LayerInfo>();
        var architecture = new StringBuilder("FakeBlocks(");
        int offset = 0;
        foreach (var (count, trainable) in blocks)
        {
            layers.Add(new LayerInfo("Block", $"Block{layers.Count + 1}", new[] { count }, offset, count, trainable));
            architecture.Append(trainable ? $"{count} " : $"{count}f ");
            offset += count;
        }
        _layers = layers.ToArray();
        _parameters = new float[offset];
        _gradients = new float[offset];
        Architecture = architecture.Append(')').ToString();
        ArchitectureFingerprint = Fnv1a(Architecture);
    }

    /// <summary>Opaque parameter blocks of the given sizes (any size, for SIMD tails); Forward and TrainBatch throw.</summary>
    public static FakeNetwork Blocks(params (int Count, bool Trainable)[] blocks) => new(blocks);

    /// <summary>Runs on every access to <see cref="Parameters"/>; tests set it to throw to simulate a failing network.</summary>
    public Action? OnParametersAccess { get; set; }

    public int InputSize => _widths.Length == 0 ? 0 : _widths[0];
    public int OutputSize => _widths.Length == 0 ? 0 : _widths[^1];
    public int ParameterCount => _parameters.Length;
    public Span<float> Parameters { get { OnParametersAccess?.Invoke(); return _parameters; } }
    public Span<float> Gradients => _gradients;
    public IReadOnlyList<LayerInfo> Layers => _layers;
    public Loss Loss => Loss.MeanSquaredError;
    public string Architecture { get; }
    /// <summary>FNV-1a of <see cref="Architecture"/>; settable so tests can fake a same-fingerprint mismatch.</summary>
    public ulong ArchitectureFingerprint { get; set; }
    public ulong TrainingStep { get; set; }
    public ConcurrencyGuard Concurrency { get; } = new(nameof(FakeNetwork));

    public void Forward(ReadOnlySpan<float> input, Span<float> output) => Predict(input, output, 1);

    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize)
    {
        RunForward(inputs, batchSize);
        ActivationsOf(_widths.Length - 1, batchSize).CopyTo(outputs);
    }

    public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize)
    {
        if (targets.Length != batchSize * OutputSize)
            throw new ArgumentException($"Expected {batchSize * OutputSize} targets, got {targets.Length}.", nameof(targets));
        RunForward(inputs, batchSize);

        // Loss and the output error dL/dy = (y − t) / B.
        int last = _widths.Length - 1;
        Span<float> y = ActivationsOf(last, batchSize);
        Span<float> delta = DeltasOf(last, batchSize);
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            float d = y[i] - targets[i];
            loss += 0.5 * d * d;
            delta[i] = d / batchSize;
        }

        // Backward, last layer first: dW += δ ⊗ a, db += δ, δ_prev = Wᵀ δ.
        Array.Clear(_gradients);
        for (int l = last - 1; l >= 0; l--)
        {
            int fanIn = _widths[l], fanOut = _widths[l + 1];
            LayerInfo layer = _layers[l];
            ReadOnlySpan<float> w = _parameters.AsSpan(layer.ParameterOffset, fanOut * fanIn);
            Span<float> a = ActivationsOf(l, batchSize), dOut = DeltasOf(l + 1, batchSize), dIn = DeltasOf(l, batchSize);
            if (layer.Trainable)
            {
                Span<float> gw = _gradients.AsSpan(layer.ParameterOffset, fanOut * fanIn);
                Span<float> gb = _gradients.AsSpan(layer.ParameterOffset + fanOut * fanIn, fanOut);
                for (int b = 0; b < batchSize; b++)
                    for (int o = 0; o < fanOut; o++)
                    {
                        float d = dOut[b * fanOut + o];
                        gb[o] += d;
                        for (int i = 0; i < fanIn; i++) gw[o * fanIn + i] += d * a[b * fanIn + i];
                    }
            }
            if (l == 0) break;
            for (int b = 0; b < batchSize; b++)
                for (int i = 0; i < fanIn; i++)
                {
                    float sum = 0;
                    for (int o = 0; o < fanOut; o++) sum += w[o * fanIn + i] * dOut[b * fanOut + o];
                    dIn[b * fanIn + i] = sum;
                }
        }
        return (float)(loss / batchSize);
    }

    public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batchSize)
    {
        int outputs = OutputSize, size = batchSize * outputs;
        if (_oneHot.Length < size) _oneHot = new float[size];
        Span<float> targets = _oneHot.AsSpan(0, size);
        targets.Clear();
        for (int b = 0; b < batchSize; b++)
        {
            if (outputs == 1) targets[b] = labels[b];
            else targets[b * outputs + labels[b]] = 1f;
        }
        return TrainBatch(inputs, targets, batchSize);
    }

    void RunForward(ReadOnlySpan<float> inputs, int batchSize)
    {
        if (_widths.Length == 0) throw new NotSupportedException("A FakeNetwork of opaque blocks has no forward pass.");
        if (inputs.Length != batchSize * InputSize)
            throw new ArgumentException($"Expected {batchSize * InputSize} inputs, got {inputs.Length}.", nameof(inputs));
        EnsureBatch(batchSize);
        inputs.CopyTo(ActivationsOf(0, batchSize));
        for (int l = 0; l < _layers.Length; l++)
        {
            int fanIn = _widths[l], fanOut = _widths[l + 1], offset = _layers[l].ParameterOffset;
            ReadOnlySpan<float> w = _parameters.AsSpan(offset, fanOut * fanIn), bias = _parameters.AsSpan(offset + fanOut * fanIn, fanOut);
            Span<float> a = ActivationsOf(l, batchSize), z = ActivationsOf(l + 1, batchSize);
            for (int b = 0; b < batchSize; b++)
                for (int o = 0; o < fanOut; o++)
                {
                    float sum = bias[o];
                    for (int i = 0; i < fanIn; i++) sum += w[o * fanIn + i] * a[b * fanIn + i];
                    z[b * fanOut + o] = sum;
                }
        }
    }

    void EnsureBatch(int batchSize)
    {
        if (batchSize <= _batchCapacity) return;
        int total = 0;
        foreach (int w in _widths) total += w;
        _activations = new float[total * batchSize];
        _deltas = new float[total * batchSize];
        _batchCapacity = batchSize;
    }

    Span<float> ActivationsOf(int index, int batchSize) => Slice(_activations, index, batchSize);
    Span<float> DeltasOf(int index, int batchSize) => Slice(_deltas, index, batchSize);

    Span<float> Slice(float[] buffer, int index, int batchSize)
    {
        int start = 0;
        for (int l = 0; l < index; l++) start += _widths[l] * _batchCapacity;
        return buffer.AsSpan(start, _widths[index] * batchSize);
    }

    static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text) { hash ^= c; hash *= 1099511628211UL; }
        return hash;
    }
}
