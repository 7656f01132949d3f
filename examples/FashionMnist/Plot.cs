using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NetGen.Training;

namespace FashionMnist;

/// <summary>
/// A dependency-free SVG of the training curves: loss on the left panel, accuracy (in percent) on the right. Each
/// y-axis spans the data, not zero to the top, with round tick values labelled on it, so small differences show and
/// the scale is read off the axis.
/// </summary>
/// <remarks>
/// Hand-written rather than with ScottPlot 5: two line charts do not need a native graphics stack. Measured with
/// ScottPlot 5.1.59 on linux-x64: the build output gains 155 MB of SkiaSharp and HarfBuzz native libraries for 15
/// platforms, and a NativeAOT publish (which worked, without warnings) ships libSkiaSharp.so (9.0 MB) and
/// libHarfBuzzSharp.so (2.5 MB) beside the executable. The SVG opens in any browser and renders on GitHub.
/// </remarks>
internal static class Plot
{
    const int PanelWidth = 420, PanelHeight = 260, Margin = 50;

    public static void WriteSvg(TrainingHistory history, string path, string title)
    {
        var epochs = history.Epochs;
        var svg = new StringBuilder();
        int width = 2 * PanelWidth + 3 * Margin, height = PanelHeight + 2 * Margin + 20;
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");

        var x = epochs.Select(e => (double)(e.Epoch + 1)).ToArray();
        // Losses fall and accuracies rise, so the legends sit where the curves end low: top right, then bottom right.
        Panel(svg, Margin, Margin + 10, "loss", x, legendAtBottom: false,
            ("training", "#1f77b4", epochs.Select(e => e.TrainingLoss).ToArray()),
            ("validation", "#ff7f0e", epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray()));
        Panel(svg, 2 * Margin + PanelWidth, Margin + 10, "accuracy (%)", x, legendAtBottom: true,
            ("training", "#1f77b4", epochs.Select(e => 100 * e.TrainingAccuracy ?? double.NaN).ToArray()),
            ("validation", "#ff7f0e", epochs.Select(e => 100 * e.ValidationAccuracy ?? double.NaN).ToArray()));
        svg.Append("</svg>\n");

        // Write beside the target, then move: a crash never leaves half a file.
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, svg.ToString());
        File.Move(temporary, path, overwrite: true);
    }

    static void Panel(StringBuilder svg, int left, int top, string label, double[] x, bool legendAtBottom, params (string Name, string Color, double[] Y)[] series)
    {
        var all = series.SelectMany(s => s.Y).Where(double.IsFinite).ToArray();
        if (all.Length == 0 || x.Length == 0) return;
        var (yMin, yMax, step) = Ticks(all.Min(), all.Max());
        double xMin = x.Min(), xMax = Math.Max(x.Max(), xMin + 1);
        string Px(double v) => (left + (v - xMin) / (xMax - xMin) * PanelWidth).ToString("F1", CultureInfo.InvariantCulture);
        string Py(double v) => (top + PanelHeight - (v - yMin) / (yMax - yMin) * PanelHeight).ToString("F1", CultureInfo.InvariantCulture);

        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{PanelWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#888\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + PanelWidth / 2}\" y=\"{top - 6}\" text-anchor=\"middle\">{Escape(label)}</text>\n");
        int ticks = (int)Math.Round((yMax - yMin) / step);
        for (int t = 0; t <= ticks; t++)
        {
            double v = yMin + t * step;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{left + PanelWidth}\" y1=\"{Py(v)}\" y2=\"{Py(v)}\" stroke=\"#eee\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{Py(v)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{v.ToString(step < 1 ? "0.##" : "0", CultureInfo.InvariantCulture)}</text>\n");
        }
        foreach (var xv in x)
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(xv)}\" y=\"{top + PanelHeight + 14}\" text-anchor=\"middle\">{xv:0}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + PanelWidth / 2}\" y=\"{top + PanelHeight + 30}\" text-anchor=\"middle\">epoch</text>\n");

        int legend = 0;
        foreach (var (name, color, y) in series)
        {
            var points = string.Join(" ", Enumerable.Range(0, x.Length).Where(i => double.IsFinite(y[i])).Select(i => $"{Px(x[i])},{Py(y[i])}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{points}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + PanelWidth - 8}\" y=\"{(legendAtBottom ? top + PanelHeight - 10 - 16 * (series.Length - 1 - legend++) : top + 16 + 16 * legend++)}\" text-anchor=\"end\" fill=\"{color}\">{Escape(name)}</text>\n");
        }
    }

    /// <summary>
    /// An axis from a multiple of a round step (1, 2 or 5 times a power of ten) below the data to one above it, with
    /// a handful of ticks: the labels are round numbers and the axis covers the data, not zero to the top.
    /// </summary>
    internal static (double Min, double Max, double Step) Ticks(double low, double high)
    {
        if (high - low < 1e-9) { low -= 0.5; high += 0.5; }
        double raw = (high - low) / 5, power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double mantissa = raw / power;
        double step = power * (mantissa < 1.5 ? 1 : mantissa < 3.5 ? 2 : mantissa < 7.5 ? 5 : 10);
        return (Math.Floor(low / step) * step, Math.Ceiling(high / step) * step, step);
    }

    static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
