using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Lowering;

/// <summary>One layer's ops in one pass, kept with the layer so emitters can say which layer each block belongs to.</summary>
internal sealed record LayerOps(LayerPlan Layer, EquatableArray<Op> Ops);

/// <summary>
/// A planned network lowered to typed ops: what every backend emits from. The passes are in execution order
/// (backward runs last layer first); the buffer sets say what each pass needs, read off the ops themselves, so
/// inference never allocates a gradient, a mask or an argmax array.
/// </summary>
internal sealed record NetworkProgram(
    NetworkPlan Plan,
    EquatableArray<LayerOps> Init,
    EquatableArray<LayerOps> Inference,
    // Ops after the last layer at inference (copying out a pass-through output).
    EquatableArray<Op> InferenceEpilogue,
    EquatableArray<LayerOps> TrainingForward,
    LossOp Loss,
    EquatableArray<LayerOps> Backward,
    // Workspace buffers, ordered by layer then role.
    EquatableArray<Buffer> TrainingBuffers,
    // Inference buffers grouped so that no two of a group are live at once: each group can be one array.
    EquatableArray<SharedArray> InferenceArrays)
{
    /// <summary>Every workspace buffer inference names, whatever array it shares.</summary>
    public IEnumerable<Buffer> InferenceBuffers => InferenceArrays.SelectMany(shared => shared.Buffers);
}

/// <summary>Buffers that can share one array (their lifetimes do not overlap); it holds the largest of them.</summary>
internal sealed record SharedArray(EquatableArray<Buffer> Buffers)
{
    public int PerSample => Buffers.Max(b => b.PerSample);
    public bool IsInt => Buffers[0].IsInt;
}

/// <summary>Lowers a <see cref="NetworkPlan"/>: each layer contributes its ops, the loss is decided once, here.</summary>
internal static class Lowerer
{
    public static NetworkProgram Lower(NetworkPlan plan)
    {
        var init = new List<LayerOps>();
        var inference = new List<LayerOps>();
        var training = new List<LayerOps>();
        var backward = new List<LayerOps>();
        foreach (var layer in plan.Layers)
        {
            var ops = layer.Layer.LowerInit(layer).ToEquatableArray();
            if (ops.Count > 0) init.Add(new LayerOps(layer, ops));
            inference.Add(new LayerOps(layer, layer.Layer.LowerForward(layer, training: false).ToEquatableArray()));
            training.Add(new LayerOps(layer, layer.Layer.LowerForward(layer, training: true).ToEquatableArray()));
        }
        for (int i = plan.Layers.Count - 1; i >= 0; i--)
        {
            var layer = plan.Layers[i];
            if (!layer.BackwardReaches || layer.Layer.IsAliasInTraining) continue;
            backward.Add(new LayerOps(layer, layer.Layer.LowerBackward(layer).ToEquatableArray()));
        }

        var epilogue = new List<Op>();
        var last = plan.Output;
        if (last.InferenceOutput.Role != BufferRole.Output)
        {
            epilogue.Add(new NoteOp("The last layer passes its input through at inference: copy it out."));
            epilogue.Add(new CopyOp(last.InferenceOutput, Buffer.CallerOutput(last.Output.Size), last.Output.Size));
        }

        var loss = Loss(plan);
        var trainingOps = training.SelectMany(l => l.Ops).Append(loss).Concat(backward.SelectMany(l => l.Ops));
        var inferenceOps = inference.SelectMany(l => l.Ops).Concat(epilogue);
        return new NetworkProgram(plan, init.ToEquatableArray(), inference.ToEquatableArray(), epilogue.ToEquatableArray(),
            training.ToEquatableArray(), loss, backward.ToEquatableArray(), Workspace(trainingOps), ShareByLifetime(inferenceOps.ToList()));
    }

    /// <summary>
    /// Lifetimes over one pass: a buffer lives from the first op that names it to the last. Buffers whose lifetimes do
    /// not overlap share an array (greedy, in order of first use), so inference holds about two activations at a
    /// time instead of one per layer. An op's inputs and outputs are live at the same op, so they never share.
    /// </summary>
    internal static EquatableArray<SharedArray> ShareByLifetime(IReadOnlyList<Op> ops)
    {
        var first = new Dictionary<Buffer, int>();
        var last = new Dictionary<Buffer, int>();
        var order = new List<Buffer>();
        for (int i = 0; i < ops.Count; i++)
            foreach (var buffer in BuffersOf(ops[i]))
            {
                if (buffer.IsCaller) continue;
                if (!first.ContainsKey(buffer)) { first[buffer] = i; order.Add(buffer); }
                last[buffer] = i;
            }

        var groups = new List<(List<Buffer> Members, int End)>();
        foreach (var buffer in order)
        {
            // A recurrent workspace is sized by its kernel, not per sample: it keeps an array of its own.
            int g = buffer.Role == BufferRole.Sequence ? -1
                : groups.FindIndex(group => group.End < first[buffer] && group.Members[0].IsInt == buffer.IsInt && group.Members[0].Role != BufferRole.Sequence);
            if (g < 0) groups.Add((new List<Buffer> { buffer }, last[buffer]));
            else
            {
                groups[g].Members.Add(buffer);
                groups[g] = (groups[g].Members, last[buffer]);
            }
        }
        return groups.Select(group => new SharedArray(group.Members.ToEquatableArray())).ToEquatableArray();
    }

    /// <summary>
    /// The fused loss reads the output producer's array: the last layer that writes one in training (Flatten only
    /// re-labels), and folds that layer's derivative.
    /// </summary>
    private static LossOp Loss(NetworkPlan plan)
    {
        var last = plan.Output;
        int k = plan.Layers.Count - 1;
        while (k >= 0 && plan.Layers[k].Layer.IsAliasInTraining) k--;
        var activation = k >= 0 ? plan.Layers[k].Layer.Activation : ActivationKind.Identity;
        double alpha = k >= 0 ? plan.Layers[k].Layer.Alpha : 0;
        var fusion = plan.Model.Loss switch
        {
            LossKind.CrossEntropy => LossFusion.SoftmaxCrossEntropy,
            LossKind.BinaryCrossEntropy => LossFusion.SigmoidBinaryCrossEntropy,
            _ when activation == ActivationKind.Softmax => LossFusion.SoftmaxMeanSquaredError,
            _ => LossFusion.MeanSquaredError,
        };
        // A sequence output is scored at every step: steps rows of features per sample.
        return new LossOp(fusion, last.OutputBuffer, last.OutputGradient!.Value, last.Output.Features, activation, alpha, last.Output.Steps);
    }

    /// <summary>Every workspace buffer the ops name, once, ordered by layer, then output, gradient, scratch.</summary>
    private static EquatableArray<Buffer> Workspace(IEnumerable<Op> ops)
    {
        var buffers = new HashSet<Buffer>();
        foreach (var op in ops)
            foreach (var buffer in BuffersOf(op))
                if (!buffer.IsCaller) buffers.Add(buffer);
        return buffers.OrderBy(b => b.Layer).ThenBy(b => b.Role switch { BufferRole.Activation => 0, BufferRole.Gradient => 1, _ => 2 }).ToEquatableArray();
    }

    /// <summary>The buffers an op reads or writes.</summary>
    public static IEnumerable<Buffer> BuffersOf(Op op)
    {
        switch (op)
        {
            case DenseOp o: yield return o.Input; yield return o.Output; break;
            case SoftmaxRowsOp o: yield return o.Buffer; break;
            case ConvOp o: yield return o.Input; yield return o.Output; yield return o.Columns; break;
            case MaxPoolOp o: yield return o.Input; yield return o.Output; if (o.Argmax is Buffer argmax) yield return argmax; break;
            case AvgPoolOp o: yield return o.Input; yield return o.Output; break;
            case DropoutOp o: yield return o.Input; yield return o.Output; yield return o.Mask; break;
            case EmbeddingOp o: yield return o.Tokens; yield return o.Output; break;
            case RecurrentOp o: yield return o.Input; yield return o.Output; yield return o.Workspace; break;
            case EmbeddingBackwardOp o: yield return o.Tokens; yield return o.OutputGradient; break;
            case RecurrentBackwardOp o: yield return o.OutputGradient; yield return o.Workspace; if (o.InputGradient is Buffer rdx) yield return rdx; break;
            case CopyOp o: yield return o.Source; yield return o.Destination; break;
            case GaussianNoiseOp o: yield return o.Input; yield return o.Output; break;
            case MaskingNoiseOp o: yield return o.Input; yield return o.Output; yield return o.Mask; break;
            case PassGradientOp o: yield return o.OutputGradient; yield return o.InputGradient; if (o.Fold.Below is Buffer pb) yield return pb; break;
            case WhenTrainableOp o: foreach (var buffer in BuffersOf(o.Inner)) yield return buffer; break;
            case LossOp o: yield return o.Output; yield return o.Gradient; break;
            case ActivationDerivativeOp o: yield return o.Activations; yield return o.Gradient; break;
            case DenseBackwardOp o:
                yield return o.OutputGradient;
                if (o.ComputeParameterGradients) yield return o.Input;
                if (o.InputGradient is Buffer dx) { yield return dx; if (o.Fold.Below is Buffer below) yield return below; }
                break;
            case ConvBackwardOp o:
                yield return o.OutputGradient; yield return o.Columns;
                if (o.InputGradient is Buffer cdx) { yield return cdx; if (o.Fold.Below is Buffer below) yield return below; }
                break;
            case MaxPoolBackwardOp o: yield return o.OutputGradient; yield return o.Argmax; yield return o.InputGradient; if (o.Fold.Below is Buffer mb) yield return mb; break;
            case AvgPoolBackwardOp o: yield return o.OutputGradient; yield return o.InputGradient; if (o.Fold.Below is Buffer ab) yield return ab; break;
            case DropoutBackwardOp o: yield return o.OutputGradient; yield return o.Mask; yield return o.InputGradient; if (o.Fold.Below is Buffer db) yield return db; break;
        }
    }
}
