namespace NetGen.Generator.Model;

/// <summary>What one sample is: a flat vector, a C×H×W image, or a sequence of vectors (one per time step).</summary>
internal enum ShapeKind
{
    Vector,
    Image,
    Sequence,
}

/// <summary>
/// The shape of one sample. A vector has Height = Width = 1; an image is C×H×W; a sequence is Steps × Features, stored
/// batch-major and step-major ([batch, step, feature], PyTorch's batch_first), with Features in Channels and Steps in
/// Height so that Size is the element count for every kind.
/// </summary>
internal readonly record struct Shape(int Channels, int Height, int Width, ShapeKind Kind)
{
    public static Shape Vector(int length) => new(length, 1, 1, ShapeKind.Vector);
    public static Shape Image(int channels, int height, int width) => new(channels, height, width, ShapeKind.Image);
    public static Shape Sequence(int steps, int features) => new(features, steps, 1, ShapeKind.Sequence);

    public bool IsImage => Kind == ShapeKind.Image;
    public bool IsSequence => Kind == ShapeKind.Sequence;

    /// <summary>Time steps of a sequence; 1 for the other kinds (one row per sample).</summary>
    public int Steps => IsSequence ? Height : 1;

    /// <summary>The length of one row: a sequence's per-step features, else the whole sample.</summary>
    public int Features => IsSequence ? Channels : Size;

    public long LongSize => (long)Channels * Height * Width;
    public int Size => (int)LongSize;

    public override string ToString() => Kind switch
    {
        ShapeKind.Image => $"{Channels}×{Height}×{Width}",
        ShapeKind.Sequence => $"{Height} steps × {Channels}",
        _ => Channels.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The dimensions as LayerInfo lists them: [C, H, W], [steps, features] or [features].</summary>
    public int[] Dimensions => Kind switch
    {
        ShapeKind.Image => new[] { Channels, Height, Width },
        ShapeKind.Sequence => new[] { Height, Channels },
        _ => new[] { Channels },
    };
}
