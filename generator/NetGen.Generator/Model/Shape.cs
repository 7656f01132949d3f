namespace NetGen.Generator.Model;

/// <summary>The shape of one sample: a vector (IsImage false, Height = Width = 1) or a C×H×W image.</summary>
internal readonly record struct Shape(int Channels, int Height, int Width, bool IsImage)
{
    public static Shape Vector(int length) => new(length, 1, 1, false);
    public static Shape Image(int channels, int height, int width) => new(channels, height, width, true);

    public long LongSize => (long)Channels * Height * Width;
    public int Size => (int)LongSize;

    public override string ToString() => IsImage ? $"{Channels}×{Height}×{Width}" : Channels.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>C# collection text for LayerInfo.OutputShape.</summary>
    public string ToArrayLiteral() => IsImage ? $"[{Channels}, {Height}, {Width}]" : $"[{Channels}]";
}
