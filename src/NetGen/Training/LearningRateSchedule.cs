using System;

namespace NetGen.Training;

/// <summary>
/// Chooses the learning rate of each epoch. The <see cref="Trainer"/> asks once at the start of every epoch and sets
/// <see cref="Optimizer.LearningRate"/> to the answer; epochs are numbered from 0, as in PyTorch's schedulers.
/// </summary>
/// <remarks>
/// A schedule may keep state (<see cref="ReduceOnPlateau"/> does); <see cref="Reset"/> clears it and is called at the
/// start of every <see cref="Trainer.Fit"/>. Use one schedule per trainer.
/// </remarks>
public abstract class LearningRateSchedule
{
    /// <summary>Forgets any state; <paramref name="initialLearningRate"/> is the optimizer's rate when training starts.</summary>
    public virtual void Reset(float initialLearningRate) { }

    /// <summary>
    /// What the <see cref="Trainer"/> passes as <c>previousLoss</c>: null (the default) for the value the trainer itself
    /// monitors, or a value of its own, such as the validation accuracy.
    /// </summary>
    public virtual MonitoredLoss? Monitor => null;

    /// <summary>Called by <see cref="Trainer.Fit"/> before <see cref="Reset"/> with what it will pass as <c>previousLoss</c>.</summary>
    internal virtual void Bind(MonitoredLoss watched) { }

    /// <summary>The learning rate for <paramref name="epoch"/>.</summary>
    /// <param name="epoch">The epoch about to start, from 0.</param>
    /// <param name="currentLearningRate">The optimizer's rate now (the previous epoch's, or the initial one).</param>
    /// <param name="previousLoss">
    /// The previous epoch's value of <see cref="Monitor"/>, or without one of what the trainer monitors (validation loss
    /// when there is a validation set, else training loss, unless early stopping watches another); null at the first epoch.
    /// An accuracy when an accuracy is watched, despite the name.
    /// </param>
    public abstract float GetLearningRate(int epoch, float currentLearningRate, double? previousLoss);

    private protected static void CheckFinitePositive(float value, string name)
    {
        if (!(value > 0) || !float.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, "Expected a finite positive number.");
    }

    // Powers in double, rounded once: the rate for epoch k does not depend on how many epochs came before.
    private protected static float Power(float initial, float factor, int exponent) => (float)(initial * Math.Pow(factor, exponent));
}

/// <summary>lr = initial · factor^⌊epoch / everyEpochs⌋ (PyTorch's <c>StepLR</c>).</summary>
public sealed class StepDecay : LearningRateSchedule
{
    public StepDecay(float initial, float factor, int everyEpochs)
    {
        CheckFinitePositive(initial, nameof(initial));
        CheckFinitePositive(factor, nameof(factor));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(everyEpochs);
        Initial = initial;
        Factor = factor;
        EveryEpochs = everyEpochs;
    }

    public float Initial { get; }
    public float Factor { get; }
    public int EveryEpochs { get; }

    public override float GetLearningRate(int epoch, float currentLearningRate, double? previousLoss) => Power(Initial, Factor, epoch / EveryEpochs);
}

/// <summary>lr = initial · gamma^epoch (PyTorch's <c>ExponentialLR</c>).</summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    public ExponentialDecay(float initial, float gamma)
    {
        CheckFinitePositive(initial, nameof(initial));
        CheckFinitePositive(gamma, nameof(gamma));
        Initial = initial;
        Gamma = gamma;
    }

    public float Initial { get; }
    public float Gamma { get; }

    public override float GetLearningRate(int epoch, float currentLearningRate, double? previousLoss) => Power(Initial, Gamma, epoch);
}

/// <summary>lr = a user function of the epoch (PyTorch's <c>LambdaLR</c>, returning the rate itself).</summary>
public sealed class FunctionSchedule : LearningRateSchedule
{
    readonly Func<int, float> _function;

    public FunctionSchedule(Func<int, float> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        _function = function;
    }

    public override float GetLearningRate(int epoch, float currentLearningRate, double? previousLoss)
    {
        float lr = _function(epoch);
        if (!(lr >= 0) || !float.IsFinite(lr))
            throw new InvalidOperationException($"The learning-rate function returned {lr} for epoch {epoch}; expected a finite non-negative rate.");
        return lr;
    }
}

/// <summary>Which way a watched value improves, as PyTorch's <c>mode</c>.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (a loss).</summary>
    Min,
    /// <summary>Higher is better (an accuracy).</summary>
    Max,
}

/// <summary>
/// Multiplies the rate by <see cref="Factor"/> when the watched value has not improved (by more than
/// <see cref="MinDelta"/>, absolute) for more than <see cref="Patience"/> epochs, as PyTorch's
/// <c>ReduceLROnPlateau</c> with <c>threshold_mode='abs'</c>: with patience 2, the first two epochs without improvement
/// are ignored and the rate drops after the third. The count restarts after each reduction. The rate never goes below
/// <see cref="MinLearningRate"/>.
/// </summary>
/// <remarks>
/// It watches <see cref="Monitor"/>, or without one what the trainer monitors. <see cref="Mode"/> follows from what is
/// watched (an accuracy improves upward, a loss downward) unless given; a mode that contradicts it is refused, since
/// it would cut the rate exactly when training goes well.
/// </remarks>
public sealed class ReduceOnPlateau : LearningRateSchedule
{
    readonly MonitoredLoss? _monitor;
    readonly PlateauMode? _mode;
    PlateauMode _watchedMode;
    double _best;
    bool _hasBest;
    int _badEpochs;

    /// <param name="factor">Multiplies the rate at each reduction, in (0, 1).</param>
    /// <param name="patience">Epochs without improvement tolerated before a reduction.</param>
    /// <param name="minDelta">Smallest change that counts as an improvement (absolute).</param>
    /// <param name="minLearningRate">The floor.</param>
    /// <param name="monitor">What to watch when training with a <see cref="Trainer"/>; null for what the trainer monitors.</param>
    /// <param name="mode">Which way is better; null derives it from what is watched.</param>
    public ReduceOnPlateau(float factor = 0.1f, int patience = 10, float minDelta = 0f, float minLearningRate = 0f,
        MonitoredLoss? monitor = null, PlateauMode? mode = null)
    {
        if (monitor is MonitoredLoss m && !Enum.IsDefined(m)) throw new ArgumentOutOfRangeException(nameof(monitor), m, "Expected a MonitoredLoss member.");
        if (mode is PlateauMode given && !Enum.IsDefined(given)) throw new ArgumentOutOfRangeException(nameof(mode), given, "Expected Min or Max.");
        if (monitor is MonitoredLoss watched && mode is PlateauMode explicitMode) CheckMode(explicitMode, watched, nameof(mode));
        if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "Expected a factor in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        if (!(minDelta >= 0) || !float.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "Expected a finite non-negative delta.");
        if (!(minLearningRate >= 0) || !float.IsFinite(minLearningRate)) throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, "Expected a finite non-negative rate.");
        Factor = factor;
        Patience = patience;
        MinDelta = minDelta;
        MinLearningRate = minLearningRate;
        _monitor = monitor;
        _mode = mode;
        _watchedMode = monitor is MonitoredLoss w && w.IsAccuracy() ? PlateauMode.Max : PlateauMode.Min;
    }

    public float Factor { get; }
    public int Patience { get; }
    public float MinDelta { get; }
    public float MinLearningRate { get; }

    /// <inheritdoc/>
    public override MonitoredLoss? Monitor => _monitor;

    /// <summary>Which way is better: as given, else Max when an accuracy is watched and Min for a loss (and when nothing says).</summary>
    public PlateauMode Mode => _mode ?? _watchedMode;

    /// <summary>Epochs in a row without improvement so far.</summary>
    public int BadEpochs => _badEpochs;

    public override void Reset(float initialLearningRate)
    {
        _hasBest = false;
        _badEpochs = 0;
    }

    internal override void Bind(MonitoredLoss watched)
    {
        if (_mode is PlateauMode given) CheckMode(given, watched, "mode");
        _watchedMode = watched.IsAccuracy() ? PlateauMode.Max : PlateauMode.Min;
    }

    static void CheckMode(PlateauMode mode, MonitoredLoss watched, string paramName)
    {
        if ((mode == PlateauMode.Max) != watched.IsAccuracy())
            throw new ArgumentException(
                $"ReduceOnPlateau has mode {mode} but watches the {watched.Describe()}, which improves {(watched.IsAccuracy() ? "upward (Max)" : "downward (Min)")}; leave mode unset to follow what is watched.", paramName);
    }

    public override float GetLearningRate(int epoch, float currentLearningRate, double? previousLoss)
    {
        if (previousLoss is not double loss) return currentLearningRate;
        bool improved = !_hasBest || (Mode == PlateauMode.Max ? loss > _best + MinDelta : loss < _best - MinDelta);
        if (improved)
        {
            _hasBest = true;
            _best = loss;
            _badEpochs = 0;
            return currentLearningRate;
        }
        if (++_badEpochs <= Patience) return currentLearningRate;
        _badEpochs = 0;
        return Math.Max(currentLearningRate * Factor, MinLearningRate);
    }
}
