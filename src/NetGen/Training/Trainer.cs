using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using NetGen.Data;

namespace NetGen.Training;

/// <summary>
/// Trains any <see cref="INetwork"/> with any <see cref="Optimizer"/>: mini-batches through a <see cref="BatchIterator"/>,
/// a learning-rate schedule, validation after each epoch, early stopping with restore of the best weights, a checkpoint
/// of the best epoch, and progress reports.
/// </summary>
/// <remarks>
/// <para>
/// Each epoch: the schedule sets the learning rate; every batch runs <see cref="INetwork.TrainBatch(ReadOnlySpan{float}, ReadOnlySpan{int}, int)"/>
/// (labels) or the float-targets overload, then <see cref="Optimizer.Step"/>; then the validation set is evaluated in
/// inference mode. The monitored loss (validation loss if there is a validation set, else training loss, unless
/// <see cref="EarlyStopping.Monitor"/> says otherwise) decides the best epoch.
/// </para>
/// <para>
/// The batch loop allocates nothing after the first epoch when no <see cref="TrainerOptions.Progress"/> is set (a
/// <see cref="Progress{T}"/> allocates per report on its own). A non-finite batch or validation loss throws
/// <see cref="TrainingDivergedException"/>; cancellation throws <see cref="OperationCanceledException"/> between batches.
/// In both cases the network keeps its current parameters and the checkpoint file keeps the last good epoch.
/// </para>
/// <para>
/// An epoch's training loss is the mean of losses measured before each step, so it says nothing of the parameters the
/// epoch ends with. Before those are snapshotted (best weights, checkpoint) they must be shown good: all finite, and
/// giving a finite loss themselves: the validation loss, or without a validation set, the loss of the first
/// <see cref="TrainerOptions.EvaluationBatchSize"/> training samples (one extra inference batch per improved epoch).
/// Otherwise the trainer throws <see cref="TrainingDivergedException"/> and snapshots nothing.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var trainer = new Trainer(net, new Adam(1e-3f), new TrainerOptions { Epochs = 20, BatchSize = 64, EarlyStopping = new() { Patience = 3 } });
/// trainer.EpochCompleted += (_, e) => Console.WriteLine(e);
/// TrainingHistory history = trainer.Fit(train, validation);
/// </code>
/// </example>
public sealed class Trainer
{
    float[] _bestParameters = Array.Empty<float>();

    public Trainer(INetwork network, Optimizer optimizer, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        Network = network;
        Optimizer = optimizer;
        Options = options ?? new TrainerOptions();
    }

    /// <summary>The network trained.</summary>
    public INetwork Network { get; }
    /// <summary>The optimizer stepping it.</summary>
    public Optimizer Optimizer { get; }
    /// <summary>The options; read when <see cref="Fit"/> starts.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Raised after every batch, on the training thread (the same report as <see cref="TrainerOptions.Progress"/>).</summary>
    public event EventHandler<TrainingProgress>? BatchCompleted;
    /// <summary>Raised after every epoch, after validation, checkpointing and the best-weights snapshot, before the early-stopping decision.</summary>
    public event EventHandler<EpochRecord>? EpochCompleted;

    /// <summary>Evaluates the network on <paramref name="data"/> (loss, accuracy, confusion matrix or MSE).</summary>
    public EvaluationResult Evaluate(Dataset data, int batchSize = 256) => Evaluator.Evaluate(Network, data, batchSize);

    /// <summary>Trains on <paramref name="train"/>, validating on <paramref name="validation"/> after each epoch.</summary>
    /// <exception cref="TrainingDivergedException">A batch or validation loss was NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public TrainingHistory Fit(Dataset train, Dataset? validation = null, CancellationToken cancellationToken = default)
    {
        TrainerOptions options = Options;
        options.Validate();
        INetwork net = Network;
        Optimizer optimizer = Optimizer;
        Evaluator.CheckCompatible(net, train, nameof(train));
        if (validation is not null)
        {
            Evaluator.CheckCompatible(net, validation, nameof(validation));
            if (validation.Count == 0) throw new ArgumentException("The validation set is empty; pass null to train without one.", nameof(validation));
        }

        EarlyStopping? stopping = options.EarlyStopping;
        MonitoredLoss monitor = stopping?.Monitor ?? (validation is null ? MonitoredLoss.TrainingLoss : MonitoredLoss.ValidationLoss);
        if (monitor == MonitoredLoss.ValidationLoss && validation is null)
            throw new ArgumentException("Early stopping monitors the validation loss, but no validation set was given (or set EarlyStopping.Monitor to TrainingLoss).", nameof(validation));

        var batches = new BatchIterator(train, options.BatchSize, options.Shuffle, options.Seed, options.DropLast);
        int batchesPerEpoch = batches.BatchesPerEpoch;
        if (batchesPerEpoch == 0)
            throw new ArgumentException(
                $"The training set of {train.Count} samples gives no batch of {options.BatchSize}{(options.DropLast ? " with DropLast" : "")}.", nameof(train));

        var evaluator = validation is null ? null : new Evaluator(net, options.EvaluationBatchSize);
        bool restore = stopping is { RestoreBestWeights: true };
        // Without a validation set, the first training samples measure the parameters an epoch ends with (see remarks).
        bool snapshots = restore || options.CheckpointPath is not null;
        Dataset? probe = snapshots && evaluator is null ? train.Take(options.EvaluationBatchSize) : null;
        var probeEvaluator = probe is null ? null : new Evaluator(net, options.EvaluationBatchSize);
        if (restore && _bestParameters.Length != net.ParameterCount) _bestParameters = new float[net.ParameterCount];
        float minDelta = stopping?.MinDelta ?? 0f;
        LearningRateSchedule? schedule = options.Schedule;
        schedule?.Reset(optimizer.LearningRate);
        IProgress<TrainingProgress>? progress = options.Progress;
        bool labelled = train.HasLabels;

        var records = new List<EpochRecord>(Math.Min(options.Epochs, 1024));
        long fitStart = Stopwatch.GetTimestamp();
        int bestEpoch = -1, badEpochs = 0;
        double bestLoss = double.PositiveInfinity;
        double? previousLoss = null;
        StopReason reason = StopReason.Completed;
        string reasonText = $"completed all {options.Epochs} epochs";

        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (schedule is not null) optimizer.LearningRate = schedule.GetLearningRate(epoch, optimizer.LearningRate, previousLoss);
            float learningRate = optimizer.LearningRate;

            long epochStart = Stopwatch.GetTimestamp();
            batches.StartEpoch(epoch);
            double lossSum = 0;
            int samples = 0, batch = 0;
            while (batches.TryNext(out Batch b))
            {
                cancellationToken.ThrowIfCancellationRequested();
                float loss = labelled
                    ? net.TrainBatch(b.Features, b.Labels, b.Size)
                    : net.TrainBatch(b.Features, b.Targets, b.Size);
                if (!float.IsFinite(loss)) throw new TrainingDivergedException(epoch, batch, loss, learningRate);
                optimizer.Step(net);
                lossSum += (double)loss * b.Size;
                samples += b.Size;
                if (progress is not null || BatchCompleted is not null)
                {
                    TimeSpan elapsed = Stopwatch.GetElapsedTime(epochStart);
                    var report = new TrainingProgress(TrainingProgressKind.Batch, epoch, options.Epochs, batch, batchesPerEpoch,
                        lossSum / samples, learningRate, Rate(samples, elapsed), elapsed, record: null);
                    progress?.Report(report);
                    BatchCompleted?.Invoke(this, report);
                }
                batch++;
            }
            TimeSpan trainingTime = Stopwatch.GetElapsedTime(epochStart);
            double trainingLoss = lossSum / samples;

            double? validationLoss = null, validationAccuracy = null;
            if (evaluator is not null)
            {
                (double loss, double? accuracy) = evaluator.LossAndAccuracy(validation!);
                if (!double.IsFinite(loss)) throw new TrainingDivergedException(epoch, null, loss, learningRate);
                validationLoss = loss;
                validationAccuracy = accuracy;
            }

            double monitored = monitor == MonitoredLoss.ValidationLoss ? validationLoss!.Value : trainingLoss;
            bool improved = monitored < bestLoss - minDelta;
            if (improved)
            {
                if (snapshots) CheckSnapshotIsGood(net, epoch, learningRate, probeEvaluator, probe);
                bestLoss = monitored;
                bestEpoch = epoch;
                badEpochs = 0;
                if (restore) net.Parameters.CopyTo(_bestParameters);
                if (options.CheckpointPath is string path) net.Save(path, optimizer);
            }
            else
            {
                badEpochs++;
            }
            previousLoss = monitored;

            var record = new EpochRecord(epoch, trainingLoss, validationLoss, validationAccuracy, learningRate,
                Stopwatch.GetElapsedTime(epochStart), Rate(samples, trainingTime), samples, batch, improved);
            records.Add(record);
            progress?.Report(new TrainingProgress(TrainingProgressKind.Epoch, epoch, options.Epochs, batch - 1, batchesPerEpoch,
                trainingLoss, learningRate, record.SamplesPerSecond, record.Elapsed, record));
            EpochCompleted?.Invoke(this, record);

            if (stopping is not null && badEpochs >= stopping.Patience && epoch < options.Epochs - 1)
            {
                reason = StopReason.EarlyStopping;
                string what = monitor == MonitoredLoss.ValidationLoss ? "validation loss" : "training loss";
                reasonText = string.Create(CultureInfo.InvariantCulture,
                    $"stopped early after epoch {epoch}: the {what} has not improved on {bestLoss:G6} (epoch {bestEpoch}) by more than {stopping.MinDelta} for {badEpochs} epochs");
                break;
            }
        }

        bool restored = false;
        if (restore && bestEpoch >= 0)
        {
            _bestParameters.CopyTo(net.Parameters);
            restored = true;
        }
        return new TrainingHistory(records, bestEpoch, bestLoss, monitor, reason, reasonText, restored, Stopwatch.GetElapsedTime(fitStart));
    }

    /// <summary>
    /// Throws <see cref="TrainingDivergedException"/> unless the parameters the epoch ended with are good to snapshot: all
    /// finite, and giving a finite loss themselves (the validation loss was measured on them; without a validation set,
    /// <paramref name="probe"/>, the first training samples, is).
    /// </summary>
    static void CheckSnapshotIsGood(INetwork net, int epoch, float learningRate, Evaluator? probeEvaluator, Dataset? probe)
    {
        ReadOnlySpan<float> parameters = net.Parameters;
        for (int i = 0; i < parameters.Length; i++)
            if (!float.IsFinite(parameters[i]))
                throw new TrainingDivergedException($"parameter {i} after epoch {epoch}'s last step", epoch, parameters[i], learningRate);
        if (probeEvaluator is null) return;
        (double loss, _) = probeEvaluator.LossAndAccuracy(probe!);
        if (!double.IsFinite(loss))
            throw new TrainingDivergedException($"the loss of the first {probe!.Count} training samples after epoch {epoch}'s last step", epoch, loss, learningRate);
    }

    static double Rate(int samples, TimeSpan elapsed) => elapsed.Ticks > 0 ? samples / elapsed.TotalSeconds : 0;
}
