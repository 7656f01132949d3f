namespace NetGen.Generator.Lowering;

/// <summary>What a buffer holds; decides its element type and its name in a backend's workspace.</summary>
internal enum BufferRole
{
    /// <summary>The caller's input span (batch × input size).</summary>
    Input,
    /// <summary>The caller's output span (inference only).</summary>
    Output,
    /// <summary>The caller's token ids (batch × steps ints): the input of a network that starts with an Embedding.</summary>
    Tokens,
    /// <summary>A layer's output.</summary>
    Activation,
    /// <summary>dL/d(output) of a layer: what its backward pass reads.</summary>
    Gradient,
    /// <summary>A dropout mask: 0 or 1/(1 − rate) per element.</summary>
    Mask,
    /// <summary>Max-pool argmax positions (ints).</summary>
    Argmax,
    /// <summary>im2col columns of a convolution.</summary>
    Columns,
    /// <summary>A low-rank layer's inner activations V·x (rank per sample).</summary>
    Hidden,
    /// <summary>dL/d(V·x) of a low-rank layer.</summary>
    HiddenGradient,
    /// <summary>A recurrent layer's states and gate values over every step, kept for backward through time, and its scratch.</summary>
    Sequence,
}

/// <summary>
/// A symbolic array of batch × <see cref="PerSample"/> elements, owned by layer <see cref="Layer"/> (0 for the
/// caller's spans). Ops name buffers, never fields or spans: each backend decides how a buffer is stored.
/// </summary>
internal readonly record struct Buffer(BufferRole Role, int Layer, int PerSample)
{
    public static Buffer CallerInput(int perSample) => new(BufferRole.Input, 0, perSample);
    public static Buffer CallerOutput(int perSample) => new(BufferRole.Output, 0, perSample);
    public static Buffer CallerTokens(int perSample) => new(BufferRole.Tokens, 0, perSample);

    /// <summary>The caller's span rather than a workspace array.</summary>
    public bool IsCaller => Role is BufferRole.Input or BufferRole.Output or BufferRole.Tokens;

    /// <summary>Argmax positions and token ids are ints; everything else is float.</summary>
    public bool IsInt => Role is BufferRole.Argmax or BufferRole.Tokens;

    /// <summary>A short stable name, e.g. A3 (layer 3's output), D3 (its gradient), Col1, Arg2, M4, H5, DH5 and Seq2.</summary>
    public string Name => Role switch
    {
        BufferRole.Input => "inputs",
        BufferRole.Output => "outputs",
        BufferRole.Tokens => "tokens",
        BufferRole.Activation => "A" + Layer,
        BufferRole.Gradient => "D" + Layer,
        BufferRole.Mask => "M" + Layer,
        BufferRole.Argmax => "Arg" + Layer,
        BufferRole.Hidden => "H" + Layer,
        BufferRole.HiddenGradient => "DH" + Layer,
        BufferRole.Sequence => "Seq" + Layer,
        _ => "Col" + Layer,
    };

    public override string ToString() => $"{Name}[batch × {PerSample}]";
}
