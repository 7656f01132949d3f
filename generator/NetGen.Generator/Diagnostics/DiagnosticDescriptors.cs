using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Diagnostics;

/// <summary>Every diagnostic NetGen reports. Ids are fixed forever: add new ones at the end of their range, never renumber.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "NetGen";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    private static DiagnosticDescriptor Info(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Info, isEnabledByDefault: true);

    // NG00xx: the class and the declaration as a whole.
    public static readonly DiagnosticDescriptor NotPartial = Error("NG0001", "Network class must be partial",
        "Network class '{0}' must be declared partial so NetGen can generate its forward and backward passes");
    public static readonly DiagnosticDescriptor NestedOrGeneric = Error("NG0002", "Network class must be top-level and non-generic",
        "Network class '{0}' is {1}; NetGen supports top-level, non-generic classes only");
    public static readonly DiagnosticDescriptor MissingInput = Error("NG0003", "Network has no [Input]",
        "Network '{0}' needs exactly one [Input(...)] giving the shape of one sample");
    public static readonly DiagnosticDescriptor DuplicateInput = Error("NG0004", "Network has more than one [Input]",
        "Network '{0}' declares [Input] {1} times; exactly one is allowed");
    public static readonly DiagnosticDescriptor NonPositiveSize = Error("NG0005", "Size must be positive",
        "{0}: {1} must be positive, but is {2}");
    public static readonly DiagnosticDescriptor DropoutRateOutOfRange = Error("NG0006", "Dropout rate must lie in [0, 1)",
        "Dropout rate must lie in [0, 1), but is {0}");
    public static readonly DiagnosticDescriptor SoftmaxNotLast = Error("NG0007", "Softmax only on the last layer",
        "{0} is layer {1} of {2}; Softmax is allowed only on the last layer");
    public static readonly DiagnosticDescriptor LossMismatch = Error("NG0008", "Loss does not match the output layer",
        "Loss.{0} needs a {1} output layer, but the last layer is {2}");
    public static readonly DiagnosticDescriptor AlphaIgnored = Warning("NG0009", "Alpha has no effect",
        "Alpha = {0} has no effect on {1}; only LeakyReLU and ELU use it");
    public static readonly DiagnosticDescriptor NoLayers = Error("NG0010", "Network has no layers",
        "Network '{0}' has an [Input] but no layer that computes anything; add at least one [Dense(...)] or [Conv2D(...)]");
    public static readonly DiagnosticDescriptor AlphaNotPositive = Error("NG0011", "Alpha must be positive",
        "{0}: Alpha must be positive, but is {1} (the backward pass recovers the derivative from the output's sign)");
    public static readonly DiagnosticDescriptor BadInputRank = Error("NG0012", "Input must be a vector, a sequence or an image",
        "[Input] takes (features), (steps, features) or (channels, height, width), but was given {0} dimension(s)");
    public static readonly DiagnosticDescriptor LayerWithoutNetwork = Warning("NG0013", "Layer attributes without [Network]",
        "Class '{0}' has layer attributes but no [Network(...)]; no network is generated for it");
    public static readonly DiagnosticDescriptor TooLarge = Error("NG0014", "Network is too large",
        "{0}: the network would need {1} parameters or activations per batch row, more than a .NET array can hold");
    public static readonly DiagnosticDescriptor InvalidArgument = Error("NG0015", "Invalid attribute argument",
        "{0}: {1}");
    public static readonly DiagnosticDescriptor MemberNamedLikeGenerated = Error("NG0016", "Member clashes with a generated member",
        "Network class '{0}' declares {1}, which NetGen generates for every network; rename or remove it");
    public static readonly DiagnosticDescriptor ClassNamedLikeMember = Error("NG0017", "Class named like a generated member",
        "Network class '{0}' has the name of a member NetGen generates in it, and a member cannot be named like its class; rename the class");
    public static readonly DiagnosticDescriptor PrimaryConstructor = Error("NG0018", "Network class has a primary constructor",
        "Network class '{0}' has a primary constructor; NetGen generates the constructors ({0}() and {0}(int seed)), so remove the parameter list");
    public static readonly DiagnosticDescriptor StaticOrFileLocal = Error("NG0019", "Network class must be a non-static, non-file-local class",
        "Network class '{0}' is {1}; NetGen completes it with instance members in a file of its own, so it must be neither static nor file-local");

    // NG002x: convolution and pooling shapes.
    public static readonly DiagnosticDescriptor KernelLargerThanInput = Error("NG0020", "Kernel larger than its input",
        "{0}: the {1}×{2} kernel is larger than its padded input {3}×{4} ({5})");
    public static readonly DiagnosticDescriptor StrideDropsPixels = Warning("NG0021", "Stride does not tile the input",
        "{0} on {1}: the window does not tile the input, so the last {2} row(s) and {3} column(s) are dropped (floor semantics, as PyTorch) and the output is {4}");
    public static readonly DiagnosticDescriptor NonPositiveOutput = Error("NG0022", "Output size is not positive",
        "{0} on {1} gives an output of {2}; every dimension must be positive ({3})");
    public static readonly DiagnosticDescriptor ImageIntoDense = Info("NG0023", "Image input flattened",
        "{0} receives the {1} image flattened to {2} values in C×H×W order");
    public static readonly DiagnosticDescriptor SpatialLayerOnVector = Error("NG0024", "Convolution or pooling needs an image",
        "{0} needs a C×H×W input, but receives a vector of {1} values ({2})");
    public static readonly DiagnosticDescriptor SamePaddingUnsupported = Error("NG0025", "Padding.Same needs stride 1 and an odd kernel",
        "{0}: Padding.Same needs stride 1 and an odd kernel, but the kernel is {1}×{2} with stride {3}");

    // NG0026 on: the class and the declaration as a whole again (NG0016-NG0019 filled the first range).
    public static readonly DiagnosticDescriptor LanguageVersionTooOld = Error("NG0026", "C# version too old for the generated code",
        "NetGen's generated code for '{0}' needs C# {1} or later, but the project compiles with C# {2}; raise <LangVersion>");
    public static readonly DiagnosticDescriptor LayersInSeveralFiles = Error("NG0027", "Layer attributes split across files",
        "Network '{0}' has layer attributes in both '{1}' and '{2}'; their order would depend on the order the compiler reads files, so put all of its layers on one declaration");
    public static readonly DiagnosticDescriptor BaseWithoutParameterlessConstructor = Error("NG0028", "Base class has no parameterless constructor",
        "Network class '{0}' derives from '{1}', which has no parameterless constructor it can call; NetGen's generated constructors call base(), so give '{1}' one or derive from another class");
    public static readonly DiagnosticDescriptor NoiseOutOfRange = Error("NG0029", "Noise parameter out of range",
        "{0}: {1} must {2}, but is {3}");
    public static readonly DiagnosticDescriptor RankOutOfRange = Error("NG0030", "Rank out of range",
        "{0} on {1} inputs: the rank must lie in 1 to min(inputs, units) = {2}, but is {3}; a larger rank cannot be reached and stores more than a full Dense layer");

    // NG003x: sequences.
    public static readonly DiagnosticDescriptor EmbeddingNotFirst = Error("NG0031", "Embedding must be the first layer",
        "{0} is layer {1}; an Embedding reads token ids from [Input(steps)], so it must be the first layer ({2})");
    public static readonly DiagnosticDescriptor EmbeddingInputNotTokens = Error("NG0032", "Embedding needs an [Input(steps)] of token ids",
        "{0} reads one token id per step from [Input(steps)], but the input is {1}");
    public static readonly DiagnosticDescriptor RecurrentNeedsSequence = Error("NG0033", "Recurrent layer needs a sequence",
        "{0} needs a sequence input [batch, steps, features], but receives {1} ({2}); declare [Input(steps, features)], or put an [Embedding] first to read token ids");
    public static readonly DiagnosticDescriptor SequenceIntoSpatialLayer = Error("NG0034", "Convolution or pooling on a sequence",
        "{0} needs a C×H×W input, but receives a sequence of {1} ({2}); read the sequence with a recurrent layer, or declare the input as an image");

    // NG9xxx: bugs in NetGen itself, reported instead of crashing the compiler.
    public static readonly DiagnosticDescriptor InternalError = Error("NG9999", "NetGen internal error",
        "NetGen could not process '{0}': {1}. Please report this.");

    public static readonly ImmutableArray<DiagnosticDescriptor> All = ImmutableArray.Create(
        NotPartial, NestedOrGeneric, MissingInput, DuplicateInput, NonPositiveSize, DropoutRateOutOfRange, SoftmaxNotLast,
        LossMismatch, AlphaIgnored, NoLayers, AlphaNotPositive, BadInputRank, LayerWithoutNetwork, TooLarge, InvalidArgument,
        MemberNamedLikeGenerated, ClassNamedLikeMember, PrimaryConstructor, StaticOrFileLocal,
        KernelLargerThanInput, StrideDropsPixels, NonPositiveOutput, ImageIntoDense, SpatialLayerOnVector, SamePaddingUnsupported,
        LanguageVersionTooOld, LayersInSeveralFiles, BaseWithoutParameterlessConstructor, NoiseOutOfRange, RankOutOfRange,
        EmbeddingNotFirst, EmbeddingInputNotTokens, RecurrentNeedsSequence, SequenceIntoSpatialLayer, InternalError);

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = Index();

    private static Dictionary<string, DiagnosticDescriptor> Index()
    {
        var map = new Dictionary<string, DiagnosticDescriptor>();
        foreach (var d in All) map[d.Id] = d;
        return map;
    }

    public static DiagnosticDescriptor ById(string id) => s_byId.TryGetValue(id, out var d) ? d : InternalError;
}
