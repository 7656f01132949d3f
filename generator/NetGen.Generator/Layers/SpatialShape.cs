using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// The sliding-window shape rule Conv2D and the pooling layers share: output = floor((H + 2p − k)/s) + 1 per axis
/// (PyTorch's floor semantics), with the NG002x diagnostics and the trail of computed shapes in their messages.
/// </summary>
internal static class SpatialShape
{
    /// <summary>The shapes computed so far, for messages: "the input is 1×28×28" for the first layer.</summary>
    public static string Trail(PlanningContext context, Shape input) =>
        context.ShapeTrail.Count == 0 ? $"the network input is {input}" : context.Trail;

    /// <summary>Output height and width, or null after reporting NG0024, NG0020 or NG0022. Reports NG0021 when the window does not tile the input.</summary>
    public static (int Height, int Width)? Infer(string what, Shape input, int kernelHeight, int kernelWidth, int stride, int padHeight, int padWidth,
        bool kernelErrorIsOutputError, LocationInfo? location, PlanningContext context)
    {
        if (input.IsSequence)
        {
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.SequenceIntoSpatialLayer, location, what, input, Trail(context, input)));
            return null;
        }
        if (!input.IsImage)
        {
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.SpatialLayerOnVector, location, what, input.Size, Trail(context, input)));
            return null;
        }
        long paddedHeight = input.Height + 2L * padHeight, paddedWidth = input.Width + 2L * padWidth;
        long outHeight = FloorDiv(paddedHeight - kernelHeight, stride) + 1, outWidth = FloorDiv(paddedWidth - kernelWidth, stride) + 1;
        if (kernelHeight > paddedHeight || kernelWidth > paddedWidth)
        {
            if (kernelErrorIsOutputError)
                context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveOutput, location, what, input,
                    $"{input.Channels}×{outHeight}×{outWidth}", Trail(context, input)));
            else
                context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.KernelLargerThanInput, location, what, kernelHeight, kernelWidth,
                    paddedHeight, paddedWidth, Trail(context, input)));
            return null;
        }
        if (outHeight <= 0 || outWidth <= 0 || outHeight > int.MaxValue || outWidth > int.MaxValue)
        {
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveOutput, location, what, input, $"{input.Channels}×{outHeight}×{outWidth}", Trail(context, input)));
            return null;
        }
        long droppedRows = (paddedHeight - kernelHeight) % stride, droppedColumns = (paddedWidth - kernelWidth) % stride;
        if (droppedRows != 0 || droppedColumns != 0)
            context.Report(DiagnosticInfo.Create(DiagnosticDescriptors.StrideDropsPixels, location, what, input, droppedRows, droppedColumns,
                $"{outHeight}×{outWidth} per channel"));
        return ((int)outHeight, (int)outWidth);
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
