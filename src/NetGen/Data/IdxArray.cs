using System;

namespace NetGen.Data;

/// <summary>A whole IDX file: its dimensions (outermost first) and its elements, row-major, converted to float.</summary>
/// <param name="Dimensions">Sizes of each dimension, e.g. [count, rows, cols] for images.</param>
/// <param name="Data">All elements, row-major; length is the product of <paramref name="Dimensions"/>.</param>
/// <param name="ElementType">The element type stored in the file.</param>
public sealed record IdxArray(int[] Dimensions, float[] Data, IdxElementType ElementType)
{
    /// <summary>Number of dimensions.</summary>
    public int Rank => Dimensions.Length;
}

/// <summary>Images from an IDX file: raw pixel values (0..255 for ubyte files), <c>Count</c> × <c>Rows</c> × <c>Columns</c>, row-major.</summary>
/// <param name="Pixels">Count × Rows × Columns values.</param>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Columns">Image width.</param>
public sealed record IdxImages(float[] Pixels, int Count, int Rows, int Columns)
{
    /// <summary>Pixels per image.</summary>
    public int ImageSize => Rows * Columns;
}
