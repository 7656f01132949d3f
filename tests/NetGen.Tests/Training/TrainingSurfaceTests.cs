using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Data;
using NetGen.Tests.Support;
using NetGen.Training;
using Xunit.Abstractions;

namespace NetGen.Tests.Training;

/// <summary>
/// The parts of the training loop a Keras or PyTorch user reaches for: class predictions, training accuracy, watching
/// an accuracy, gradient clipping, what happens to a non-finite gradient, and the two hooks.
/// </summary>
public sealed class TrainingSurfaceTests(ITestOutputHelper output)
{
    // ---- PredictClasses ----

    [Fact]
    public void PredictClasses_is_the_argmax_of_Predict_across_chunks()
    {
        var data = TrainingTestData.Blobs(7000, seed: 4); // 7000 × 3 outputs: two chunks of the 16384-float scratch
        var net = new TrainingBlobsNet(seed: 2);
        new Trainer(net, new Adam(0.01f), new TrainerOptions { Epochs = 1, BatchSize = 64 }).Fit(data.Take(300));
        var outputs = new float[data.Count * 3];
        net.Predict(data.Features, outputs, data.Count);
        var classes = new int[data.Count];
        net.PredictClasses(data.Features, classes, data.Count);
        for (int n = 0; n < data.Count; n++) Assert.Equal(Metrics.PredictedClass(outputs.AsSpan(n * 3, 3)), classes[n]);
        Assert.Equal(3, classes.Distinct().Count());
        Assert.Equal(classes, net.PredictClasses(data));
        Assert.Equal(classes[6999], net.PredictClass(data.GetFeatures(6999)));
    }

    [Fact]
    public void PredictClasses_thresholds_a_single_output_at_one_half()
    {
        var net = new FakeNetwork(1, [1]); // y = w·x + 0
        net.Parameters[0] = 1f;
        var classes = new int[4];
        net.PredictClasses([0.2f, 0.5f, 0.51f, 3f], classes, 4);
        Assert.Equal([0, 0, 1, 1], classes);
    }

    [Fact]
    public void PredictClasses_refuses_spans_that_do_not_fit_and_allocates_nothing_once_warm()
    {
        var net = new TrainingBlobsNet(seed: 1);
        var inputs = new float[20];
        var classes = new int[10];
        Assert.Contains("Expected 20 inputs (10 samples × 2), got 19", Assert.Throws<ArgumentException>(() => net.PredictClasses(inputs.AsSpan(1), classes, 10)).Message);
        Assert.Contains("room for 10 classes, got 9", Assert.Throws<ArgumentException>(() => net.PredictClasses(inputs, classes.AsSpan(1), 10)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.PredictClasses(inputs, classes, 0));

        net.PredictClasses(inputs, classes, 10);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) net.PredictClasses(inputs, classes, 10);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // ---- Training accuracy ----

    [Fact]
    public void Training_accuracy_is_measured_with_the_weights_the_epoch_ends_with()
    {
        var train = TrainingTestData.Blobs(300, seed: 3);
        var net = new TrainingBlobsNet(seed: 5);
        var trainer = new Trainer(net, new Sgd(0.05f), new TrainerOptions { Epochs = 1, BatchSize = 16 });
        EpochRecord record = trainer.Fit(train).Epochs[0];
        Assert.Equal(Evaluator.Evaluate(net, train).Accuracy, record.TrainingAccuracy);
        Assert.Contains("acc ", record.ToString());

        trainer.Options.TrainingAccuracySamples = 7;
        record = trainer.Fit(train).Epochs[0];
        // Every 300/7-th sample: 0, 42, 85, ...; Blobs cycles its classes, so these are not the first seven.
        Assert.Equal(Evaluator.Evaluate(net, train.Subset([0, 42, 85, 128, 171, 214, 257])).Accuracy, record.TrainingAccuracy);
        Assert.NotEqual(Evaluator.Evaluate(net, train).Accuracy, record.TrainingAccuracy); // 7 samples, not 300

        trainer.Options.TrainingAccuracySamples = 0;
        Assert.Null(trainer.Fit(train).Epochs[0].TrainingAccuracy);
        Assert.Null(new Trainer(new TrainingRegressionNet(seed: 1), new Adam(0.01f), new TrainerOptions { Epochs = 1 })
            .Fit(TrainingTestData.Linear(20, seed: 1)).Epochs[0].TrainingAccuracy); // float targets
    }

    // ---- Watching an accuracy ----

    [Fact]
    public void Early_stopping_on_validation_accuracy_keeps_the_epoch_with_the_highest_accuracy()
    {
        // Memorizing noise: the validation accuracy wanders around one half, up and down.
        Dataset train = TrainingTestData.Noise(60, 8, seed: 4), validation = TrainingTestData.Noise(60, 8, seed: 5);
        var net = new TrainingOverfitNet(seed: 2);
        var trainer = new Trainer(net, new Adam(0.03f), new TrainerOptions
        {
            Epochs = 60, BatchSize = 8, Seed = 1,
            EarlyStopping = new EarlyStopping { Patience = 6, Monitor = MonitoredLoss.ValidationAccuracy },
        });
        TrainingHistory history = trainer.Fit(train, validation);
        double[] accuracies = history.Epochs.Select(r => r.ValidationAccuracy!.Value).ToArray();
        output.WriteLine(string.Join(" ", accuracies.Select(a => a.ToString("0.000"))));

        int best = Array.IndexOf(accuracies, accuracies.Max()); // the first of the highest
        Assert.Equal(best, history.BestEpoch);
        Assert.Equal(accuracies.Max(), history.BestValue);
        Assert.Equal(MonitoredLoss.ValidationAccuracy, history.Monitor);
        double running = double.NegativeInfinity;
        foreach (EpochRecord r in history.Epochs)
        {
            Assert.Equal(r.ValidationAccuracy > running, r.Improved);
            running = Math.Max(running, r.ValidationAccuracy!.Value);
        }
        Assert.True(history.StoppedEarly, history.ReasonText);
        Assert.Contains("validation accuracy has not improved", history.ReasonText);
        Assert.Equal(accuracies.Max(), Evaluator.Evaluate(net, validation).Accuracy); // the best weights are back
        // Some later epochs improved and some did not: in min mode the first epoch (the lowest accuracy) would stay best.
        Assert.Contains(history.Epochs.Skip(1), r => r.Improved);
        Assert.Contains(history.Epochs, r => !r.Improved);
    }

    [Fact]
    public void Watching_an_accuracy_that_is_not_measured_is_refused_before_training()
    {
        var net = new TrainingBlobsNet(seed: 1);
        var blobs = TrainingTestData.Blobs(30, seed: 1);
        var trainer = new Trainer(net, new Adam(0.01f), new TrainerOptions { EarlyStopping = new() { Monitor = MonitoredLoss.ValidationAccuracy } });
        Assert.Contains("validation accuracy, which needs a labelled validation set; none was given", Assert.Throws<ArgumentException>(() => trainer.Fit(blobs)).Message);
        trainer.Options.EarlyStopping!.Monitor = MonitoredLoss.TrainingAccuracy;
        trainer.Options.TrainingAccuracySamples = 0;
        Assert.Contains("TrainingAccuracySamples > 0", Assert.Throws<ArgumentException>(() => trainer.Fit(blobs)).Message);
        trainer.Options.EarlyStopping = null;
        trainer.Options.Schedule = new ReduceOnPlateau(monitor: MonitoredLoss.ValidationAccuracy);
        Assert.Contains("The schedule monitors the validation accuracy", Assert.Throws<ArgumentException>(() => trainer.Fit(blobs)).Message);
        Assert.Equal(0UL, net.TrainingStep);
    }

    [Fact]
    public void ReduceOnPlateau_on_an_accuracy_reduces_when_it_stops_rising()
    {
        var schedule = new ReduceOnPlateau(factor: 0.5f, patience: 1, monitor: MonitoredLoss.ValidationAccuracy);
        Assert.Equal(PlateauMode.Max, schedule.Mode);
        schedule.Reset(1f);
        (double? Accuracy, float Rate)[] script =
        [
            (null, 1f), (0.50, 1f), (0.60, 1f), (0.70, 1f), // rising: never reduced (min mode would cut here)
            (0.70, 1f), (0.65, 0.5f),                      // one flat epoch tolerated, the second reduces
            (0.90, 0.5f),
        ];
        float lr = 1f;
        foreach (var (accuracy, rate) in script)
        {
            lr = schedule.GetLearningRate(0, lr, accuracy);
            Assert.Equal(rate, lr);
        }
    }

    [Fact]
    public void ReduceOnPlateau_refuses_a_mode_against_what_it_watches()
    {
        Assert.Contains("improves downward (Min)", Assert.Throws<ArgumentException>(() => new ReduceOnPlateau(monitor: MonitoredLoss.ValidationLoss, mode: PlateauMode.Max)).Message);
        Assert.Throws<ArgumentException>(() => new ReduceOnPlateau(monitor: MonitoredLoss.TrainingAccuracy, mode: PlateauMode.Min));

        // Without a monitor of its own it follows the trainer's, and a contradicting mode is refused at Fit.
        var (train, validation) = TrainingTestData.Blobs(60, seed: 1).Split(0.5, seed: 1);
        var follower = new ReduceOnPlateau();
        var options = new TrainerOptions { Epochs = 1, Schedule = follower, EarlyStopping = new() { Monitor = MonitoredLoss.ValidationAccuracy } };
        new Trainer(new TrainingBlobsNet(seed: 1), new Adam(0.01f), options).Fit(train, validation);
        Assert.Equal(PlateauMode.Max, follower.Mode);
        options.Schedule = new ReduceOnPlateau(mode: PlateauMode.Min);
        Assert.Contains("mode Min but watches the validation accuracy", Assert.Throws<ArgumentException>(() => new Trainer(new TrainingBlobsNet(seed: 1), new Adam(0.01f), options).Fit(train, validation)).Message);
    }

    sealed class RecordingSchedule(MonitoredLoss? monitor) : LearningRateSchedule
    {
        public List<double?> Seen { get; } = new();
        public override MonitoredLoss? Monitor => monitor;
        public override float GetLearningRate(int epoch, float currentLearningRate, double? previousLoss)
        {
            Seen.Add(previousLoss);
            return currentLearningRate;
        }
    }

    [Fact]
    public void A_schedule_gets_the_previous_epochs_value_of_what_it_watches()
    {
        var (train, validation) = TrainingTestData.Blobs(90, seed: 2).Split(0.3, seed: 2);
        var own = new RecordingSchedule(MonitoredLoss.TrainingAccuracy);
        TrainingHistory history = new Trainer(new TrainingBlobsNet(seed: 3), new Sgd(0.05f), new TrainerOptions { Epochs = 4, Schedule = own }).Fit(train, validation);
        Assert.Equal(new double?[] { null }.Concat(history.Epochs.Take(3).Select(r => r.TrainingAccuracy)), own.Seen);

        var follower = new RecordingSchedule(null); // the trainer's monitor: the validation loss
        history = new Trainer(new TrainingBlobsNet(seed: 3), new Sgd(0.05f), new TrainerOptions { Epochs = 3, Schedule = follower }).Fit(train, validation);
        Assert.Equal(new double?[] { null }.Concat(history.Epochs.Take(2).Select(r => r.ValidationLoss)), follower.Seen);
    }

    // ---- Gradient norm and clipping ----

    [Fact]
    public void ClipGradientNorm_scales_trainable_gradients_as_PyTorch_and_leaves_frozen_ones()
    {
        var net = FakeNetwork.Blocks((3, true), (2, false), (17, true));
        Span<float> g = net.Gradients;
        g.Clear();
        g[0] = 3f; g[20] = 4f;         // trainable: norm 5
        g[3] = 100f; g[4] = -7f;       // frozen: left out of the norm and untouched
        Assert.Equal(5.0, net.GradientNorm(), 12);

        Assert.Equal(5.0, net.ClipGradientNorm(10f), 12); // under the bound: nothing changes
        Assert.Equal(3f, g[0]);

        Assert.Equal(5.0, net.ClipGradientNorm(1f), 12);
        float scale = (float)(1.0 / (5.0 + 1e-6)); // torch.nn.utils.clip_grad_norm_: max_norm / (total_norm + 1e-6)
        Assert.Equal(3f * scale, g[0]);
        Assert.Equal(4f * scale, g[20]);
        Assert.Equal((100f, -7f), (g[3], g[4]));
        Assert.Equal(1.0, net.GradientNorm(), 5);

        g[7] = float.NaN;
        Assert.True(double.IsNaN(net.ClipGradientNorm(1f)));
        Assert.Equal(3f * scale, g[0]); // a NaN norm scales nothing
        Assert.Throws<ArgumentOutOfRangeException>(() => net.ClipGradientNorm(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.ClipGradientNorm(float.NaN));
    }

    [Fact]
    public void GradientNorm_does_not_overflow_on_huge_finite_gradients()
    {
        var net = FakeNetwork.Blocks((40, true));
        net.Gradients.Fill(3e30f); // each square overflows a float
        Assert.Equal(3e30 * Math.Sqrt(40), net.GradientNorm(), 1e24);
    }

    [Fact]
    public void Clipping_bounds_every_Sgd_step_by_the_learning_rate_times_the_norm()
    {
        var train = TrainingTestData.Blobs(120, seed: 6);
        var net = new TrainingBlobsNet(seed: 4);
        const float lr = 0.5f, maxNorm = 0.01f;
        var trainer = new Trainer(net, new Sgd(lr), new TrainerOptions { Epochs = 2, BatchSize = 10, GradientClipNorm = maxNorm });
        float[] before = net.Parameters.ToArray();
        double largest = 0;
        trainer.BatchCompleted += (_, _) =>
        {
            double step = 0;
            ReadOnlySpan<float> p = net.Parameters;
            for (int i = 0; i < p.Length; i++) step += (p[i] - (double)before[i]) * (p[i] - before[i]);
            largest = Math.Max(largest, Math.Sqrt(step));
            p.CopyTo(before);
        };
        TrainingHistory history = trainer.Fit(train);
        Assert.All(history.Epochs, r => Assert.Equal(12, r.ClippedSteps)); // every raw gradient is far above 0.01
        Assert.InRange(largest, 0.9 * lr * maxNorm, 1.001 * lr * maxNorm);
        Assert.Contains("12 clipped", history.Epochs[0].ToString());

        trainer.Options.GradientClipNorm = -1f;
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(train));
    }

    // ---- Non-finite gradients ----

    [Fact]
    public void A_non_finite_gradient_throws_before_the_step_by_default()
    {
        var net = new TrainingBlobsNet(seed: 1);
        float[]? atPoison = null;
        var trainer = new Trainer(net, new Adam(0.01f), new TrainerOptions
        {
            Epochs = 2, BatchSize = 10,
            BeforeStep = step =>
            {
                if (step.Epoch != 1 || step.Batch != 2) return;
                atPoison = step.Network.Parameters.ToArray();
                step.Network.Gradients[5] = float.PositiveInfinity; // an overflow in backward, with a finite loss
            },
        });
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(TrainingTestData.Blobs(60, seed: 1)));
        Assert.Equal((1, (int?)2), (error.Epoch, error.Batch));
        Assert.Equal(double.PositiveInfinity, error.Loss);
        Assert.Contains("gradient's global norm for batch 2 of epoch 1", error.Message);
        Assert.Equal(atPoison, net.Parameters.ToArray()); // the step was not taken
    }

    [Fact]
    public void SkipStep_skips_a_non_finite_gradient_counts_it_and_trains_on()
    {
        var net = new TrainingBlobsNet(seed: 1);
        var adam = new Adam(0.01f);
        var afterBatch = new List<float[]>();
        var trainer = new Trainer(net, adam, new TrainerOptions
        {
            Epochs = 2, BatchSize = 10, NonFiniteGradients = NonFiniteGradientPolicy.SkipStep,
            BeforeStep = step => { if (step.Epoch == 0 && step.Batch == 3) step.Network.Gradients[0] = float.NaN; },
        });
        trainer.BatchCompleted += (_, p) => { if (p.Epoch == 0) afterBatch.Add(net.Parameters.ToArray()); };
        TrainingHistory history = trainer.Fit(TrainingTestData.Blobs(60, seed: 1));
        Assert.Equal(1, history.Epochs[0].SkippedSteps);
        Assert.Equal(0, history.Epochs[1].SkippedSteps);
        Assert.Equal(afterBatch[2], afterBatch[3]);     // batch 3 changed nothing
        Assert.NotEqual(afterBatch[3], afterBatch[4]);  // batch 4 stepped again
        Assert.Equal(11, adam.StepCount);               // 12 batches, one skipped
        Assert.All(net.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
        Assert.Contains("1 skipped (non-finite gradient)", history.Epochs[0].ToString());
    }

    // ---- Hooks ----

    static void AddNoise(TrainingBatch batch)
    {
        DeterministicRandom random = batch.Random;
        foreach (ref float x in batch.Features) x += 0.1f * TrainingTestData.Gaussian(ref random);
    }

    [Fact]
    public void The_batch_transform_changes_what_the_network_sees_deterministically_and_never_the_dataset()
    {
        var train = TrainingTestData.Blobs(50, seed: 8);
        float[] original = train.Features.ToArray();
        List<float[]> Run(int seed, bool shuffle)
        {
            var recorder = new ScriptedNetwork(new TrainingBlobsNet(seed: 1)) { RecordInputs = true };
            new Trainer(recorder, new Adam(0.01f), new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = seed, Shuffle = shuffle, BatchTransform = AddNoise }).Fit(train);
            return recorder.Inputs;
        }

        List<float[]> noisy = Run(seed: 3, shuffle: false);
        Assert.Equal(original, train.Features.ToArray()); // unshuffled batches are views of the dataset: the copy protects it
        Assert.Equal(8, noisy.Count);
        float[] clean = original.AsSpan(0, 32).ToArray();
        Assert.NotEqual(clean, noisy[0]);
        Assert.InRange(noisy[0].Zip(clean, (a, b) => Math.Abs(a - b)).Max(), 0.01, 1.0);
        Assert.NotEqual(noisy[0], noisy[4]);                   // epoch 1 draws fresh noise for the same samples
        Assert.Equal(noisy.Select(b => b.Length), Run(3, false).Select(b => b.Length));
        Assert.True(noisy.Zip(Run(3, false)).All(p => p.First.SequenceEqual(p.Second))); // same seed, same noise
        Assert.False(noisy[0].SequenceEqual(Run(4, false)[0]));                          // another seed, other noise
        Run(5, shuffle: true);
        Assert.Equal(original, train.Features.ToArray());
    }

    [Fact]
    public void The_batch_transform_can_change_float_targets()
    {
        var recorder = new ScriptedNetwork(new TrainingRegressionNet(seed: 1)) { RecordInputs = true };
        var data = TrainingTestData.Linear(20, seed: 1);
        float[] targets = data.Targets.ToArray();
        new Trainer(recorder, new Sgd(0.01f), new TrainerOptions
        {
            Epochs = 1, BatchSize = 20, Shuffle = false,
            BatchTransform = batch => { foreach (ref float t in batch.Targets) t *= 2f; },
        }).Fit(data);
        Assert.Equal(targets.Select(t => 2f * t), recorder.Targets[0]);
        Assert.Equal(targets, data.Targets.ToArray());
    }

    [Fact]
    public void BeforeStep_sees_each_batch_and_what_it_leaves_in_the_gradients_is_what_the_optimizer_uses()
    {
        var net = new ScriptedNetwork(new TrainingBlobsNet(seed: 2));
        float[] start = net.Parameters.ToArray();
        var seen = new List<StepContext>();
        var trainer = new Trainer(net, new Sgd(0.1f), new TrainerOptions
        {
            Epochs = 2, BatchSize = 25,
            BeforeStep = step => { seen.Add(step); step.Network.Gradients.Clear(); },
        });
        trainer.Fit(TrainingTestData.Blobs(50, seed: 2));
        Assert.Equal([(0, 0), (0, 1), (1, 0), (1, 1)], seen.Select(s => (s.Epoch, s.Batch)));
        Assert.Equal(net.Calls.Select(c => c.Loss), seen.Select(s => s.Loss));
        Assert.All(seen, s => { Assert.Same(net, s.Network); Assert.Equal(25, s.BatchSize); Assert.Equal(0.1f, s.LearningRate); });
        Assert.Equal(start, net.Parameters.ToArray()); // zero gradients, plain SGD: nothing moved
    }

    [Fact]
    public void The_batch_loop_with_hooks_and_clipping_does_not_allocate()
    {
        var train = TrainingTestData.Blobs(2000, seed: 5);
        int steps = 0;
        var trainer = new Trainer(new TrainingBlobsNet(seed: 1), new Adam(0.01f), new TrainerOptions
        {
            Epochs = 2, BatchSize = 10, GradientClipNorm = 0.5f, BatchTransform = AddNoise, BeforeStep = _ => steps++,
        });
        long first = 0, last = 0;
        trainer.BatchCompleted += (_, p) =>
        {
            if (p.Epoch != 1) return;
            if (p.Batch == 0) first = GC.GetAllocatedBytesForCurrentThread();
            else if (p.Batch == p.BatchesPerEpoch - 1) last = GC.GetAllocatedBytesForCurrentThread();
        };
        trainer.Fit(train);
        output.WriteLine($"199 batches: {last - first} bytes");
        Assert.Equal(400, steps);
        Assert.True(last - first < 512, $"199 batches allocated {last - first} bytes");
    }
}
