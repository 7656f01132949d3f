// The runtime's own enums (src/NetGen/Attributes/Enums.cs, linked into this assembly), under names that do not
// collide with the layer properties called Activation, Loss and Init.
global using ActivationKind = NetGen.Generator.Runtime.Activation;
global using InitKind = NetGen.Generator.Runtime.Init;
global using LossKind = NetGen.Generator.Runtime.Loss;

namespace NetGen.Generator.Model;

internal static class ActivationKindExtensions
{
    /// <summary>The kernel type for an element-wise activation (Softmax is applied row-wise, so its element-wise part is the identity).</summary>
    public static string KernelType(this ActivationKind activation) => activation switch
    {
        ActivationKind.Sigmoid => "global::NetGen.Kernels.Sigmoid",
        ActivationKind.Tanh => "global::NetGen.Kernels.Tanh",
        ActivationKind.ReLU => "global::NetGen.Kernels.ReLU",
        ActivationKind.LeakyReLU => "global::NetGen.Kernels.LeakyReLU",
        ActivationKind.ELU => "global::NetGen.Kernels.ELU",
        _ => "global::NetGen.Kernels.Identity",
    };

    public static bool UsesAlpha(this ActivationKind activation) => activation is ActivationKind.LeakyReLU or ActivationKind.ELU;

    public static double DefaultAlpha(this ActivationKind activation) => activation == ActivationKind.ELU ? 1.0 : activation == ActivationKind.LeakyReLU ? 0.01 : 0.0;

    public static bool IsReLUFamily(this ActivationKind activation) => activation is ActivationKind.ReLU or ActivationKind.LeakyReLU or ActivationKind.ELU;

    /// <summary>True when the backward pass has a derivative to apply (not identity, not the row-wise softmax).</summary>
    public static bool HasElementwiseDerivative(this ActivationKind activation) => activation is not (ActivationKind.Identity or ActivationKind.Softmax);
}
