namespace NetGen.Generator.Model;

// Mirrors of the runtime enums (the generator reads their numeric values from attribute arguments).
// Keep the numbers in step with src/NetGen/Attributes/Enums.cs.

internal enum LossKind { MeanSquaredError = 0, CrossEntropy = 1, BinaryCrossEntropy = 2 }

internal enum ActivationKind { Identity = 0, Sigmoid = 1, Tanh = 2, ReLU = 3, LeakyReLU = 4, ELU = 5, Softmax = 6 }

internal enum InitKind { Default = 0, FanIn = 1, Glorot = 2, He = 3 }

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
