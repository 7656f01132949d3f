using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Parsing;

/// <summary>The options Dense and Conv2D share (ParameterizedLayerAttribute), checked the same way for both.</summary>
internal static class WeightedLayerOptions
{
    /// <summary>The activation, or Identity after reporting a value outside the enum.</summary>
    public static ActivationKind Activation(ActivationKind activation, string what, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        if (activation >= ActivationKind.Identity && activation <= ActivationKind.Softmax) return activation;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, what, $"{(int)activation} is not an Activation"));
        return ActivationKind.Identity;
    }

    public static InitKind Init(AttributeReader reader, string what, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        var init = (InitKind)reader.NamedInt("Init", 0);
        if (init < InitKind.Default || init > InitKind.He)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, what, $"{(int)init} is not an Init"));
        return init;
    }

    /// <summary>α for LeakyReLU/ELU: the user's if given and positive, else the default; a warning where α is ignored.</summary>
    public static double Alpha(AttributeReader reader, ActivationKind activation, string what, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        double alpha = activation.DefaultAlpha();
        if (!reader.TryNamed("Alpha", out _)) return alpha;
        double given = reader.NamedDouble("Alpha", alpha);
        if (!activation.UsesAlpha())
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AlphaIgnored, location, Literal.Number(given), activation));
        else if (!(given > 0) || double.IsInfinity(given))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AlphaNotPositive, location, what, Literal.Number(given)));
        else if (float.IsInfinity((float)given))
            // The kernels compute in float: 1e308 would be infinite there.
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, what, $"Alpha = {given.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is too large for a float (at most {float.MaxValue.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})"));
        else return given;
        return alpha;
    }

    /// <summary>The initializer a layer uses: its own, or by default He for the ReLU family and Glorot otherwise.</summary>
    public static InitKind Resolve(InitKind init, ActivationKind activation) =>
        init == InitKind.Default ? (activation.IsReLUFamily() ? InitKind.He : InitKind.Glorot) : init;
}
