using System;
using System.Globalization;
using System.Text;

namespace NetGen.Training;

/// <summary>
/// Counts of (actual class, predicted class) pairs, with per-class precision and recall. Rows are actual classes,
/// columns predicted ones. <see cref="ToString"/> prints a readable table.
/// </summary>
public sealed class ConfusionMatrix
{
    readonly long[] _counts;

    /// <param name="classCount">Number of classes (at least 1).</param>
    /// <param name="classNames">Optional names for the table, one per class.</param>
    public ConfusionMatrix(int classCount, string[]? classNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        // classCount² cells in one array: in 64 bits, or 46,341 classes would wrap into a small array.
        if ((long)classCount * classCount > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount,
                $"A confusion matrix of {classCount:N0} classes needs {(long)classCount * classCount:N0} cells; an array holds at most {Array.MaxLength:N0} " +
                $"(at most {(int)Math.Sqrt(Array.MaxLength):N0} classes).");
        if (classNames is not null && classNames.Length != classCount)
            throw new ArgumentException($"Expected {classCount} class names (one per class), found {classNames.Length}.", nameof(classNames));
        ClassCount = classCount;
        ClassNames = classNames;
        _counts = new long[classCount * classCount];
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }
    /// <summary>Optional class names.</summary>
    public string[]? ClassNames { get; }
    /// <summary>Samples counted.</summary>
    public long Total { get; private set; }
    /// <summary>Samples on the diagonal.</summary>
    public long Correct { get; private set; }
    /// <summary>Correct / Total (0 when empty).</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted]
    {
        get
        {
            CheckClass(actual, nameof(actual));
            CheckClass(predicted, nameof(predicted));
            return _counts[actual * ClassCount + predicted];
        }
    }

    /// <summary>Counts one sample.</summary>
    public void Add(int actual, int predicted)
    {
        CheckClass(actual, nameof(actual));
        CheckClass(predicted, nameof(predicted));
        _counts[actual * ClassCount + predicted]++;
        Total++;
        if (actual == predicted) Correct++;
    }

    /// <summary>
    /// Counts a batch of network outputs (<paramref name="labels"/>.Length rows of <paramref name="outputCount"/> floats)
    /// against their labels; each row's prediction is <see cref="Metrics.PredictedClass"/>.
    /// </summary>
    public void Add(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int outputCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        if (outputs.Length != labels.Length * outputCount)
            throw new ArgumentException($"Expected {labels.Length * outputCount} outputs ({labels.Length} labels × {outputCount}), found {outputs.Length}.", nameof(outputs));
        for (int n = 0; n < labels.Length; n++) Add(labels[n], Metrics.PredictedClass(outputs.Slice(n * outputCount, outputCount)));
    }

    /// <summary>Samples of class <paramref name="actual"/> (row sum).</summary>
    public long ActualCount(int actual)
    {
        CheckClass(actual, nameof(actual));
        long sum = 0;
        for (int p = 0; p < ClassCount; p++) sum += _counts[actual * ClassCount + p];
        return sum;
    }

    /// <summary>Samples predicted as <paramref name="predicted"/> (column sum).</summary>
    public long PredictedCount(int predicted)
    {
        CheckClass(predicted, nameof(predicted));
        long sum = 0;
        for (int a = 0; a < ClassCount; a++) sum += _counts[a * ClassCount + predicted];
        return sum;
    }

    /// <summary>Of the samples predicted as <paramref name="c"/>, the fraction that are <paramref name="c"/>; 0 when none was predicted.</summary>
    public double Precision(int c)
    {
        long predicted = PredictedCount(c);
        return predicted == 0 ? 0 : (double)_counts[c * ClassCount + c] / predicted;
    }

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction predicted as <paramref name="c"/>; 0 when there are none.</summary>
    public double Recall(int c)
    {
        long actual = ActualCount(c);
        return actual == 0 ? 0 : (double)_counts[c * ClassCount + c] / actual;
    }

    /// <summary>Harmonic mean of precision and recall; 0 when both are 0.</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>The table: counts with actual classes as rows, a recall column, a precision row and the accuracy.</summary>
    public override string ToString()
    {
        var culture = CultureInfo.InvariantCulture;
        string[] names = new string[ClassCount];
        for (int c = 0; c < ClassCount; c++) names[c] = ClassNames?[c] ?? c.ToString(culture);

        const string corner = "actual \\ predicted";
        int labelWidth = corner.Length;
        foreach (string name in names) labelWidth = Math.Max(labelWidth, name.Length);
        int cellWidth = "100.0%".Length;
        foreach (string name in names) cellWidth = Math.Max(cellWidth, name.Length);
        foreach (long count in _counts) cellWidth = Math.Max(cellWidth, count.ToString(culture).Length);

        var text = new StringBuilder();
        text.Append(corner.PadRight(labelWidth));
        foreach (string name in names) text.Append("  ").Append(name.PadLeft(cellWidth));
        text.Append("  ").Append("recall".PadLeft(cellWidth)).AppendLine();
        for (int a = 0; a < ClassCount; a++)
        {
            text.Append(names[a].PadRight(labelWidth));
            for (int p = 0; p < ClassCount; p++) text.Append("  ").Append(_counts[a * ClassCount + p].ToString(culture).PadLeft(cellWidth));
            text.Append("  ").Append(Percent(Recall(a)).PadLeft(cellWidth)).AppendLine();
        }
        text.Append("precision".PadRight(labelWidth));
        for (int p = 0; p < ClassCount; p++) text.Append("  ").Append(Percent(Precision(p)).PadLeft(cellWidth));
        text.AppendLine();
        text.Append("accuracy ").Append(Percent(Accuracy)).Append(" (").Append(Correct.ToString(culture)).Append(" / ").Append(Total.ToString(culture)).Append(')');
        return text.ToString();

        string Percent(double fraction) => (fraction * 100).ToString("0.0", culture) + "%";
    }

    void CheckClass(int c, string name)
    {
        if ((uint)c >= (uint)ClassCount) throw new ArgumentOutOfRangeException(name, c, $"Expected a class id in [0, {ClassCount}).");
    }
}
