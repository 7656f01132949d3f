using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// [Embedding(vocabulary, dimension)]: token ids to learned vectors, the first layer of a network over [Input(steps)].
/// Parameters: W [vocabulary, dimension] (nn.Embedding.weight), drawn U[±√3] (unit variance, as nn.Embedding's N(0, 1)).
/// Forward: a gather, one row per id. Backward: a scatter-add of each step's output gradient into its id's row; the ids
/// themselves have no gradient, so nothing flows below.
/// </summary>
internal sealed record EmbeddingLayer(int Vocabulary, int Dimension, bool IsTrainable, string? Name, LocationInfo? Location) : LayerModel(Name, Location)
{
    public override string Kind => "Embedding";
    public override bool Trainable => IsTrainable;
    public override bool ReadsTokens => true;

    public override string Describe() => $"Embedding({Vocabulary}, {Dimension})";

    public static EmbeddingLayer Parse(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        int vocabulary = reader.Int(0, 0), dimension = reader.Int(1, 0);
        string? name = reader.NamedString("Name");
        string what = name is null ? $"Embedding({vocabulary}, {dimension})" : $"Embedding '{name}'";
        if (vocabulary <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the vocabulary size", vocabulary));
        if (dimension <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, "the dimension", dimension));
        return new EmbeddingLayer(vocabulary, dimension, reader.NamedBool("Trainable", true), name, location);
    }

    public override Shape? InferShape(Shape input, PlanningContext context)
    {
        if (Vocabulary <= 0 || Dimension <= 0) return null; // reported by Parse
        if (context.LayerIndex != 1)
        {
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.EmbeddingNotFirst, Location, Describe(), context.LayerIndex, context.Trail));
            return null;
        }
        if (input.Kind != ShapeKind.Vector)
        {
            string what = input.IsImage ? $"the image {input}" : $"a sequence of {input}";
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.EmbeddingInputNotTokens, Location, Describe(), what));
            return null;
        }
        return Shape.Sequence(input.Size, Dimension);
    }

    public override long ParameterCount(Shape input) => (long)Vocabulary * Dimension;

    private ParameterSlice Weights(LayerPlan plan) => new(plan.ParameterOffset, Vocabulary * Dimension);

    public override IEnumerable<Op> LowerInit(LayerPlan plan)
    {
        yield return new NoteOp($"{plan.Name}: W ~ U[±√3], unit variance like nn.Embedding's N(0, 1).");
        yield return new UniformLimitInitOp(plan.Index, Weights(plan), System.Math.Sqrt(3.0), plan.Index);
    }

    public override IEnumerable<Op> LowerForward(LayerPlan plan, bool training)
    {
        var source = training ? plan.TrainingSource : plan.InferenceSource;
        yield return new EmbeddingOp(source, training ? plan.OutputBuffer : plan.InferenceOutput, Weights(plan), Vocabulary, Dimension);
    }

    public override IEnumerable<Op> LowerBackward(LayerPlan plan)
    {
        if (!plan.ComputesParameterGradients) yield break;
        yield return new NoteOp("Only the rows of the ids in this batch receive gradient: a scatter-add, not a product with one-hot inputs.");
        yield return new WhenTrainableOp(plan.Index, new EmbeddingBackwardOp(plan.Index, plan.TrainingSource, plan.OutputGradient!.Value, Weights(plan), Vocabulary, Dimension));
    }

    public override OnnxOp LowerOnnx(LayerPlan plan) => new OnnxUnsupportedOp(plan.Name, Kind);
}
