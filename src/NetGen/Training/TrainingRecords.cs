using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen.Training;

/// <summary>One finished epoch.</summary>
/// <param name="Epoch">The epoch, from 0.</param>
/// <param name="TrainingLoss">Mean of the batches' losses weighted by batch size: the mean loss over the epoch's samples.</param>
/// <param name="ValidationLoss">Loss on the validation set after the epoch (inference mode); null without one.</param>
/// <param name="ValidationAccuracy">Accuracy on a labelled validation set; null otherwise.</param>
/// <param name="LearningRate">The optimizer's learning rate during the epoch.</param>
/// <param name="Elapsed">Wall time of the epoch, validation included.</param>
/// <param name="SamplesPerSecond">Training samples per second of training time (validation excluded).</param>
/// <param name="Samples">Training samples seen.</param>
/// <param name="Batches">Batches trained.</param>
/// <param name="Improved">Whether the monitored loss improved on the best so far (this epoch became the best).</param>
public sealed record EpochRecord(
    int Epoch, double TrainingLoss, double? ValidationLoss, double? ValidationAccuracy, float LearningRate,
    TimeSpan Elapsed, double SamplesPerSecond, int Samples, int Batches, bool Improved)
{
    /// <summary>
    /// Accuracy on <see cref="TrainerOptions.TrainingAccuracySamples"/> training samples spread over the set, after the epoch, in
    /// inference mode with the epoch's final parameters (as <see cref="ValidationAccuracy"/>); null for float targets or
    /// when not measured.
    /// </summary>
    public double? TrainingAccuracy { get; init; }

    /// <summary>Steps whose gradient norm exceeded <see cref="TrainerOptions.GradientClipNorm"/> and were scaled down.</summary>
    public int ClippedSteps { get; init; }

    /// <summary>Steps skipped because the gradient was not finite (<see cref="NonFiniteGradientPolicy.SkipStep"/>).</summary>
    public int SkippedSteps { get; init; }

    /// <summary>One log line, e.g. <c>epoch 3: loss 0.1234, acc 95.20%, val loss 0.2345, val acc 93.10%, lr 0.001, 1.2 s, 50000 samples/s</c>.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        string text = string.Create(c, $"epoch {Epoch}: loss {TrainingLoss:0.######}");
        if (TrainingAccuracy is double t) text += string.Create(c, $", acc {t * 100:0.00}%");
        if (ValidationLoss is double v) text += string.Create(c, $", val loss {v:0.######}");
        if (ValidationAccuracy is double a) text += string.Create(c, $", val acc {a * 100:0.00}%");
        if (ClippedSteps > 0) text += string.Create(c, $", {ClippedSteps} clipped");
        if (SkippedSteps > 0) text += string.Create(c, $", {SkippedSteps} skipped (non-finite gradient)");
        return text + string.Create(c, $", lr {LearningRate:G6}, {Elapsed.TotalSeconds:0.###} s, {SamplesPerSecond:0} samples/s{(Improved ? " *" : "")}");
    }
}

/// <summary>Why <see cref="Trainer.Fit"/> stopped.</summary>
public enum StopReason
{
    /// <summary>All epochs ran.</summary>
    Completed,
    /// <summary>The monitored value stopped improving for the early-stopping patience.</summary>
    EarlyStopping,
}

/// <summary>What one <see cref="Trainer.Fit"/> did, epoch by epoch.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(List<EpochRecord> epochs, int bestEpoch, double bestValue, MonitoredLoss monitor, StopReason reason, string reasonText, bool restored, TimeSpan elapsed)
    {
        Epochs = epochs.AsReadOnly();
        BestEpoch = bestEpoch;
        BestValue = bestValue;
        Monitor = monitor;
        Reason = reason;
        ReasonText = reasonText;
        RestoredBestWeights = restored;
        Elapsed = elapsed;
    }

    /// <summary>One record per finished epoch, in order.</summary>
    public IReadOnlyList<EpochRecord> Epochs { get; }
    /// <summary>The epoch with the best monitored value, lowest loss or highest accuracy (the first of equals, within MinDelta).</summary>
    public int BestEpoch { get; }
    /// <summary>Its monitored value: a loss, or an accuracy when <see cref="Monitor"/> is one.</summary>
    public double BestValue { get; }
    /// <summary>The same as <see cref="BestValue"/> (named when only losses were monitored).</summary>
    public double BestLoss => BestValue;
    /// <summary>The record of <see cref="BestEpoch"/>.</summary>
    public EpochRecord Best => Epochs[BestEpoch];
    /// <summary>What decided the best epoch: the validation loss when there was a validation set, else the training loss, unless <see cref="EarlyStopping.Monitor"/> said otherwise.</summary>
    public MonitoredLoss Monitor { get; }
    /// <summary>Whether early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly => Reason == StopReason.EarlyStopping;
    /// <summary>Why training stopped.</summary>
    public StopReason Reason { get; }
    /// <summary>The same, in words, with the numbers.</summary>
    public string ReasonText { get; }
    /// <summary>Whether the best epoch's parameters were copied back into the network at the end.</summary>
    public bool RestoredBestWeights { get; }
    /// <summary>Wall time of the whole fit.</summary>
    public TimeSpan Elapsed { get; }

    public override string ToString() => $"{Epochs.Count} epochs, best {BestEpoch}: {ReasonText}";
}

/// <summary>Whether a <see cref="TrainingProgress"/> reports a batch or a whole epoch.</summary>
public enum TrainingProgressKind
{
    Batch,
    Epoch,
}

/// <summary>
/// A progress report, sent after every batch (<see cref="TrainingProgressKind.Batch"/>) and after every epoch
/// (<see cref="TrainingProgressKind.Epoch"/>, with <see cref="Record"/>). A struct, so reporting a batch allocates nothing.
/// </summary>
public readonly struct TrainingProgress
{
    internal TrainingProgress(TrainingProgressKind kind, int epoch, int epochs, int batch, int batchesPerEpoch, double loss,
        float learningRate, double samplesPerSecond, TimeSpan elapsed, EpochRecord? record)
    {
        Kind = kind;
        Epoch = epoch;
        Epochs = epochs;
        Batch = batch;
        BatchesPerEpoch = batchesPerEpoch;
        Loss = loss;
        LearningRate = learningRate;
        SamplesPerSecond = samplesPerSecond;
        Elapsed = elapsed;
        Record = record;
    }

    /// <summary>A batch or an epoch report.</summary>
    public TrainingProgressKind Kind { get; }
    /// <summary>The current epoch, from 0.</summary>
    public int Epoch { get; }
    /// <summary>Epochs planned (early stopping may end sooner).</summary>
    public int Epochs { get; }
    /// <summary>The batch just trained, from 0 (the last batch for an epoch report).</summary>
    public int Batch { get; }
    /// <summary>Batches in each epoch.</summary>
    public int BatchesPerEpoch { get; }
    /// <summary>The running mean training loss of this epoch so far (over samples).</summary>
    public double Loss { get; }
    /// <summary>The learning rate of this epoch.</summary>
    public float LearningRate { get; }
    /// <summary>Training samples per second so far in this epoch.</summary>
    public double SamplesPerSecond { get; }
    /// <summary>Wall time since this epoch started.</summary>
    public TimeSpan Elapsed { get; }
    /// <summary>The finished epoch, for epoch reports; null for batch reports.</summary>
    public EpochRecord? Record { get; }
    /// <summary>The fraction of the epoch done, in (0, 1].</summary>
    public double EpochFraction => BatchesPerEpoch == 0 ? 1 : (Batch + 1) / (double)BatchesPerEpoch;
}

/// <summary>
/// Training produced a non-finite loss (NaN or ±∞), or parameters that are not finite or give such a loss: the learning
/// rate is likely too high, or the data holds a NaN. The parameters are left as they were when it happened; no checkpoint
/// is written after it.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(string message) : base(message) { }

    public TrainingDivergedException(int epoch, int? batch, double loss, float learningRate)
        : this(epoch, batch, batch is int b ? $"the loss of batch {b} of epoch {epoch}" : $"the loss of the validation set after epoch {epoch}", loss, learningRate) { }

    /// <summary>Divergence found after an epoch's last step, in <paramref name="what"/> (a loss, or a parameter whose value is <paramref name="value"/>).</summary>
    internal TrainingDivergedException(string what, int epoch, double value, float learningRate) : this(epoch, null, what, value, learningRate) { }

    internal TrainingDivergedException(int epoch, int? batch, string what, double value, float learningRate) : base(Describe(what, value, learningRate))
    {
        Epoch = epoch;
        Batch = batch;
        Loss = value;
    }

    /// <summary>The epoch it happened in, from 0.</summary>
    public int Epoch { get; }
    /// <summary>The batch whose loss was not finite, from 0; null when it was found after the epoch (validation loss, or the epoch's final parameters).</summary>
    public int? Batch { get; }
    /// <summary>The non-finite value found: a loss, a gradient's global norm, or, when a parameter itself was not finite, its value.</summary>
    public double Loss { get; }

    static string Describe(string what, double value, float learningRate) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Training diverged: {what} is {value} (expected a finite number). Try a lower learning rate (it was {learningRate}) or check the data for NaN/∞. Counting from 0; nothing was saved after the divergence.");
}
