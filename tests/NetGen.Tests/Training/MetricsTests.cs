using System;
using NetGen.Data;
using NetGen.Tests.Support;
using NetGen.Training;

namespace NetGen.Tests.Training;

public class MetricsTests
{
    // Hand-made outputs of a 3-class network, one row per sample, and the true labels.
    static readonly float[] Outputs =
    [
        0.7f, 0.2f, 0.1f,   // 0 → 0
        0.1f, 0.8f, 0.1f,   // 1 → 1
        0.2f, 0.3f, 0.5f,   // 2 → 2
        0.6f, 0.3f, 0.1f,   // 1 → 0 (wrong)
        0.1f, 0.1f, 0.8f,   // 0 → 2 (wrong)
        0.3f, 0.3f, 0.4f,   // 2 → 2
    ];
    static readonly int[] Labels = [0, 1, 2, 1, 0, 2];

    [Fact]
    public void PredictedClass_is_the_argmax_or_a_half_threshold_for_one_output()
    {
        Assert.Equal(2, Metrics.PredictedClass([0.1f, 0.2f, 0.7f]));
        Assert.Equal(0, Metrics.PredictedClass([0.5f, 0.5f]));   // first of equals
        Assert.Equal(1, Metrics.PredictedClass([0.51f]));
        Assert.Equal(0, Metrics.PredictedClass([0.5f]));
        Assert.Equal(0, Metrics.PredictedClass([0.2f]));
    }

    [Fact]
    public void Accuracy_counts_rows_that_predict_their_label()
    {
        Assert.Equal(4, Metrics.CountCorrect(Outputs, Labels, 3));
        Assert.Equal(4.0 / 6, Metrics.Accuracy(Outputs, Labels, 3));
        Assert.Equal(0.75, Metrics.Accuracy([0.9f, 0.1f, 0.6f, 0.4f], [1, 0, 0, 0], 1));
        Assert.Throws<ArgumentException>(() => Metrics.Accuracy(Outputs, Labels, 2));
    }

    [Fact]
    public void ConfusionMatrix_counts_and_per_class_precision_and_recall()
    {
        var m = new ConfusionMatrix(3, ["cat", "dog", "owl"]);
        m.Add(Outputs, Labels, 3);
        Assert.Equal(6, m.Total);
        Assert.Equal(4, m.Correct);
        Assert.Equal(4.0 / 6, m.Accuracy);
        long[,] expected = { { 1, 0, 1 }, { 1, 1, 0 }, { 0, 0, 2 } };
        for (int a = 0; a < 3; a++)
            for (int p = 0; p < 3; p++) Assert.Equal(expected[a, p], m[a, p]);
        Assert.Equal(0.5, m.Precision(0)); // predicted 0: samples 0 and 3
        Assert.Equal(0.5, m.Recall(0));    // actual 0: samples 0 and 4
        Assert.Equal(1.0, m.Precision(1));
        Assert.Equal(0.5, m.Recall(1));
        Assert.Equal(2.0 / 3, m.Precision(2));
        Assert.Equal(1.0, m.Recall(2));
        Assert.Equal(2 * (2.0 / 3) / (2.0 / 3 + 1), m.F1(2), 12);

        string table = m.ToString();
        Assert.Contains("actual \\ predicted", table);
        Assert.Contains("precision", table);
        Assert.Contains("recall", table);
        Assert.Contains("owl", table);
        Assert.Contains("66.7%", table);
        Assert.Contains("accuracy 66.7% (4 / 6)", table);
        string[] lines = table.Split(Environment.NewLine);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("cat", lines[1]);
        Assert.EndsWith("50.0%", lines[1]);
    }

    [Theory]
    [InlineData(46_341)]       // 46,341² = 2,147,488,281: just past an array's capacity (it used to wrap into a tiny array)
    [InlineData(2_000_000_000)] // a CSV label of two billion with no ClassCount reached here through Evaluator
    public void ConfusionMatrix_too_large_for_an_array_is_refused_with_the_limit(int classes)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix(classes));
        Assert.Contains("at most 46,340 classes", e.Message);
    }

    [Fact]
    public void ConfusionMatrix_with_no_predictions_of_a_class_has_zero_precision()
    {
        var m = new ConfusionMatrix(2);
        m.Add(0, 0);
        Assert.Equal(0, m.Precision(1));
        Assert.Equal(0, m.Recall(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(2, 0));
    }

    // A linear FakeNetwork with identity weights: its outputs are its inputs, so the dataset holds the outputs.
    static FakeNetwork IdentityNetwork(int size)
    {
        var net = new FakeNetwork(size, size);
        net.Parameters.Clear();
        for (int i = 0; i < size; i++) net.Parameters[i * size + i] = 1f;
        return net;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(256)]
    public void Evaluator_on_labels_gives_loss_accuracy_and_the_confusion_matrix_in_any_chunking(int batchSize)
    {
        var data = Dataset.FromLabels((float[])Outputs.Clone(), 3, (int[])Labels.Clone(), 3);
        EvaluationResult result = Evaluator.Evaluate(IdentityNetwork(3), data, batchSize);

        // FakeNetwork trains on MSE: ½ Σ_k (y_k − onehot_k)² per sample, mean over samples.
        double expectedLoss = 0;
        for (int n = 0; n < 6; n++)
            for (int k = 0; k < 3; k++)
            {
                double d = Outputs[n * 3 + k] - (k == Labels[n] ? 1.0 : 0.0);
                expectedLoss += 0.5 * d * d;
            }
        Assert.Equal(expectedLoss / 6, result.Loss, 5);
        Assert.Equal(6, result.SampleCount);
        Assert.Equal(4.0 / 6, result.Accuracy);
        Assert.NotNull(result.ConfusionMatrix);
        Assert.Equal(1, result.ConfusionMatrix![1, 0]);
        Assert.Null(result.MeanSquaredError);
    }

    [Fact]
    public void Evaluator_on_float_targets_gives_the_mean_squared_error()
    {
        var data = Dataset.FromTargets([1f, 2f, 3f, 4f], 2, [1f, 0f, 3f, 6f], 2);
        EvaluationResult result = Evaluator.Evaluate(IdentityNetwork(2), data, batchSize: 1);
        Assert.Equal((0 + 4 + 0 + 4) / 4.0, result.MeanSquaredError);
        Assert.Equal((0.5 * 4 + 0.5 * 4) / 2, result.Loss, 6);
        Assert.Null(result.Accuracy);
        Assert.Null(result.ConfusionMatrix);
    }

    /// <summary>One definition each: the loss is ½ Σ_k (y − t)² per sample, the metric the plain mean, so loss = ½·K·MSE.</summary>
    [Fact]
    public void Evaluator_mse_is_the_plain_mean_and_the_loss_is_half_the_sum_per_sample()
    {
        float[] inputs = [1f, 2f, 3f, -1f, 0.5f, 4f];
        float[] targets = [0f, 2f, 5f, 1f, 0f, 0f];
        var data = Dataset.FromTargets(inputs, 3, targets, 3);
        EvaluationResult result = Evaluator.Evaluate(IdentityNetwork(3), data);
        double mse = (1 + 0 + 4 + 4 + 0.25 + 16) / 6.0;
        Assert.Equal(mse, result.MeanSquaredError!.Value, 12);
        Assert.Equal(mse, Metrics.MeanSquaredError(inputs, targets), 12);
        Assert.Equal(0.5 * 3 * mse, result.Loss, 5);
    }

    [Fact]
    public void Evaluator_refuses_data_of_the_wrong_shape()
    {
        var net = IdentityNetwork(3);
        var wrongFeatures = Dataset.FromLabels(new float[4], 2, [0, 1], 3);
        Assert.Contains("2 features", Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(net, wrongFeatures)).Message);
        var tooManyClasses = Dataset.FromLabels(new float[3], 3, [4], 5);
        Assert.Contains("5 classes", Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(net, tooManyClasses)).Message);
    }
}
