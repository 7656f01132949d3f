using System;
using NetGen.Data;
using NetGen.Kernels;

namespace NetGen.Training;

/// <summary>What <see cref="Evaluator"/> measured on a dataset.</summary>
/// <param name="SampleCount">Samples evaluated.</param>
/// <param name="Loss">
/// The network's loss on inference outputs, mean over samples (<see cref="LossKernels.Evaluate(Loss, ReadOnlySpan{float}, ReadOnlySpan{int}, int, int)"/>):
/// the same per-sample loss training minimizes, so for <see cref="NetGen.Loss.MeanSquaredError"/> it is ½ Σ_k (y_k − t_k)²,
/// which is ½·OutputSize·<see cref="MeanSquaredError"/>.
/// </param>
/// <param name="Accuracy">Fraction of samples whose predicted class (<see cref="Metrics.PredictedClass"/>) is the label; null for float targets.</param>
/// <param name="ConfusionMatrix">Actual × predicted counts; null for float targets.</param>
/// <param name="MeanSquaredError">
/// The mean squared error as a metric: the plain mean of (y − t)² over samples and outputs (<see cref="Metrics.MeanSquaredError"/>,
/// PyTorch's <c>F.mse_loss</c>, scikit-learn's <c>mean_squared_error</c>), whatever the loss; null for labelled data.
/// </param>
public sealed record EvaluationResult(int SampleCount, double Loss, double? Accuracy, ConfusionMatrix? ConfusionMatrix, double? MeanSquaredError);

/// <summary>
/// Runs a network in inference mode (<see cref="INetwork.Predict"/>) over a dataset in chunks and measures loss,
/// accuracy, a confusion matrix or the mean squared error. The output buffer is allocated once and reused.
/// Not thread-safe, like the network it drives.
/// </summary>
public sealed class Evaluator
{
    float[] _outputs = Array.Empty<float>();

    /// <param name="network">The network to evaluate.</param>
    /// <param name="batchSize">Samples per <see cref="INetwork.Predict"/> call.</param>
    public Evaluator(INetwork network, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Network = network;
        BatchSize = batchSize;
    }

    /// <summary>The network evaluated.</summary>
    public INetwork Network { get; }
    /// <summary>Samples per <see cref="INetwork.Predict"/> call.</summary>
    public int BatchSize { get; }

    /// <summary>Evaluates <paramref name="network"/> on <paramref name="data"/> with a one-off evaluator.</summary>
    public static EvaluationResult Evaluate(INetwork network, Dataset data, int batchSize = 256) => new Evaluator(network, batchSize).Evaluate(data);

    /// <summary>Loss, and accuracy with a confusion matrix (labels) or the mean squared error (float targets).</summary>
    public EvaluationResult Evaluate(Dataset data)
    {
        CheckCompatible(Network, data);
        ConfusionMatrix? confusion = null;
        if (data.HasLabels)
        {
            int classes = Math.Max(data.ClassCount, Network.OutputSize == 1 ? 2 : Network.OutputSize);
            confusion = new ConfusionMatrix(classes, classes == data.ClassCount ? data.ClassNames : null);
        }
        Measure(data, confusion, out double loss, out long correct, out double squaredError);
        int n = data.Count;
        return data.HasLabels
            ? new EvaluationResult(n, loss, n == 0 ? 0 : (double)correct / n, confusion, null)
            : new EvaluationResult(n, loss, null, null, n == 0 ? 0 : squaredError / ((double)n * Network.OutputSize));
    }

    /// <summary>Loss and (for labels) accuracy only; allocates nothing after the first call.</summary>
    internal (double Loss, double? Accuracy) LossAndAccuracy(Dataset data)
    {
        Measure(data, confusion: null, out double loss, out long correct, out _);
        return (loss, data.HasLabels ? (data.Count == 0 ? 0 : (double)correct / data.Count) : null);
    }

    /// <summary>Throws when <paramref name="data"/> does not fit <paramref name="network"/>'s input and output.</summary>
    internal static void CheckCompatible(INetwork network, Dataset data, string paramName = "data")
    {
        ArgumentNullException.ThrowIfNull(data, paramName);
        if (data.FeatureSize != network.InputSize)
            throw new ArgumentException($"The dataset has {data.FeatureSize} features per sample; {network.GetType().Name} takes {network.InputSize} inputs.", paramName);
        if (data.HasLabels)
        {
            int maxClasses = network.OutputSize == 1 ? 2 : network.OutputSize;
            if (data.ClassCount > maxClasses)
                throw new ArgumentException(
                    $"The dataset has {data.ClassCount} classes; {network.GetType().Name} has {network.OutputSize} output{(network.OutputSize == 1 ? "" : "s")}, which can stand for at most {maxClasses}.", paramName);
        }
        else if (data.TargetSize != network.OutputSize)
        {
            throw new ArgumentException($"The dataset has {data.TargetSize} targets per sample; {network.GetType().Name} has {network.OutputSize} outputs.", paramName);
        }
    }

    void Measure(Dataset data, ConfusionMatrix? confusion, out double loss, out long correct, out double squaredError)
    {
        CheckCompatible(Network, data);
        INetwork net = Network;
        int d = data.FeatureSize, k = net.OutputSize;
        int capacity = Math.Min(BatchSize, data.Count) * k;
        if (_outputs.Length < capacity) _outputs = new float[capacity];

        double totalLoss = 0, totalSquared = 0;
        long right = 0;
        for (int start = 0; start < data.Count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, data.Count - start);
            Span<float> outputs = _outputs.AsSpan(0, n * k);
            net.Predict(data.Features.Slice(start * d, n * d), outputs, n);
            if (data.HasLabels)
            {
                ReadOnlySpan<int> labels = data.Labels.Slice(start, n);
                totalLoss += (double)LossKernels.Evaluate(net.Loss, outputs, labels, n, k) * n;
                if (confusion is not null)
                {
                    confusion.Add(outputs, labels, k);
                }
                else
                {
                    right += Metrics.CountCorrect(outputs, labels, k);
                }
            }
            else
            {
                ReadOnlySpan<float> targets = data.Targets.Slice(start * k, n * k);
                totalLoss += (double)LossKernels.Evaluate(net.Loss, outputs, targets, n, k) * n;
                for (int i = 0; i < outputs.Length; i++)
                {
                    double e = outputs[i] - targets[i];
                    totalSquared += e * e;
                }
            }
        }
        loss = data.Count == 0 ? 0 : totalLoss / data.Count;
        correct = confusion?.Correct ?? right;
        squaredError = totalSquared;
    }
}
