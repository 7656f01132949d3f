using System;
using NetGen.Data;

namespace NetGen.Training;

/// <summary>
/// Changes a training batch before the network sees it: augmentation, input noise, label smoothing.
/// Set as <see cref="TrainerOptions.BatchTransform"/>.
/// </summary>
public delegate void BatchTransform(TrainingBatch batch);

/// <summary>
/// One training batch as <see cref="TrainerOptions.BatchTransform"/> sees it: writable copies of the features (and
/// float targets), in the trainer's own buffers, so the dataset itself never changes. Valid only during the call.
/// </summary>
public readonly ref struct TrainingBatch
{
    internal TrainingBatch(Span<float> features, ReadOnlySpan<int> labels, Span<float> targets, int size, int featureSize,
        int epoch, int index, DeterministicRandom random)
    {
        Features = features;
        Labels = labels;
        Targets = targets;
        Size = size;
        FeatureSize = featureSize;
        Epoch = epoch;
        Index = index;
        Random = random;
    }

    /// <summary>Size × FeatureSize floats, row-major; write to transform.</summary>
    public Span<float> Features { get; }
    /// <summary>The class ids, for labelled data; empty otherwise.</summary>
    public ReadOnlySpan<int> Labels { get; }
    /// <summary>Size × OutputSize float targets, writable, for data with float targets; empty for labelled data.</summary>
    public Span<float> Targets { get; }
    /// <summary>Samples in the batch.</summary>
    public int Size { get; }
    /// <summary>Floats per sample in <see cref="Features"/>.</summary>
    public int FeatureSize { get; }
    /// <summary>The epoch, from 0.</summary>
    public int Epoch { get; }
    /// <summary>The batch within the epoch, from 0.</summary>
    public int Index { get; }
    /// <summary>
    /// A generator seeded from (<see cref="TrainerOptions.Seed"/>, epoch, batch), on a stream apart from the shuffles':
    /// noise drawn from it is the same in every run with that seed. A copy: draw from a local (<c>var r = batch.Random;</c>).
    /// </summary>
    public DeterministicRandom Random { get; }
}

/// <summary>
/// What <see cref="TrainerOptions.BeforeStep"/> sees between backward and the optimizer's step: the gradients are in
/// <see cref="INetwork.Gradients"/> of <see cref="Network"/> and may be changed there.
/// </summary>
/// <param name="Network">The network trained.</param>
/// <param name="Epoch">The epoch, from 0.</param>
/// <param name="Batch">The batch within the epoch, from 0.</param>
/// <param name="BatchSize">Samples in the batch.</param>
/// <param name="Loss">The batch's mean loss, measured before the step (finite: a non-finite loss has already thrown).</param>
/// <param name="LearningRate">The learning rate the step will use.</param>
public readonly record struct StepContext(INetwork Network, int Epoch, int Batch, int BatchSize, float Loss, float LearningRate);

/// <summary>What <see cref="Trainer"/> does when a batch's gradient holds NaN or ±∞ (after <see cref="TrainerOptions.BeforeStep"/>).</summary>
public enum NonFiniteGradientPolicy
{
    /// <summary>Throw <see cref="TrainingDivergedException"/> before the step: the parameters stay the last good ones. The default.</summary>
    Throw,
    /// <summary>
    /// Skip the optimizer's step for that batch (parameters and optimizer state untouched) and count it in
    /// <see cref="EpochRecord.SkippedSteps"/>, as mixed-precision loss scalers do; training goes on.
    /// </summary>
    SkipStep,
}
