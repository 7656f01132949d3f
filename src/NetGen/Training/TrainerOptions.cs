using System;
using System.IO;

namespace NetGen.Training;

/// <summary>How a <see cref="Trainer"/> trains. Checked when <see cref="Trainer.Fit"/> starts.</summary>
public sealed class TrainerOptions
{
    /// <summary>Epochs to train (at most; early stopping may end sooner). Default 10.</summary>
    public int Epochs { get; set; } = 10;
    /// <summary>Samples per mini-batch. Default 32.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Visit the training samples in a fresh random order each epoch (default true).</summary>
    public bool Shuffle { get; set; } = true;
    /// <summary>Seed of the per-epoch shuffles; the same seed gives the same batches.</summary>
    public int Seed { get; set; }
    /// <summary>Skip each epoch's final batch when it is smaller than <see cref="BatchSize"/> (default false).</summary>
    public bool DropLast { get; set; }
    /// <summary>Samples per <see cref="INetwork.Predict"/> call when evaluating the validation set. Default 256.</summary>
    public int EvaluationBatchSize { get; set; } = 256;
    /// <summary>Sets the optimizer's learning rate at the start of each epoch; null keeps the optimizer's rate.</summary>
    public LearningRateSchedule? Schedule { get; set; }
    /// <summary>Stops when the monitored loss stops improving; null trains all <see cref="Epochs"/>.</summary>
    public EarlyStopping? EarlyStopping { get; set; }
    /// <summary>
    /// Where to save the best epoch's weights and the optimizer's state (with <see cref="Checkpoint.Save(INetwork, string, Optimizer?)"/>,
    /// atomically) each time the monitored loss improves; null saves nothing. Nothing is saved after a divergence, nor
    /// parameters that are not finite or do not give a finite loss. Its folder must exist when <see cref="Trainer.Fit"/> starts.
    /// </summary>
    public string? CheckpointPath { get; set; }
    /// <summary>Receives a report after every batch and after every epoch; null reports nothing.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// How many training samples measure <see cref="EpochRecord.TrainingAccuracy"/> after each epoch, for labelled data:
    /// in inference mode, with the parameters the epoch ends with, as the validation accuracy is, so the two compare.
    /// Default 10,000 (an accuracy near 90 % to about ±0.6 points at 95 % confidence); a smaller training set is measured whole,
    /// a larger one on evenly spaced samples (every Count/N-th, so a set sorted by class is still covered), copied
    /// once per <see cref="Trainer.Fit"/>. <see cref="int.MaxValue"/> measures all; 0 measures nothing (the record holds null).
    /// </summary>
    public int TrainingAccuracySamples { get; set; } = 10_000;

    /// <summary>
    /// Clip the gradient by its global L2 norm over all trainable layers before each step, as PyTorch's
    /// <c>clip_grad_norm_</c> (<see cref="GradientNorms.ClipGradientNorm"/>); null (the default) does not clip.
    /// Steps that were clipped are counted in <see cref="EpochRecord.ClippedSteps"/>.
    /// </summary>
    public float? GradientClipNorm { get; set; }

    /// <summary>
    /// What to do when a batch's gradient holds NaN or ±∞ although its loss is finite: throw (the default) or skip the
    /// step. Either way a non-finite gradient never reaches the weights. Checked every step (one pass over the gradients).
    /// </summary>
    public NonFiniteGradientPolicy NonFiniteGradients { get; set; } = NonFiniteGradientPolicy.Throw;

    /// <summary>
    /// Runs on each training batch before the network sees it, on writable copies (augmentation, noise); null runs
    /// nothing and copies nothing. The copies live in buffers allocated once per <see cref="Trainer.Fit"/>.
    /// </summary>
    public BatchTransform? BatchTransform { get; set; }

    /// <summary>
    /// Runs between backward and the optimizer's step, with the gradients in <see cref="INetwork.Gradients"/> (to log,
    /// inspect or change them); before clipping and the non-finite check, which see what it leaves. Null runs nothing.
    /// </summary>
    public Action<StepContext>? BeforeStep { get; set; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EvaluationBatchSize, nameof(EvaluationBatchSize));
        if (CheckpointPath is { Length: 0 }) throw new ArgumentException("CheckpointPath is empty; use null to save no checkpoint.", nameof(CheckpointPath));
        if (CheckpointPath is string path)
        {
            // Checked now rather than found out when the first epoch is over.
            string full = Path.GetFullPath(path);
            if (Directory.Exists(full))
                throw new ArgumentException($"CheckpointPath '{path}' is a directory; expected a file path such as '{Path.Combine(full, "best.ngck")}'.", nameof(CheckpointPath));
            string? folder = Path.GetDirectoryName(full);
            if (folder is not null && !Directory.Exists(folder))
                throw new DirectoryNotFoundException($"CheckpointPath '{path}' is in the folder '{folder}', which does not exist; create it before Fit.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(TrainingAccuracySamples, nameof(TrainingAccuracySamples));
        if (GradientClipNorm is float clip && (!(clip > 0) || !float.IsFinite(clip)))
            throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), clip, "Expected a finite norm > 0, or null not to clip.");
        if (!Enum.IsDefined(NonFiniteGradients))
            throw new ArgumentOutOfRangeException(nameof(NonFiniteGradients), NonFiniteGradients, "Expected Throw or SkipStep.");
        EarlyStopping?.Validate();
    }
}

/// <summary>
/// What the trainer (and <see cref="ReduceOnPlateau"/>) watches to decide which epoch is best: a loss, which improves
/// downward, or an accuracy, which improves upward. (The name predates the accuracies.)
/// </summary>
public enum MonitoredLoss
{
    /// <summary>The validation loss (needs a validation set).</summary>
    ValidationLoss,
    /// <summary>The training loss (mean over the epoch's samples).</summary>
    TrainingLoss,
    /// <summary>The validation accuracy (needs a labelled validation set); higher is better.</summary>
    ValidationAccuracy,
    /// <summary>
    /// The training accuracy (needs labelled training data and <see cref="TrainerOptions.TrainingAccuracySamples"/> &gt; 0);
    /// higher is better.
    /// </summary>
    TrainingAccuracy,
}

internal static class MonitoredLossExtensions
{
    public static bool IsAccuracy(this MonitoredLoss monitor) => monitor is MonitoredLoss.ValidationAccuracy or MonitoredLoss.TrainingAccuracy;

    public static string Describe(this MonitoredLoss monitor) => monitor switch
    {
        MonitoredLoss.ValidationLoss => "validation loss",
        MonitoredLoss.TrainingLoss => "training loss",
        MonitoredLoss.ValidationAccuracy => "validation accuracy",
        _ => "training accuracy",
    };

    /// <summary>The monitored value of <paramref name="record"/>; null when the record does not hold it.</summary>
    public static double? ValueIn(this MonitoredLoss monitor, EpochRecord record) => monitor switch
    {
        MonitoredLoss.ValidationLoss => record.ValidationLoss,
        MonitoredLoss.TrainingLoss => record.TrainingLoss,
        MonitoredLoss.ValidationAccuracy => record.ValidationAccuracy,
        _ => record.TrainingAccuracy,
    };
}

/// <summary>
/// Stops training when the monitored value has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> epochs in a row, and (by default) puts back the best epoch's weights at the end. A loss
/// improves by falling, an accuracy by rising (Keras's mode 'auto').
/// </summary>
public sealed class EarlyStopping
{
    /// <summary>Epochs without improvement to tolerate; training stops after the <see cref="Patience"/>-th. Default 5.</summary>
    public int Patience { get; set; } = 5;
    /// <summary>An epoch improves when its loss is below the best so far minus this, or its accuracy above the best plus this (absolute). Default 0.</summary>
    public float MinDelta { get; set; }
    /// <summary>
    /// When training ends (stopped early or not), copy back the parameters of the best epoch, bit for bit (default true).
    /// The optimizer's state is not rolled back.
    /// </summary>
    public bool RestoreBestWeights { get; set; } = true;
    /// <summary>The value watched (default the validation loss, which needs a validation set).</summary>
    public MonitoredLoss Monitor { get; set; } = MonitoredLoss.ValidationLoss;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Patience, nameof(Patience));
        if (!(MinDelta >= 0) || !float.IsFinite(MinDelta))
            throw new ArgumentOutOfRangeException(nameof(MinDelta), MinDelta, "Expected a finite non-negative delta.");
        if (!Enum.IsDefined(Monitor))
            throw new ArgumentOutOfRangeException(nameof(Monitor), Monitor, "Expected a MonitoredLoss member.");
    }
}
