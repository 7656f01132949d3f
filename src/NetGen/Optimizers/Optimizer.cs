using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace NetGen;

/// <summary>
/// What every optimizer shares: hyperparameters every one has, the step count, the flat state buffers
/// (one <c>float[]</c> per moment, each as long as <see cref="INetwork.Parameters"/>), and the trainable ranges.
/// </summary>
/// <remarks>
/// <para>
/// An optimizer is bound to a network on its first <see cref="Step"/> (or by loading a checkpoint with it):
/// the trainable ranges are computed from <see cref="INetwork.Layers"/> (adjacent trainable layers merged,
/// frozen layers skipped, so their parameters and state are never touched, whatever the momentum, moments or weight
/// decay) and the state buffers are allocated. A step allocates nothing, except to recompute the ranges after a layer's
/// <see cref="LayerInfo.Trainable"/> changed (a generated network's <c>SetTrainable</c>).
/// </para>
/// <para>
/// Stepping another network instance of the same architecture (same <see cref="INetwork.ArchitectureFingerprint"/>
/// and <see cref="INetwork.ParameterCount"/>) rebinds to it and keeps the state, position for position; that is
/// what resuming on a reloaded copy needs. Stepping a network of another architecture throws
/// <see cref="InvalidOperationException"/>: call <see cref="Reset"/> first to start over.
/// </para>
/// <para>Weight decay is L2, as PyTorch's <c>weight_decay</c>: g += wd·p before the update, biases included.</para>
/// </remarks>
public abstract class Optimizer
{
    static readonly float[] s_empty = Array.Empty<float>();

    readonly float[][] _state;
    INetwork? _network;
    ulong _fingerprint;
    int _parameterCount = -1;
    int[] _rangeStarts = Array.Empty<int>();
    int[] _rangeLengths = Array.Empty<int>();
    bool[] _rangeTrainable = Array.Empty<bool>(); // each layer's Trainable when the ranges were computed
    string? _stepName;
    float _learningRate, _weightDecay;

    /// <param name="learningRate">The step size, finite and ≥ 0; settable between steps.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative, NaN or infinite.</exception>
    /// <param name="stateBufferCount">How many flat state buffers (moments) this optimizer keeps.</param>
    protected Optimizer(float learningRate, int stateBufferCount)
    {
        if (stateBufferCount < 0) throw new ArgumentOutOfRangeException(nameof(stateBufferCount));
        _learningRate = Require(AtLeast(nameof(learningRate), learningRate, 0f), nameof(learningRate), learningRate);
        _state = new float[stateBufferCount][];
        for (int i = 0; i < _state.Length; i++) _state[i] = s_empty;
    }

    /// <summary>A short stable name written into checkpoints ("Sgd", "Adam", ...); loading checks it.</summary>
    public abstract string Kind { get; }

    /// <summary>The step size, finite and ≥ 0; takes effect on the next <see cref="Step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative, NaN or infinite value.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = Require(AtLeast(nameof(LearningRate), value, 0f), nameof(LearningRate), value);
    }

    /// <summary>L2 penalty: g += wd·p before the update (0 by default); finite and ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative, NaN or infinite value.</exception>
    public float WeightDecay
    {
        get => _weightDecay;
        set => _weightDecay = Require(AtLeast(nameof(WeightDecay), value, 0f), nameof(WeightDecay), value);
    }

    /// <summary>How many steps have been taken since construction, <see cref="Reset"/> or the loaded checkpoint's count.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// The state buffers (moments), each empty until allocated and then <see cref="INetwork.ParameterCount"/> long,
    /// in the parameters' layout. The arrays are live: copy them to snapshot. Checkpoints save and restore them.
    /// </summary>
    public IReadOnlyList<float[]> StateBuffers => _state;

    /// <summary>Forgets the state, the step count and the bound network; the next step starts from scratch.</summary>
    public void Reset()
    {
        for (int i = 0; i < _state.Length; i++) _state[i] = s_empty;
        StepCount = 0;
        _network = null;
        _parameterCount = -1;
        _rangeStarts = Array.Empty<int>();
        _rangeLengths = Array.Empty<int>();
        _rangeTrainable = Array.Empty<bool>();
    }

    /// <summary>Updates <paramref name="network"/>'s parameters from its gradients: one fused pass over each trainable range.</summary>
    public void Step(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        // Writing the parameters while another thread predicts would hand it torn weights: refuse instead.
        network.Concurrency.EnterExclusive(_stepName ??= Kind + ".Step"); // named once: no allocation per step
        try { StepExclusive(network); }
        finally { network.Concurrency.ExitExclusive(); }
    }

    private void StepExclusive(INetwork network)
    {
        if (!ReferenceEquals(network, _network)) Bind(network);
        else if (TrainabilityChanged(network.Layers)) // SetTrainable since the last step: a frozen layer must stay bit-identical
            ComputeRanges(network, _parameterCount, out _rangeStarts, out _rangeLengths, out _rangeTrainable);

        Span<float> parameters = network.Parameters;
        ReadOnlySpan<float> gradients = network.Gradients;
        if (parameters.Length != _parameterCount || gradients.Length != _parameterCount)
            throw new InvalidOperationException(
                $"The network reports {_parameterCount} parameters but its Parameters span has {parameters.Length} floats and Gradients {gradients.Length}.");

        for (int i = 0; i < _state.Length; i++)
            if (_state[i].Length != _parameterCount && NeedsStateBuffer(i)) _state[i] = new float[_parameterCount];

        StepCount++;
        BeginStep(StepCount);
        for (int r = 0; r < _rangeStarts.Length; r++)
        {
            int start = _rangeStarts[r], length = _rangeLengths[r];
            UpdateRange(parameters.Slice(start, length), gradients.Slice(start, length), start);
        }
    }

    /// <summary>Whether state buffer <paramref name="index"/> is used with the current hyperparameters (SGD without momentum keeps none).</summary>
    protected virtual bool NeedsStateBuffer(int index) => true;

    /// <summary>Called once per step, after <see cref="StepCount"/> is incremented, to compute step-dependent scalars.</summary>
    protected virtual void BeginStep(long step) { }

    /// <summary>
    /// One fused pass over one trainable range: read g and p (and state), apply weight decay, update state and p.
    /// <paramref name="parameters"/> and <paramref name="gradients"/> are the range; <paramref name="offset"/> is
    /// where it starts in the flat buffers, for slicing the state with <see cref="State"/>.
    /// </summary>
    protected abstract void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset);

    /// <summary>State buffer <paramref name="index"/> sliced to the range at <paramref name="offset"/>.</summary>
    protected Span<float> State(int index, int offset, int length) => _state[index].AsSpan(offset, length);

    // ---- hyperparameters, for checkpoints -------------------------------------------------------------

    /// <summary>How many floats <see cref="WriteHyperparameters"/> writes. The base writes LearningRate and WeightDecay.</summary>
    protected virtual int HyperparameterCount => 2;

    /// <summary>Writes the hyperparameters as floats (booleans as 0/1); derived classes call the base first, then append.</summary>
    protected virtual void WriteHyperparameters(Span<float> destination)
    {
        destination[0] = LearningRate;
        destination[1] = WeightDecay;
    }

    /// <summary>Restores what <see cref="WriteHyperparameters"/> wrote.</summary>
    protected virtual void ReadHyperparameters(ReadOnlySpan<float> source)
    {
        LearningRate = source[0];
        WeightDecay = source[1];
    }

    /// <summary>
    /// Checks hyperparameters read from a checkpoint (laid out as <see cref="WriteHyperparameters"/> writes them) before any
    /// is applied: null when each is finite and in the range PyTorch's constructor accepts (a learning rate and weight decay
    /// ≥ 0, betas in [0, 1), booleans 0 or 1...), else what is wrong, naming the property and the accepted range. Save
    /// refuses the same values. Derived classes call the base first, then check their own.
    /// </summary>
    protected virtual string? CheckHyperparameters(ReadOnlySpan<float> source) =>
        AtLeast(nameof(LearningRate), source[0], 0f) ?? AtLeast(nameof(WeightDecay), source[1], 0f);

    /// <summary>Whether state buffer <paramref name="index"/> accumulates squares, so that a negative value can only be corruption.</summary>
    private protected virtual bool IsSumOfSquares(int index) => false;

    private protected static string? AtLeast(string name, float value, float minimum) =>
        float.IsFinite(value) && value >= minimum ? null : $"{name} is {Show(value)}; expected a finite value ≥ {Show(minimum)}";

    private protected static string? Between(string name, float value, float minimum, float maximum, bool maximumIncluded) =>
        value >= minimum && (maximumIncluded ? value <= maximum : value < maximum)
            ? null
            : $"{name} is {Show(value)}; expected {Show(minimum)} ≤ {name} {(maximumIncluded ? "≤" : "<")} {Show(maximum)}";

    private protected static string? Flag(string name, float value) =>
        value == 0f || value == 1f ? null : $"{name} is {Show(value)}; expected 0 or 1 (a boolean)";

    /// <summary>
    /// <paramref name="value"/> when <paramref name="problem"/> (from <see cref="AtLeast"/>, <see cref="Between"/>) is null;
    /// otherwise throws <see cref="ArgumentOutOfRangeException"/> with it: a setter refuses what a checkpoint load would.
    /// </summary>
    private protected static float Require(string? problem, string paramName, float value) =>
        problem is null ? value : throw new ArgumentOutOfRangeException(paramName, value, problem + ".");

    private protected static string Show(float value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The largest step count a checkpoint may restore: 2^53, the last count a double (Adam's bias corrections) holds exactly,
    /// and so far from <see cref="long.MaxValue"/> that stepping on can never wrap.
    /// </summary>
    internal const long MaxStepCount = 1L << 53;

    /// <summary>
    /// What <see cref="Restore"/> would be given, checked without changing anything: the step count, the hyperparameters
    /// (<see cref="CheckHyperparameters"/>) and the state, which must be finite (and not negative where it sums squares).
    /// Null when all is acceptable, else the first problem.
    /// </summary>
    internal string? CheckRestorable(long stepCount, ReadOnlySpan<float> hyperparameters, IReadOnlyList<float[]> buffers)
    {
        if (stepCount < 0 || stepCount > MaxStepCount) return $"the step count is {stepCount}; expected 0 to {MaxStepCount}";
        if (hyperparameters.Length != HyperparameterCount)
            return $"it has {hyperparameters.Length} hyperparameters; a {Kind} optimizer has {HyperparameterCount}";
        if (CheckHyperparameters(hyperparameters) is string problem) return problem;
        for (int b = 0; b < buffers.Count; b++)
        {
            ReadOnlySpan<float> buffer = buffers[b];
            bool sumOfSquares = IsSumOfSquares(b);
            for (int i = 0; i < buffer.Length; i++)
            {
                float value = buffer[i];
                if (!float.IsFinite(value)) return $"state buffer {b} holds {Show(value)} at index {i}; expected finite values";
                if (sumOfSquares && value < 0f) return $"state buffer {b} holds {Show(value)} at index {i}; it sums squares, so expected a value ≥ 0";
            }
        }
        return null;
    }

    internal int StateBufferCount => _state.Length;
    internal int HyperparameterCountInternal => HyperparameterCount;
    internal void WriteHyperparametersInternal(Span<float> destination) => WriteHyperparameters(destination);

    /// <summary>
    /// Replaces all state at once, after the caller (checkpoint loading) has validated the shapes:
    /// hyperparameters, step count, buffers (each empty or as long as the network's parameters), and binds to <paramref name="network"/>.
    /// </summary>
    internal void Restore(INetwork network, long stepCount, ReadOnlySpan<float> hyperparameters, float[][] buffers)
    {
        Bind(network, keepState: false);
        ReadHyperparameters(hyperparameters);
        StepCount = stepCount;
        for (int i = 0; i < _state.Length; i++) _state[i] = buffers[i].Length == 0 ? s_empty : buffers[i];
    }

    void Bind(INetwork network, bool keepState = true)
    {
        int count = network.ParameterCount;
        ulong fingerprint = network.ArchitectureFingerprint;
        if (keepState && _parameterCount >= 0 && (count != _parameterCount || fingerprint != _fingerprint))
            throw new InvalidOperationException(
                $"This {Kind} optimizer holds state for a network of {_parameterCount} parameters (architecture fingerprint 0x{_fingerprint:X16}); " +
                $"it cannot step a {network.GetType().Name} of {count} parameters (fingerprint 0x{fingerprint:X16}). Call Reset() first to use it with another architecture.");

        ComputeRanges(network, count, out int[] starts, out int[] lengths, out bool[] trainable);
        if (!keepState) for (int i = 0; i < _state.Length; i++) _state[i] = s_empty;
        _rangeStarts = starts;
        _rangeLengths = lengths;
        _rangeTrainable = trainable;
        _parameterCount = count;
        _fingerprint = fingerprint;
        _network = network;
    }

    bool TrainabilityChanged(IReadOnlyList<LayerInfo> layers)
    {
        if (layers.Count != _rangeTrainable.Length) return true;
        for (int i = 0; i < layers.Count; i++)
            if (layers[i].Trainable != _rangeTrainable[i]) return true;
        return false;
    }

    static void ComputeRanges(INetwork network, int parameterCount, out int[] starts, out int[] lengths, out bool[] trainable)
    {
        var s = new List<int>();
        var l = new List<int>();
        int end = 0;
        IReadOnlyList<LayerInfo> layers = network.Layers;
        trainable = new bool[layers.Count];
        for (int i = 0; i < layers.Count; i++) trainable[i] = layers[i].Trainable;
        foreach (LayerInfo layer in layers)
        {
            if (layer.ParameterCount < 0 || layer.ParameterOffset < 0 || layer.ParameterOffset > parameterCount - layer.ParameterCount)
                throw new InvalidOperationException(
                    $"Layer '{layer.Name}' claims parameters [{layer.ParameterOffset}, {layer.ParameterOffset + layer.ParameterCount}) outside the network's {parameterCount}.");
            if (!layer.Trainable || layer.ParameterCount == 0) continue;
            if (s.Count > 0 && layer.ParameterOffset == end)
            {
                l[^1] += layer.ParameterCount; // adjacent trainable layers: one longer pass
            }
            else
            {
                s.Add(layer.ParameterOffset);
                l.Add(layer.ParameterCount);
            }
            end = layer.ParameterOffset + layer.ParameterCount;
        }
        starts = s.ToArray();
        lengths = l.ToArray();
    }
}

/// <summary>Indexing off a ref without bounds checks, for the optimizer loops (callers stay inside their spans).</summary>
internal static class RefFloat
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float At(this ref float start, int index) => ref Unsafe.Add(ref start, index);
}
