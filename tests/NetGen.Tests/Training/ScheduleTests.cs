using System;
using NetGen.Training;

namespace NetGen.Tests.Training;

public class ScheduleTests
{
    [Fact]
    public void StepDecay_halves_every_two_epochs_exactly()
    {
        var schedule = new StepDecay(0.1f, 0.5f, everyEpochs: 2);
        float[] expected = [0.1f, 0.1f, 0.1f / 2, 0.1f / 2, 0.1f / 4, 0.1f / 4, 0.1f / 8];
        for (int epoch = 0; epoch < expected.Length; epoch++)
            Assert.Equal(expected[epoch], schedule.GetLearningRate(epoch, currentLearningRate: 123f, previousLoss: 1.0));
    }

    [Fact]
    public void StepDecay_does_not_depend_on_the_current_rate_or_history()
    {
        var schedule = new StepDecay(0.3f, 0.1f, everyEpochs: 3);
        Assert.Equal((float)(0.3f * Math.Pow(0.1f, 3)), schedule.GetLearningRate(10, 5f, null));
        Assert.Equal(0.3f, schedule.GetLearningRate(2, 5f, null));
    }

    [Fact]
    public void ExponentialDecay_is_initial_times_gamma_to_the_epoch()
    {
        var schedule = new ExponentialDecay(0.2f, 0.5f);
        Assert.Equal(0.2f, schedule.GetLearningRate(0, 1f, null));
        Assert.Equal(0.2f / 8, schedule.GetLearningRate(3, 1f, null));
    }

    [Fact]
    public void FunctionSchedule_returns_the_function_of_the_epoch()
    {
        var schedule = new FunctionSchedule(epoch => 1f / (epoch + 1));
        for (int epoch = 0; epoch < 5; epoch++) Assert.Equal(1f / (epoch + 1), schedule.GetLearningRate(epoch, 9f, null));
        var bad = new FunctionSchedule(_ => float.NaN);
        Assert.Contains("epoch 4", Assert.Throws<InvalidOperationException>(() => bad.GetLearningRate(4, 1f, null)).Message);
    }

    [Fact]
    public void ReduceOnPlateau_divides_by_ten_after_patience_epochs_without_improvement()
    {
        var schedule = new ReduceOnPlateau(factor: 0.1f, patience: 2);
        schedule.Reset(1f);
        // previous loss of each epoch (null before the first), and the rate expected for that epoch
        (double? Loss, float Rate)[] script =
        [
            (null, 1f), (1.0, 1f), (0.9, 1f),            // improving
            (0.95, 1f), (0.95, 1f), (0.95, 0.1f),        // two bad epochs are tolerated, the third reduces
            (0.95, 0.1f), (0.8, 0.1f),                   // the count restarted; improvement resets it
            (0.85, 0.1f), (0.85, 0.1f), (0.85, 0.1f * 0.1f),
        ];
        float lr = 1f;
        for (int epoch = 0; epoch < script.Length; epoch++)
        {
            lr = schedule.GetLearningRate(epoch, lr, script[epoch].Loss);
            Assert.Equal(script[epoch].Rate, lr);
        }
    }

    [Fact]
    public void ReduceOnPlateau_needs_more_than_min_delta_and_respects_the_floor()
    {
        var schedule = new ReduceOnPlateau(factor: 0.5f, patience: 0, minDelta: 0.1f, minLearningRate: 0.3f);
        schedule.Reset(1f);
        Assert.Equal(1f, schedule.GetLearningRate(0, 1f, null));
        Assert.Equal(1f, schedule.GetLearningRate(1, 1f, 1.0));    // first loss is an improvement on +∞
        Assert.Equal(0.5f, schedule.GetLearningRate(2, 1f, 0.95)); // 0.05 better: not enough
        Assert.Equal(0.3f, schedule.GetLearningRate(3, 0.5f, 0.99));
        Assert.Equal(0.3f, schedule.GetLearningRate(4, 0.3f, 0.5));  // improvement: unchanged

        schedule.Reset(1f);
        Assert.Equal(1f, schedule.GetLearningRate(0, 1f, 5.0)); // forgot the best loss
    }

    [Fact]
    public void Schedules_reject_bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(0.1f, 0.5f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(float.NaN, 0.5f, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceOnPlateau(factor: 1f, patience: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceOnPlateau(patience: -1));
        Assert.Throws<ArgumentNullException>(() => new FunctionSchedule(null!));
    }
}
