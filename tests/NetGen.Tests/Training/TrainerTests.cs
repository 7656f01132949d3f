using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using NetGen.Data;
using NetGen.Training;
using Xunit.Abstractions;

namespace NetGen.Tests.Training;

public sealed class TrainerTests(ITestOutputHelper output) : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("netgen-trainer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    sealed class ListProgress : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = new();
        public void Report(TrainingProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Learns_three_blobs_to_95_percent_validation_accuracy_with_Adam()
    {
        var (train, validation) = TrainingTestData.Blobs(900, seed: 7).Split(0.2, seed: 1);
        var net = new TrainingBlobsNet(seed: 3);
        var trainer = new Trainer(net, new Adam(0.01f), new TrainerOptions { Epochs = 30, BatchSize = 32, Seed = 5 });
        var clock = Stopwatch.StartNew();
        TrainingHistory history = trainer.Fit(train, validation);
        clock.Stop();

        EvaluationResult result = trainer.Evaluate(validation);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.00} s; {history.Epochs[^1]}");
        output.WriteLine(result.ConfusionMatrix!.ToString());
        Assert.True(result.Accuracy >= 0.95, $"validation accuracy {result.Accuracy}");
        Assert.True(history.Epochs[^1].ValidationAccuracy >= 0.95);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Equal("north", result.ConfusionMatrix.ClassNames![2]);
    }

    [Fact]
    public void History_records_every_epoch_with_weighted_loss_rate_and_timing()
    {
        var (train, validation) = TrainingTestData.Blobs(150, seed: 2).Split(0.2, seed: 2);
        var net = new ScriptedNetwork(new TrainingBlobsNet(seed: 1));
        var optimizer = new Sgd(0.1f);
        var trainer = new Trainer(net, optimizer, new TrainerOptions { Epochs = 4, BatchSize = 16, Schedule = new StepDecay(0.2f, 0.5f, 1) });
        TrainingHistory history = trainer.Fit(train, validation);

        Assert.Equal(4, history.Epochs.Count);
        Assert.Equal(StopReason.Completed, history.Reason);
        Assert.False(history.StoppedEarly);
        Assert.False(history.RestoredBestWeights);
        Assert.Equal(MonitoredLoss.ValidationLoss, history.Monitor);
        int batches = (train.Count + 15) / 16; // 120 samples: 7 full batches and one of 8
        for (int e = 0; e < 4; e++)
        {
            EpochRecord r = history.Epochs[e];
            Assert.Equal(e, r.Epoch);
            Assert.Equal(0.2f / (1 << e), r.LearningRate);
            Assert.Equal(train.Count, r.Samples);
            Assert.Equal(batches, r.Batches);
            var calls = net.Calls.Skip(e * batches).Take(batches).ToArray();
            double sum = 0;
            foreach (var (loss, size) in calls) sum += (double)loss * size;
            Assert.Equal(sum / train.Count, r.TrainingLoss);
            Assert.NotNull(r.ValidationLoss);
            Assert.InRange(r.ValidationAccuracy!.Value, 0, 1);
            Assert.True(r.SamplesPerSecond > 0);
            Assert.True(r.Elapsed > TimeSpan.Zero);
        }
        Assert.Equal(0.2f / 8, optimizer.LearningRate);
        int best = history.Epochs.Select((r, i) => (r.ValidationLoss!.Value, i)).Min().i;
        Assert.Equal(best, history.BestEpoch);
        Assert.Equal(history.Epochs[best].ValidationLoss, history.BestLoss);
        Assert.True(history.Best.Improved);
        Assert.Contains("epoch 0: loss", history.Epochs[0].ToString());
    }

    [Fact]
    public void Without_validation_the_training_loss_is_monitored()
    {
        var net = new TrainingRegressionNet(seed: 4);
        var trainer = new Trainer(net, new Adam(0.01f), new TrainerOptions { Epochs = 3, BatchSize = 10 });
        TrainingHistory history = trainer.Fit(TrainingTestData.Linear(50, seed: 1));
        Assert.Equal(MonitoredLoss.TrainingLoss, history.Monitor);
        Assert.All(history.Epochs, r => { Assert.Null(r.ValidationLoss); Assert.Null(r.ValidationAccuracy); });

        trainer.Options.EarlyStopping = new EarlyStopping();
        Assert.Contains("validation", Assert.Throws<ArgumentException>(() => trainer.Fit(TrainingTestData.Linear(50, seed: 1))).Message);
    }

    [Fact]
    public void Progress_reports_every_batch_and_every_epoch()
    {
        var train = TrainingTestData.Blobs(100, seed: 3);
        var progress = new ListProgress();
        var batchEvents = 0;
        var epochEvents = new List<EpochRecord>();
        var trainer = new Trainer(new TrainingBlobsNet(seed: 2), new Adam(0.01f), new TrainerOptions { Epochs = 2, BatchSize = 30, Progress = progress });
        trainer.BatchCompleted += (_, p) => batchEvents++;
        trainer.EpochCompleted += (_, r) => epochEvents.Add(r);
        TrainingHistory history = trainer.Fit(train);

        Assert.Equal(2 * (4 + 1), progress.Reports.Count);
        Assert.Equal(8, batchEvents);
        Assert.Equal(history.Epochs, epochEvents);
        for (int e = 0; e < 2; e++)
        {
            var reports = progress.Reports.Skip(e * 5).Take(5).ToArray();
            for (int b = 0; b < 4; b++)
            {
                Assert.Equal(TrainingProgressKind.Batch, reports[b].Kind);
                Assert.Equal(e, reports[b].Epoch);
                Assert.Equal(b, reports[b].Batch);
                Assert.Equal(4, reports[b].BatchesPerEpoch);
                Assert.Equal(2, reports[b].Epochs);
                Assert.Null(reports[b].Record);
            }
            Assert.Equal(1.0, reports[3].EpochFraction);
            Assert.Equal(history.Epochs[e].TrainingLoss, reports[3].Loss); // the running loss ends at the epoch's loss
            Assert.Equal(TrainingProgressKind.Epoch, reports[4].Kind);
            Assert.Same(history.Epochs[e], reports[4].Record);
        }
    }

    [Fact]
    public void Early_stopping_stops_records_the_reason_and_restores_the_best_weights_bit_exactly()
    {
        // Memorizing noise: the training loss falls while the validation loss rises.
        Dataset train = TrainingTestData.Noise(40, 8, seed: 1), validation = TrainingTestData.Noise(40, 8, seed: 2);
        var net = new TrainingOverfitNet(seed: 6);
        var trainer = new Trainer(net, new Adam(0.03f), new TrainerOptions
        {
            Epochs = 300, BatchSize = 8, Seed = 3, EarlyStopping = new EarlyStopping { Patience = 5 },
        });
        var snapshots = new List<float[]>();
        trainer.EpochCompleted += (_, r) => snapshots.Add(net.Parameters.ToArray());
        TrainingHistory history = trainer.Fit(train, validation);

        Assert.True(history.StoppedEarly);
        Assert.Equal(StopReason.EarlyStopping, history.Reason);
        Assert.Contains("validation loss has not improved", history.ReasonText);
        Assert.Equal(history.BestEpoch + 6, history.Epochs.Count); // best, then five epochs without improvement
        Assert.True(history.Epochs.Count < 300);
        Assert.True(history.RestoredBestWeights);
        Assert.NotEqual(snapshots[^1], snapshots[history.BestEpoch]);
        Assert.Equal(snapshots[history.BestEpoch], net.Parameters.ToArray()); // float[] equality: every value
        Assert.True(BitwiseEqual(snapshots[history.BestEpoch], net.Parameters));
        Assert.Equal(history.Best.ValidationLoss!.Value, Evaluator.Evaluate(net, validation).Loss);
        output.WriteLine(history.ToString());
    }

    [Fact]
    public void Checkpoint_holds_the_best_epoch_and_loads_into_a_fresh_network()
    {
        string path = Path.Combine(_directory, "best.ngck");
        Dataset train = TrainingTestData.Noise(40, 8, seed: 1), validation = TrainingTestData.Noise(40, 8, seed: 2);
        var net = new TrainingOverfitNet(seed: 6);
        var trainer = new Trainer(net, new Adam(0.03f), new TrainerOptions
        {
            Epochs = 40, BatchSize = 8, Seed = 3, CheckpointPath = path,
            EarlyStopping = new EarlyStopping { Patience = 100, RestoreBestWeights = false },
        });
        TrainingHistory history = trainer.Fit(train, validation);
        Assert.True(history.BestEpoch < history.Epochs.Count - 1, "the test needs a best epoch before the last");

        var fresh = new TrainingOverfitNet(seed: 99);
        var adam = new Adam(1f);
        fresh.Load(path, adam);
        Assert.Equal(history.BestLoss, Evaluator.Evaluate(fresh, validation).Loss);
        Assert.Equal(history.Best.ValidationLoss, Evaluator.Evaluate(fresh, validation).Loss);
        Assert.Equal((history.BestEpoch + 1) * 5L, adam.StepCount);
        Assert.Equal(0.03f, adam.LearningRate);
        Assert.NotEqual(Evaluator.Evaluate(net, validation).Loss, history.BestLoss); // the trainer kept its last weights
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Non_finite_loss_throws_naming_epoch_and_batch_and_keeps_the_last_good_checkpoint()
    {
        string path = Path.Combine(_directory, "best.ngck");
        var (train, validation) = TrainingTestData.Blobs(200, seed: 4).Split(0.2, seed: 4); // 160 samples: 5 batches of 32
        var net = new ScriptedNetwork(new TrainingBlobsNet(seed: 1)) { InjectAt = 2 * 5 + 3 };
        var trainer = new Trainer(net, new Adam(0.01f), new TrainerOptions { Epochs = 10, BatchSize = 32, CheckpointPath = path });
        byte[]? afterEpoch1 = null;
        trainer.EpochCompleted += (_, r) => { if (r.Epoch == 1) afterEpoch1 = File.ReadAllBytes(path); };

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(train, validation));
        Assert.Equal(2, error.Epoch);
        Assert.Equal(3, error.Batch);
        Assert.True(double.IsNaN(error.Loss));
        Assert.Contains("batch 3 of epoch 2", error.Message);
        Assert.Contains("NaN", error.Message);
        Assert.Equal(afterEpoch1, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void A_huge_learning_rate_diverges_and_leaves_an_existing_checkpoint_untouched()
    {
        string path = Path.Combine(_directory, "previous.ngck");
        var net = new TrainingRegressionNet(seed: 2);
        net.Save(path);
        byte[] before = File.ReadAllBytes(path);
        var trainer = new Trainer(net, new Sgd(1e12f), new TrainerOptions { Epochs = 5, BatchSize = 4, CheckpointPath = path });

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(TrainingTestData.Linear(200, seed: 3)));
        output.WriteLine(error.Message);
        Assert.Equal(0, error.Epoch);
        Assert.NotNull(error.Batch);
        Assert.False(double.IsFinite(error.Loss));
        Assert.Contains($"batch {error.Batch} of epoch 0", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_diverging_run_without_validation_never_checkpoints_parameters_that_were_not_evaluated()
    {
        // The reproduction: SGD at lr 1e38, full batch, the training loss monitored. Epoch 0's loss is measured
        // before its step and is finite; the step sends the parameters to ~1e38, where the loss is no longer finite.
        string path = Path.Combine(_directory, "best.ngck");
        Dataset train = TrainingTestData.Linear(64, seed: 3);

        // What epoch 0 ends with: finite parameters (so checking finiteness alone would not do) whose loss is not finite.
        var probe = new TrainingRegressionNet(seed: 2);
        TrainingHistory one = new Trainer(probe, new Sgd(1e38f), new TrainerOptions { Epochs = 1, BatchSize = train.Count, Shuffle = false }).Fit(train);
        float largest = probe.Parameters.ToArray().Max(MathF.Abs);
        double lossAtTheEnd = Evaluator.Evaluate(probe, train).Loss;
        output.WriteLine($"epoch 0: training loss {one.Epochs[0].TrainingLoss:G4} (before the step); after it, largest |parameter| {largest:G3}, loss {lossAtTheEnd}");
        Assert.True(double.IsFinite(one.Epochs[0].TrainingLoss));
        Assert.True(probe.Parameters.ToArray().All(float.IsFinite) && largest > 1e30f);
        Assert.False(double.IsFinite(lossAtTheEnd));

        foreach (bool restoreBestWeights in new[] { false, true })
        {
            var net = new TrainingRegressionNet(seed: 2);
            var trainer = new Trainer(net, new Sgd(1e38f), new TrainerOptions
            {
                Epochs = 5, BatchSize = train.Count, Shuffle = false, CheckpointPath = path,
                EarlyStopping = new EarlyStopping { Monitor = MonitoredLoss.TrainingLoss, RestoreBestWeights = restoreBestWeights },
            });
            var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(train));
            output.WriteLine(error.Message);
            Assert.Equal(0, error.Epoch);
            Assert.Null(error.Batch);
            Assert.Contains("after epoch 0", error.Message);
            // No checkpoint at all: epoch 0's parameters were the only candidate and they are not good.
            Assert.False(File.Exists(path), "a checkpoint of unevaluated parameters was saved");
        }
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void A_checkpoint_path_in_a_missing_folder_is_refused_before_training()
    {
        string folder = Path.Combine(_directory, "not-made-yet");
        var trainer = new Trainer(new TrainingBlobsNet(seed: 1), new Adam(0.01f), new TrainerOptions
        {
            Epochs = 2, BatchSize = 10, CheckpointPath = Path.Combine(folder, "best.ngck"),
        });
        int batches = 0;
        trainer.BatchCompleted += (_, _) => batches++;
        var error = Assert.Throws<DirectoryNotFoundException>(() => trainer.Fit(TrainingTestData.Blobs(30, seed: 1)));
        Assert.Contains($"'{folder}'", error.Message);
        Assert.Equal(0, batches);

        trainer.Options.CheckpointPath = _directory;
        Assert.Contains("is a directory", Assert.Throws<ArgumentException>(() => trainer.Fit(TrainingTestData.Blobs(30, seed: 1))).Message);
        Assert.Equal(0, batches);
    }

    [Fact]
    public void Two_fits_with_the_same_seeds_give_bit_identical_parameters()
    {
        var (train, validation) = TrainingTestData.Blobs(300, seed: 9).Split(0.2, seed: 9);
        float[] Run()
        {
            var net = new TrainingBlobsDropoutNet(seed: 11);
            new Trainer(net, new Adam(0.01f), new TrainerOptions
            {
                Epochs = 3, BatchSize = 16, Seed = 12, Schedule = new ReduceOnPlateau(patience: 0),
            }).Fit(train, validation);
            return net.Parameters.ToArray();
        }
        float[] first = Run(), second = Run();
        Assert.True(BitwiseEqual(first, second));
    }

    [Fact]
    public void Cancellation_stops_between_batches()
    {
        using var cancellation = new CancellationTokenSource();
        var trainer = new Trainer(new TrainingBlobsNet(seed: 1), new Adam(0.01f), new TrainerOptions { Epochs = 3, BatchSize = 10 });
        int batches = 0;
        trainer.BatchCompleted += (_, p) => { if (++batches == 4) cancellation.Cancel(); };
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(TrainingTestData.Blobs(100, seed: 1), null, cancellation.Token));
        Assert.Equal(4, batches);
    }

    [Fact]
    public void Fit_refuses_mismatched_data_and_bad_options()
    {
        var trainer = new Trainer(new TrainingBlobsNet(seed: 1), new Adam(0.01f), new TrainerOptions { BatchSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(TrainingTestData.Blobs(30, seed: 1)));
        trainer.Options.BatchSize = 8;
        Assert.Contains("3 features", Assert.Throws<ArgumentException>(() => trainer.Fit(TrainingTestData.Linear(30, seed: 1))).Message);
        trainer.Options.DropLast = true;
        trainer.Options.BatchSize = 64;
        Assert.Contains("no batch", Assert.Throws<ArgumentException>(() => trainer.Fit(TrainingTestData.Blobs(30, seed: 1))).Message);
    }

    [Fact]
    public void The_batch_loop_does_not_allocate_after_warm_up()
    {
        var train = TrainingTestData.Blobs(2000, seed: 5); // 200 batches of 10
        var trainer = new Trainer(new TrainingBlobsNet(seed: 1), new Adam(0.01f), new TrainerOptions { Epochs = 1, BatchSize = 10 });
        trainer.Fit(train); // warm-up: JIT, optimizer state, network buffers

        // Whole fits without observers: six epochs cost at most a little more than two (per-epoch records only).
        trainer.Options.Epochs = 2;
        long start = GC.GetAllocatedBytesForCurrentThread();
        trainer.Fit(train);
        long two = GC.GetAllocatedBytesForCurrentThread() - start;
        trainer.Options.Epochs = 6;
        start = GC.GetAllocatedBytesForCurrentThread();
        trainer.Fit(train);
        long six = GC.GetAllocatedBytesForCurrentThread() - start;
        output.WriteLine($"2 epochs: {two} bytes, 6 epochs: {six} bytes");
        Assert.True(six - two < 4 * 1024, $"4 more epochs of 200 batches allocated {six - two} bytes");

        // Inside an epoch, between its first and last batch: nothing.
        long first = 0, last = 0;
        trainer.BatchCompleted += (_, p) =>
        {
            if (p.Epoch != 1) return;
            if (p.Batch == 0) first = GC.GetAllocatedBytesForCurrentThread();
            else if (p.Batch == p.BatchesPerEpoch - 1) last = GC.GetAllocatedBytesForCurrentThread();
        };
        trainer.Options.Epochs = 2;
        trainer.Fit(train);
        output.WriteLine($"199 batches: {last - first} bytes");
        Assert.True(last - first < 512, $"199 batches allocated {last - first} bytes");
    }

    static bool BitwiseEqual(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        => System.Runtime.InteropServices.MemoryMarshal.AsBytes(a).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b));
}
