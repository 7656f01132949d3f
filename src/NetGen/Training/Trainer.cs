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
/// inference mode, and the training accuracy measured (<see cref="TrainerOptions.TrainingAccuracySamples"/>). The monitored
/// value (validation loss if there is a validation set, else training loss, unless <see cref="EarlyStopping.Monitor"/>
/// names another, such as the validation accuracy) decides the best epoch: a loss by falling, an accuracy by rising.
/// </para>
/// <para>
/// Each step: <see cref="TrainerOptions.BatchTransform"/> on copies of the batch, <c>TrainBatch</c>,
/// <see cref="TrainerOptions.BeforeStep"/>, then the gradient's global norm over the trainable layers (clipped to
/// <see cref="TrainerOptions.GradientClipNorm"/> if set), then <see cref="Optimizer.Step"/>. A norm that is NaN or
/// infinite never reaches the weights: the trainer throws <see cref="TrainingDivergedException"/> or, with
/// <see cref="NonFiniteGradientPolicy.SkipStep"/>, skips the step and counts it in <see cref="EpochRecord.SkippedSteps"/>.
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
    /// <exception cref="TrainingDivergedException">A batch or validation loss, or (unless skipped) a gradient, was NaN or infinite.</exception>
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
        Dataset? accuracyProbe = train.HasLabels && options.TrainingAccuracySamples > 0 ? EvenlySpaced(train, options.TrainingAccuracySamples) : null;
        CheckMeasured(monitor, "Early stopping", validation, accuracyProbe is not null);
        LearningRateSchedule? schedule = options.Schedule;
        MonitoredLoss scheduleMonitor = schedule?.Monitor ?? monitor;
        if (schedule is not null)
        {
            CheckMeasured(scheduleMonitor, "The schedule", validation, accuracyProbe is not null);
            schedule.Bind(scheduleMonitor);
            schedule.Reset(optimizer.LearningRate);
        }

        var batches = new BatchIterator(train, options.BatchSize, options.Shuffle, options.Seed, options.DropLast);
        int batchesPerEpoch = batches.BatchesPerEpoch;
        if (batchesPerEpoch == 0)
            throw new ArgumentException(
                $"The training set of {train.Count} samples gives no batch of {options.BatchSize}{(options.DropLast ? " with DropLast" : "")}.", nameof(train));

        var evaluator = validation is null && accuracyProbe is null ? null : new Evaluator(net, options.EvaluationBatchSize);
        bool restore = stopping is { RestoreBestWeights: true };
        // Without a validation set, the first training samples measure the parameters an epoch ends with (see remarks).
        bool snapshots = restore || options.CheckpointPath is not null;
        Dataset? probe = snapshots && validation is null ? train.Take(options.EvaluationBatchSize) : null;
        var probeEvaluator = probe is null ? null : new Evaluator(net, options.EvaluationBatchSize);
        if (restore && _bestParameters.Length != net.ParameterCount) _bestParameters = new float[net.ParameterCount];
        float minDelta = stopping?.MinDelta ?? 0f;
        IProgress<TrainingProgress>? progress = options.Progress;
        bool labelled = train.HasLabels;

        // Hooks: the transform works on copies in buffers allocated here, once.
        BatchTransform? transform = options.BatchTransform;
        Action<StepContext>? beforeStep = options.BeforeStep;
        float? clipNorm = options.GradientClipNorm;
        bool skipNonFinite = options.NonFiniteGradients == NonFiniteGradientPolicy.SkipStep;
        int batchCapacity = Math.Min(options.BatchSize, train.Count);
        float[] featureCopy = transform is null ? Array.Empty<float>() : new float[batchCapacity * train.FeatureSize];
        float[] targetCopy = transform is null || labelled ? Array.Empty<float>() : new float[batchCapacity * train.TargetSize];

        var records = new List<EpochRecord>(Math.Min(options.Epochs, 1024));
        long fitStart = Stopwatch.GetTimestamp();
        bool maximize = monitor.IsAccuracy();
        int bestEpoch = -1, badEpochs = 0;
        double best = maximize ? double.NegativeInfinity : double.PositiveInfinity;
        EpochRecord? previous = null;
        StopReason reason = StopReason.Completed;
        string reasonText = $"completed all {options.Epochs} epochs";

        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (schedule is not null)
                optimizer.LearningRate = schedule.GetLearningRate(epoch, optimizer.LearningRate, previous is null ? null : scheduleMonitor.ValueIn(previous));
            float learningRate = optimizer.LearningRate;

            long epochStart = Stopwatch.GetTimestamp();
            batches.StartEpoch(epoch);
            double lossSum = 0;
            int samples = 0, batch = 0, clipped = 0, skipped = 0;
            while (batches.TryNext(out Batch b))
            {
                cancellationToken.ThrowIfCancellationRequested();
                ReadOnlySpan<float> features = b.Features, targets = b.Targets;
                if (transform is not null)
                {
                    Span<float> f = featureCopy.AsSpan(0, b.Features.Length), t = targetCopy.AsSpan(0, b.Targets.Length);
                    b.Features.CopyTo(f);
                    b.Targets.CopyTo(t);
                    // Streams from 2^32 on never meet the shuffles' (one per epoch) of the same seed.
                    var random = DeterministicRandom.ForStream(options.Seed, ((long)(epoch + 1) << 32) | (uint)batch);
                    transform(new TrainingBatch(f, b.Labels, t, b.Size, train.FeatureSize, epoch, batch, random));
                    features = f;
                    targets = t;
                }
                float loss = labelled
                    ? net.TrainBatch(features, b.Labels, b.Size)
                    : net.TrainBatch(features, targets, b.Size);
                if (!float.IsFinite(loss)) throw new TrainingDivergedException(epoch, batch, loss, learningRate);
                beforeStep?.Invoke(new StepContext(net, epoch, batch, b.Size, loss, learningRate));
                double norm = clipNorm is float maxNorm ? net.ClipGradientNorm(maxNorm) : net.GradientNorm();
                if (double.IsFinite(norm))
                {
                    if (norm > clipNorm) clipped++;
                    optimizer.Step(net);
                }
                else if (skipNonFinite)
                {
                    skipped++;
                }
                else
                {
                    throw new TrainingDivergedException(epoch, batch,
                        $"the gradient's global norm for batch {batch} of epoch {epoch} (the loss was {loss.ToString(CultureInfo.InvariantCulture)}; the step was not taken)", norm, learningRate);
                }
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

            double? validationLoss = null, validationAccuracy = null, trainingAccuracy = null;
            if (validation is not null)
            {
                (double loss, double? accuracy) = evaluator!.LossAndAccuracy(validation);
                if (!double.IsFinite(loss)) throw new TrainingDivergedException(epoch, null, loss, learningRate);
                validationLoss = loss;
                validationAccuracy = accuracy;
            }
            if (accuracyProbe is not null) trainingAccuracy = evaluator!.LossAndAccuracy(accuracyProbe).Accuracy;

            var record = new EpochRecord(epoch, trainingLoss, validationLoss, validationAccuracy, learningRate,
                TimeSpan.Zero, Rate(samples, trainingTime), samples, batch, Improved: false)
            {
                TrainingAccuracy = trainingAccuracy,
                ClippedSteps = clipped,
                SkippedSteps = skipped,
            };
            double monitored = monitor.ValueIn(record)!.Value;
            bool improved = maximize ? monitored > best + minDelta : monitored < best - minDelta;
            if (improved)
            {
                if (snapshots) CheckSnapshotIsGood(net, epoch, learningRate, probeEvaluator, probe);
                best = monitored;
                bestEpoch = epoch;
                badEpochs = 0;
                if (restore) net.Parameters.CopyTo(_bestParameters);
                if (options.CheckpointPath is string path) net.Save(path, optimizer);
            }
            else
            {
                badEpochs++;
            }

            record = record with { Improved = improved, Elapsed = Stopwatch.GetElapsedTime(epochStart) };
            records.Add(record);
            previous = record;
            progress?.Report(new TrainingProgress(TrainingProgressKind.Epoch, epoch, options.Epochs, batch - 1, batchesPerEpoch,
                trainingLoss, learningRate, record.SamplesPerSecond, record.Elapsed, record));
            EpochCompleted?.Invoke(this, record);

            if (stopping is not null && badEpochs >= stopping.Patience && epoch < options.Epochs - 1)
            {
                reason = StopReason.EarlyStopping;
                reasonText = string.Create(CultureInfo.InvariantCulture,
                    $"stopped early after epoch {epoch}: the {monitor.Describe()} has not improved on {best:G6} (epoch {bestEpoch}) by more than {stopping.MinDelta} for {badEpochs} epochs");
                break;
            }
        }

        bool restored = false;
        if (restore && bestEpoch >= 0)
        {
            _bestParameters.CopyTo(net.Parameters);
            restored = true;
        }
        return new TrainingHistory(records, bestEpoch, best, monitor, reason, reasonText, restored, Stopwatch.GetElapsedTime(fitStart));
    }

    /// <summary><paramref name="count"/> samples spread evenly over <paramref name="data"/> (all of it when it holds no more).</summary>
    internal static Dataset EvenlySpaced(Dataset data, int count)
    {
        if (data.Count <= count) return data;
        var indices = new int[count];
        for (int i = 0; i < count; i++) indices[i] = (int)((long)i * data.Count / count);
        return data.Subset(indices);
    }

    /// <summary>Throws when <paramref name="monitor"/> will not be measured: no validation set, unlabelled data, training accuracy off.</summary>
    static void CheckMeasured(MonitoredLoss monitor, string who, Dataset? validation, bool trainingAccuracyMeasured)
    {
        switch (monitor)
        {
            case MonitoredLoss.ValidationLoss when validation is null:
                throw new ArgumentException($"{who} monitors the validation loss, but no validation set was given (or monitor MonitoredLoss.TrainingLoss).", nameof(validation));
            case MonitoredLoss.ValidationAccuracy when validation is null || !validation.HasLabels:
                throw new ArgumentException($"{who} monitors the validation accuracy, which needs a labelled validation set; {(validation is null ? "none was given" : "this one has float targets")}.", nameof(validation));
            case MonitoredLoss.TrainingAccuracy when !trainingAccuracyMeasured:
                throw new ArgumentException($"{who} monitors the training accuracy, which needs labelled training data and TrainerOptions.TrainingAccuracySamples > 0.", "train");
        }
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
