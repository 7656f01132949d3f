using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// What every generated network offers. Runtime code (optimizers, the trainer, checkpoints) drives any network through it.
/// Inference (<see cref="Forward"/>, <see cref="Predict"/>) is safe from many threads at once on one instance; training
/// steps, optimizer steps and checkpoint loads need the instance to themselves, and <see cref="Concurrency"/> makes any
/// overlap throw <see cref="InvalidOperationException"/> instead of corrupting results.
/// </summary>
public interface INetwork
{
    /// <summary>Floats per input sample.</summary>
    int InputSize { get; }
    /// <summary>Floats per output sample.</summary>
    int OutputSize { get; }
    /// <summary>Length of <see cref="Parameters"/> and <see cref="Gradients"/>.</summary>
    int ParameterCount { get; }
    /// <summary>All parameters, flat, in layer order; Dense is W[out, in] row-major then b[out].</summary>
    Span<float> Parameters { get; }
    /// <summary>Gradient of the last <c>TrainBatch</c>'s mean loss, same layout as <see cref="Parameters"/>.</summary>
    Span<float> Gradients { get; }
    /// <summary>The layers after the input, in order.</summary>
    IReadOnlyList<LayerInfo> Layers { get; }
    /// <summary>The loss the network trains on.</summary>
    Loss Loss { get; }
    /// <summary>A canonical one-line description of the architecture, written by the generator.</summary>
    string Architecture { get; }
    /// <summary>A 64-bit hash of <see cref="Architecture"/>; checkpoints refuse to load into another architecture.</summary>
    ulong ArchitectureFingerprint { get; }
    /// <summary>
    /// Training steps taken. Dropout masks are drawn from (seed, layer, step), so restoring it replays a step's masks;
    /// a checkpoint saved with an optimizer keeps it, so a run resumed on a network built with the same seed continues exactly
    /// where it stopped.
    /// </summary>
    ulong TrainingStep { get; set; }

    /// <summary>
    /// Detects unsafe concurrent use of this instance. Runtime code that writes the parameters (optimizers, checkpoint
    /// loads) holds it exclusively; so can user code that edits <see cref="Parameters"/> while other threads may predict.
    /// </summary>
    ConcurrencyGuard Concurrency { get; }

    /// <summary>One sample, inference mode.</summary>
    void Forward(ReadOnlySpan<float> input, Span<float> output);
    /// <summary>Many samples, inference mode; inputs are batchSize × InputSize, outputs batchSize × OutputSize.</summary>
    void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize);
    /// <summary>Training-mode forward, loss and backward. Overwrites <see cref="Gradients"/>; returns the mean loss.</summary>
    float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize);
    /// <summary>As the targets overload, with class labels (one-hot targets; a single-output network takes 0 or 1 as the target).</summary>
    float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batchSize);

    // Generated networks implement both; the defaults are for hand-written implementations, which have no graph to describe.
    /// <summary>Writes the inference graph and the current weights as an ONNX model (opset 17) to a file, atomically.</summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX counterpart (the message names it), or the network is not generated.</exception>
    void ExportOnnx(string path) => throw new NotSupportedException($"{GetType().Name} is not a generated network: it has no ONNX graph.");
    /// <summary>Writes the inference graph and the current weights as an ONNX model (opset 17) to a stream.</summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX counterpart (the message names it), or the network is not generated.</exception>
    void ExportOnnx(System.IO.Stream stream) => throw new NotSupportedException($"{GetType().Name} is not a generated network: it has no ONNX graph.");
}

/// <summary>One layer of a generated network.</summary>
/// <param name="Kind">Dense, LowRankDense, Dropout, GaussianNoise, MaskingNoise, Conv2D, MaxPool2D, AvgPool2D or Flatten.</param>
/// <param name="Name">The user's name, or kind plus position.</param>
/// <param name="OutputShape">Shape of one sample's output: [size] for a vector, [channels, height, width] for an image.</param>
/// <param name="ParameterOffset">Where its parameters start in <see cref="INetwork.Parameters"/>.</param>
/// <param name="ParameterCount">How many parameters it owns.</param>
/// <param name="Trainable">
/// False for frozen layers: optimizers skip them and their gradients stay zero. A generated network's layers report
/// their current state (<c>SetTrainable</c> changes it at run time).
/// </param>
public sealed record LayerInfo(string Kind, string Name, IReadOnlyList<int> OutputShape, int ParameterOffset, int ParameterCount, bool Trainable)
{
    /// <summary>As the primary constructor, with the shape of one sample's input too.</summary>
    public LayerInfo(string kind, string name, IReadOnlyList<int> inputShape, IReadOnlyList<int> outputShape, int parameterOffset, int parameterCount, bool trainable)
        : this(kind, name, outputShape, parameterOffset, parameterCount, trainable) => InputShape = inputShape;

    /// <summary>Shape of one sample's input, as <see cref="OutputShape"/>; empty when the network did not say.</summary>
    public IReadOnlyList<int> InputShape { get; init; } = Array.Empty<int>();

    /// <summary>A shape as the generated header writes it: "128" or "20×24×24".</summary>
    public static string FormatShape(IReadOnlyList<int> shape)
    {
        if (shape is null || shape.Count == 0) return "?";
        var parts = new string[shape.Count];
        for (int i = 0; i < parts.Length; i++) parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Join("×", parts);
    }

    /// <summary>E.g. "Dense1 (Dense): 784 → 128, 100,480 parameters at 0" (", frozen" when not trainable).</summary>
    public override string ToString()
    {
        string input = InputShape.Count > 0 ? FormatShape(InputShape) + " → " : "";
        string parameters = ParameterCount > 0
            ? $", {ParameterCount.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture)} parameters at {ParameterOffset}{(Trainable ? "" : ", frozen")}"
            : "";
        return $"{Name} ({Kind}): {input}{FormatShape(OutputShape)}{parameters}";
    }

    /// <summary>Elements in one sample's output.</summary>
    public int OutputSize
    {
        get
        {
            // Indexed, not foreach: enumerating an IReadOnlyList boxes its enumerator, and PredictLayer reads this per call.
            int size = 1;
            for (int i = 0; i < OutputShape.Count; i++) size *= OutputShape[i];
            return size;
        }
    }
}
