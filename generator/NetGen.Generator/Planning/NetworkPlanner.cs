using System.Collections.Generic;
using System.Text;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Helpers;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Planning;

/// <summary>
/// Runs every layer's shape rule, lays out the flat parameter buffer and the workspace, and decides the fusions.
/// Shared by the generator and the analyzer. Never throws; problems become diagnostics.
/// </summary>
internal static class NetworkPlanner
{
    public static (NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics) Plan(NetworkModel model)
    {
        var diagnostics = new List<DiagnosticInfo>(model.Diagnostics);
        NetworkPlan? plan = null;
        try
        {
            if (model.Input is Shape input && model.Layers.Count > 0) plan = PlanCore(model, input, diagnostics);
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, model.ClassName, e.GetType().Name + ": " + e.Message));
            plan = null;
        }
        foreach (var d in diagnostics) if (d.IsError) { plan = null; break; }
        return (plan, diagnostics.ToEquatableArray());
    }

    private static NetworkPlan? PlanCore(NetworkModel model, Shape input, List<DiagnosticInfo> diagnostics)
    {
        var layers = model.Layers;
        int count = layers.Count;
        var context = new PlanningContext(diagnostics, count, model.Loss);

        // 1. Shapes and the parameter layout, layer by layer.
        var inputs = new Shape[count];
        var outputs = new Shape[count];
        var offsets = new int[count];
        var paramCounts = new int[count];
        long offset = 0, flops = 0;
        Shape current = input;
        for (int i = 0; i < count; i++)
        {
            context.LayerIndex = i + 1;
            var layer = layers[i];
            var next = layer.InferShape(current, context);
            if (next is not Shape output) return null;
            long parameters = layer.ParameterCount(current);
            // Every per-sample array (output, gradient, scratch) must fit with room to spare: the generated code sizes
            // workspaces as batch × per-sample in int, and bounds the batch from these figures.
            long workspace = System.Math.Max(output.LongSize, layer.ExtraWorkspacePerSample(current, output));
            if (workspace > int.MaxValue / 4 || offset + parameters > int.MaxValue / 2)
            {
                context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, layer.Location, layer.Describe(), Literal.Grouped(System.Math.Max(offset + parameters, workspace))));
                return null;
            }
            inputs[i] = current;
            outputs[i] = output;
            offsets[i] = (int)offset;
            paramCounts[i] = (int)parameters;
            offset += parameters;
            flops += layer.ForwardFlops(current, output);
            context.ShapeTrail.Add(current == input && i == 0 ? $"{layer.Describe()} on {input} gives {output}" : $"{layer.Describe()} gives {output}");
            current = output;
        }

        // 2. The loss must match the output layer.
        var last = layers[count - 1];
        if (model.Loss == LossKind.CrossEntropy && last.Activation != ActivationKind.Softmax)
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.LossMismatch, last.Location, "CrossEntropy", "Softmax", last.Describe()));
        else if (model.Loss == LossKind.BinaryCrossEntropy && last.Activation != ActivationKind.Sigmoid)
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.LossMismatch, last.Location, "BinaryCrossEntropy", "Sigmoid", last.Describe()));
        foreach (var d in diagnostics) if (d.IsError) return null;

        // 3. Workspace and fusions.
        var trainableAtOrBefore = new bool[count];
        for (int i = 0; i < count; i++)
            trainableAtOrBefore[i] = (i > 0 && trainableAtOrBefore[i - 1]) || (layers[i].Trainable && paramCounts[i] > 0);

        // The nearest layer at or below i that produces a new array in training (Flatten only re-labels its input).
        int ProducerAtOrBelow(int i)
        {
            while (i >= 0 && layers[i].IsAliasInTraining) i--;
            return i;
        }

        var plans = new LayerPlan[count];
        var trainingSource = layers[0].ReadsTokens ? Buffer.CallerTokens(input.Size) : Buffer.CallerInput(input.Size);
        var inferenceSource = trainingSource;
        Buffer GradientOf(int layer) => new(BufferRole.Gradient, layer + 1, outputs[layer].Size);
        for (int i = 0; i < count; i++)
        {
            var layer = layers[i];
            bool isLast = i == count - 1;
            bool alias = layer.IsAliasInTraining;
            int below = ProducerAtOrBelow(i - 1);
            bool needsInputGradient = i > 0 && trainableAtOrBefore[i - 1];
            bool reaches = trainableAtOrBefore[i];

            var outputBuffer = alias ? trainingSource : new Buffer(BufferRole.Activation, i + 1, outputs[i].Size);
            var inferenceOutput = layer.IsAliasInInference ? inferenceSource : isLast ? Buffer.CallerOutput(outputs[i].Size) : outputBuffer;

            int producer = ProducerAtOrBelow(i);
            Buffer? outputGradient = producer >= 0 && (trainableAtOrBefore[producer] || ProducerAtOrBelow(count - 1) == producer) ? GradientOf(producer) : null;
            Buffer? inputGradient = needsInputGradient && !alias && below >= 0 ? GradientOf(below) : null;

            var fold = Fold.None;
            if (inputGradient is not null && layer.FoldsDerivativeBelow && layers[below].Activation.HasElementwiseDerivative())
                fold = new Fold(layers[below].Activation, plans[below].OutputBuffer, layers[below].Alpha);

            // Someone must turn dL/dy into dL/dz: the loss (output producer), the layer above (fold), or this layer.
            bool foldedAbove;
            int above = i + 1;
            while (above < count && layers[above].IsAliasInTraining) above++;
            if (above >= count) foldedAbove = true; // the loss kernel folds the output producer's derivative
            else foldedAbove = layers[above].FoldsDerivativeBelow;
            bool appliesOwn = !alias && reaches && layer.Activation.HasElementwiseDerivative() && !foldedAbove;

            bool emitsLogits = isLast && (model.Loss == LossKind.CrossEntropy || model.Loss == LossKind.BinaryCrossEntropy);

            plans[i] = new LayerPlan(
                i + 1, layer, layer.Name ?? layer.Kind + (i + 1), inputs[i], outputs[i], offsets[i], paramCounts[i], isLast,
                trainingSource, inferenceSource, outputBuffer, inferenceOutput, outputGradient, inputGradient,
                fold, appliesOwn, layer.Trainable && paramCounts[i] > 0, emitsLogits, reaches);

            trainingSource = outputBuffer;
            inferenceSource = inferenceOutput;
        }

        string architecture = Architecture(model, input, layers);
        return new NetworkPlan(model, input, plans.ToEquatableArray(), (int)offset, flops, architecture, Literal.Fnv1a(architecture));
    }

    /// <summary>The canonical text that checkpoints fingerprint: what decides whether two networks' weights are interchangeable.</summary>
    private static string Architecture(NetworkModel model, Shape input, EquatableArray<LayerModel> layers)
    {
        var text = new StringBuilder();
        text.Append("Input(").Append(input.ToString()).Append(')');
        foreach (var layer in layers) text.Append(" > ").Append(layer.Signature);
        text.Append(" | ").Append(model.Loss.ToString());
        return text.ToString();
    }
}
