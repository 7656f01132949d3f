using System;

namespace NetGen.Data;

/// <summary>How the label column of a CSV file is read.</summary>
public enum LabelKind
{
    /// <summary>
    /// Class labels. Integers are class ids; text is class names, numbered in order of first appearance
    /// (or looked up in <see cref="CsvOptions.ClassNames"/> when given). The first data row decides which.
    /// </summary>
    Class,
    /// <summary>A float target (regression): the dataset gets targets of size 1.</summary>
    Value,
}

/// <summary>Options for <see cref="CsvReader"/>. Every column except the label column is a numeric feature.</summary>
public sealed record CsvOptions
{
    /// <summary>The first line names the columns. Default true.</summary>
    public bool HasHeader { get; init; } = true;
    /// <summary>The label column by header name (needs <see cref="HasHeader"/>). Takes precedence over <see cref="LabelColumnIndex"/>.</summary>
    public string? LabelColumn { get; init; }
    /// <summary>The label column by 0-based index; negative counts from the end (-1 is the last column). Default: the last column.</summary>
    public int? LabelColumnIndex { get; init; }
    /// <summary>Field separator. Default ','.</summary>
    public char Separator { get; init; } = ',';
    /// <summary>Whether the label is a class or a float value. Default <see cref="LabelKind.Class"/>.</summary>
    public LabelKind LabelKind { get; init; } = LabelKind.Class;
    /// <summary>
    /// Known class names, in id order: text labels must be one of these, and the dataset gets exactly this many classes.
    /// When null, names are numbered in order of first appearance.
    /// </summary>
    public string[]? ClassNames { get; init; }
    /// <summary>Number of classes for integer class ids (positive); when null it is the largest id + 1.</summary>
    public int? ClassCount
    {
        get => _classCount;
        init => _classCount = value <= 0
            ? throw new ArgumentOutOfRangeException(nameof(ClassCount), value, $"Expected a positive ClassCount, found {value}.")
            : value;
    }
    private readonly int? _classCount;

    /// <summary>The default <see cref="MaxFieldLength"/>: far longer than any number or class name.</summary>
    public const int DefaultMaxFieldLength = 4096;

    /// <summary>
    /// The most characters a field may have (positive; default <see cref="DefaultMaxFieldLength"/>). The reader stops at the
    /// first field longer than this, so a runaway field (a megabyte digit string, an unclosed quote) fails at once
    /// instead of being buffered whole.
    /// </summary>
    public int MaxFieldLength
    {
        get => _maxFieldLength;
        init => _maxFieldLength = value <= 0
            ? throw new ArgumentOutOfRangeException(nameof(MaxFieldLength), value, $"Expected a positive MaxFieldLength, found {value}.")
            : value;
    }
    private readonly int _maxFieldLength = DefaultMaxFieldLength;

    /// <summary>Defaults: header, label in the last column, comma-separated, class labels.</summary>
    public static CsvOptions Default { get; } = new();
}
