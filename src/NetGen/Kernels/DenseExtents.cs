namespace NetGen.Kernels;

/// <summary>
/// A dense layer's extents as a type: the generated code declares one struct per layer shape and passes it as a type
/// argument, so the JIT compiles each kernel once per shape with <see cref="In"/> and <see cref="Out"/> as constants
/// (loop bounds, row strides, the tails that a multiple of the vector width does not have).
/// </summary>
public interface IDenseExtents
{
    /// <summary>Features per input sample (W's columns).</summary>
    static abstract int In { get; }
    /// <summary>Outputs per sample (W's rows).</summary>
    static abstract int Out { get; }
}

/// <summary>No compile-time extents: the kernels take the sizes from their arguments. Zero marks "not a constant".</summary>
public readonly struct RuntimeExtents : IDenseExtents
{
    /// <inheritdoc/>
    public static int In => 0;
    /// <inheritdoc/>
    public static int Out => 0;
}
