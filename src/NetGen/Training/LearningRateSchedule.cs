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

    /// <summary>The learning rate for <paramref name="epoch"/>.</summary>
    /// <param name="epoch">The epoch about to start, from 0.</param>
    /// <param name="currentLearningRate">The optimizer's rate now (the previous epoch's, or the initial one).</param>
    /// <param name="previousLoss">
    /// The monitored loss of the previous epoch (validation loss when there is a validation set, else training loss);
    /// null at the first epoch.
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

/// <summary>
/// Multiplies the rate by <see cref="Factor"/> when the monitored loss has not improved (by more than
/// <see cref="MinDelta"/>, absolute) for more than <see cref="Patience"/> epochs, as PyTorch's
/// <c>ReduceLROnPlateau</c> with <c>threshold_mode='abs'</c>: with patience 2, the first two epochs without improvement
/// are ignored and the rate drops after the third. The count restarts after each reduction. The rate never goes below
/// <see cref="MinLearningRate"/>.
/// </summary>
public sealed class ReduceOnPlateau : LearningRateSchedule
{
    double _best = double.PositiveInfinity;
    int _badEpochs;

    public ReduceOnPlateau(float factor = 0.1f, int patience = 10, float minDelta = 0f, float minLearningRate = 0f)
    {
        if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "Expected a factor in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        if (!(minDelta >= 0) || !float.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "Expected a finite non-negative delta.");
        if (!(minLearningRate >= 0) || !float.IsFinite(minLearningRate)) throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, "Expected a finite non-negative rate.");
        Factor = factor;
        Patience = patience;
        MinDelta = minDelta;
        MinLearningRate = minLearningRate;
    }

    public float Factor { get; }
    public int Patience { get; }
    public float MinDelta { get; }
    public float MinLearningRate { get; }

    /// <summary>Epochs in a row without improvement so far.</summary>
    public int BadEpochs => _badEpochs;

    public override void Reset(float initialLearningRate)
    {
        _best = double.PositiveInfinity;
        _badEpochs = 0;
    }

    public override float GetLearningRate(int epoch, float currentLearningRate, double? previousLoss)
    {
        if (previousLoss is not double loss) return currentLearningRate;
        if (loss < _best - MinDelta)
        {
            _best = loss;
            _badEpochs = 0;
            return currentLearningRate;
        }
        if (++_badEpochs <= Patience) return currentLearningRate;
        _badEpochs = 0;
        return Math.Max(currentLearningRate * Factor, MinLearningRate);
    }
}
