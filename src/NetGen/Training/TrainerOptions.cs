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
        EarlyStopping?.Validate();
    }
}

/// <summary>What the trainer watches to decide which epoch is best.</summary>
public enum MonitoredLoss
{
    /// <summary>The validation loss (needs a validation set).</summary>
    ValidationLoss,
    /// <summary>The training loss (mean over the epoch's samples).</summary>
    TrainingLoss,
}

/// <summary>
/// Stops training when the monitored loss has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> epochs in a row, and (by default) puts back the best epoch's weights at the end.
/// </summary>
public sealed class EarlyStopping
{
    /// <summary>Epochs without improvement to tolerate; training stops after the <see cref="Patience"/>-th. Default 5.</summary>
    public int Patience { get; set; } = 5;
    /// <summary>An epoch improves when its loss is below the best so far minus this (absolute). Default 0.</summary>
    public float MinDelta { get; set; }
    /// <summary>
    /// When training ends (stopped early or not), copy back the parameters of the best epoch, bit for bit (default true).
    /// The optimizer's state is not rolled back.
    /// </summary>
    public bool RestoreBestWeights { get; set; } = true;
    /// <summary>The loss watched (default the validation loss, which needs a validation set).</summary>
    public MonitoredLoss Monitor { get; set; } = MonitoredLoss.ValidationLoss;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Patience, nameof(Patience));
        if (!(MinDelta >= 0) || !float.IsFinite(MinDelta))
            throw new ArgumentOutOfRangeException(nameof(MinDelta), MinDelta, "Expected a finite non-negative delta.");
    }
}
