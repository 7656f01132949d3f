using NetGen.Generator.Helpers;
using NetGen.Generator.Lowering;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Emit;

/// <summary>
/// Writes ExportOnnx: the network's inference graph described, layer by layer with literal sizes, to the runtime's
/// NetGen.Onnx.OnnxGraphBuilder, which writes the ONNX operators and the protobuf.
/// </summary>
internal static class OnnxEmitter
{
    private const string Builder = "global::NetGen.Onnx.OnnxGraphBuilder";

    public static void Emit(CodeWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>");
        w.Line($"/// Writes the inference graph (dropout omitted) and the current weights as an ONNX model, opset {OpsetVersion}, to");
        w.Line("/// <paramref name=\"path\"/>, atomically: a temporary file renamed over the target, so a failure never leaves half a model.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"global::System.NotSupportedException\">A layer has no ONNX counterpart; the message names it.</exception>");
        using (w.Block("public void ExportOnnx(string path)")) w.Line("BuildOnnx().Save(path);");
        w.Line();
        w.Line($"/// <summary>Writes the inference graph and the current weights as an ONNX model (opset {OpsetVersion}) to <paramref name=\"stream\"/>.</summary>");
        w.Line("/// <exception cref=\"global::System.NotSupportedException\">A layer has no ONNX counterpart; the message names it.</exception>");
        using (w.Block("public void ExportOnnx(global::System.IO.Stream stream)")) w.Line("BuildOnnx().WriteTo(stream);");
        w.Line();
        w.Line("/// <summary>The inference graph with a snapshot of the weights, taken while no training step or load can write them.</summary>");
        using (w.Block($"private {Builder} BuildOnnx()"))
        {
            w.Line("_concurrency.EnterShared(\"ExportOnnx\");");
            using (w.Block("try"))
            {
                var input = plan.Input;
                string name = Literal.String(plan.Model.ClassName);
                if (plan.TakesTokens) w.Line($"{Builder} onnx = {Builder}.ForTokens({name}, _parameters, {Literal.Int(input.Size)});");
                else if (input.IsSequence) w.Line($"{Builder} onnx = {Builder}.ForSequence({name}, _parameters, {Literal.Int(input.Steps)}, {Literal.Int(input.Features)});");
                else w.Line(input.IsImage
                    ? $"{Builder} onnx = {Builder}.ForImage({name}, _parameters, {Literal.Int(input.Channels)}, {Literal.Int(input.Height)}, {Literal.Int(input.Width)});"
                    : $"{Builder} onnx = {Builder}.ForVector({name}, _parameters, {Literal.Int(input.Size)});");
                foreach (var layer in plan.Layers) w.Line(Call(layer.Layer.LowerOnnx(layer)));
                w.Line("return onnx;");
            }
            using (w.Block("finally")) w.Line("_concurrency.ExitShared();");
        }
        w.Line();
    }

    // The runtime's OnnxGraphBuilder.OpsetVersion, for the doc comments.
    private const int OpsetVersion = 17;

    private static string Call(OnnxOp op)
    {
        string layer = Literal.String(op.Layer);
        return op switch
        {
            OnnxDenseOp d => $"onnx.Dense({layer}, {Literal.Int(d.In)}, {Literal.Int(d.Out)}, {Literal.Int(d.Weights.Offset)}, {Bool(!d.Bias.IsNone)}, " +
                $"global::NetGen.Activation.{d.Activation}, {Literal.Float(d.Alpha)});",
            // V [rank, in] then U [out, rank] then b: the second Gemm's weights start where V ends, its bias where U ends.
            OnnxLowRankDenseOp l => $"onnx.Dense({Literal.String(op.Layer + "/V")}, {Literal.Int(l.In)}, {Literal.Int(l.Rank)}, {Literal.Int(l.V.Offset)}, false, global::NetGen.Activation.Identity, 0f); " +
                $"onnx.Dense({layer}, {Literal.Int(l.Rank)}, {Literal.Int(l.Out)}, {Literal.Int(l.V.Offset + l.Rank * l.In)}, {Bool(l.HasBias)}, global::NetGen.Activation.{l.Activation}, {Literal.Float(l.Alpha)});",
            OnnxConvOp c => $"onnx.Conv2D({layer}, {Literal.Int(c.Geometry.Filters)}, {Literal.Int(c.Geometry.KernelHeight)}, {Literal.Int(c.Geometry.KernelWidth)}, " +
                $"{Literal.Int(c.Geometry.Stride)}, {Literal.Int(c.Geometry.PadHeight)}, {Literal.Int(c.Geometry.PadWidth)}, {Literal.Int(c.Weights.Offset)}, " +
                $"{Bool(!c.Bias.IsNone)}, global::NetGen.Activation.{c.Activation}, {Literal.Float(c.Alpha)});",
            OnnxPoolOp p => $"onnx.{(p.Max ? "MaxPool2D" : "AvgPool2D")}({layer}, {Literal.Int(p.Size)}, {Literal.Int(p.Stride)});",
            OnnxFlattenOp => $"onnx.Flatten({layer});",
            OnnxEmbeddingOp e => $"onnx.Embedding({layer}, {Literal.Int(e.Vocabulary)}, {Literal.Int(e.Dimension)}, {Literal.Int(e.Weights.Offset)});",
            OnnxRecurrentOp r when r.Geometry.Cell == RecurrentCell.Lstm =>
                $"onnx.Lstm({layer}, {Literal.Int(r.Geometry.Hidden)}, {Literal.Int(r.Parameters.Offset)}, {Bool(r.Geometry.ReturnSequences)});",
            OnnxRecurrentOp r => $"onnx.SimpleRnn({layer}, {Literal.Int(r.Geometry.Hidden)}, {Literal.Int(r.Parameters.Offset)}, {Bool(r.Geometry.ReturnSequences)}, global::NetGen.Activation.{r.Geometry.Activation});",
            OnnxIdentityOp i => $"onnx.Skip({layer}); // {i.Kind}: the identity at inference",
            OnnxUnsupportedOp u => $"onnx.Unsupported({Literal.String(u.Kind)}, {layer});",
            _ => $"onnx.Unsupported({Literal.String(op.GetType().Name)}, {layer});",
        };
    }

    private static string Bool(bool value) => value ? "true" : "false";
}
