using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NetGen.Training;

namespace FashionMnist;

/// <summary>A dependency-free SVG of the training curves: loss on the left panel, accuracy on the right.</summary>
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
        Panel(svg, Margin, Margin + 10, "loss", x,
            ("training", "#1f77b4", epochs.Select(e => e.TrainingLoss).ToArray()),
            ("validation", "#ff7f0e", epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray()));
        Panel(svg, 2 * Margin + PanelWidth, Margin + 10, "validation accuracy", x,
            ("validation", "#2ca02c", epochs.Select(e => e.ValidationAccuracy ?? double.NaN).ToArray()));
        svg.Append("</svg>\n");

        // Write beside the target, then move: a crash never leaves half a file.
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, svg.ToString());
        File.Move(temporary, path, overwrite: true);
    }

    static void Panel(StringBuilder svg, int left, int top, string label, double[] x, params (string Name, string Color, double[] Y)[] series)
    {
        var all = series.SelectMany(s => s.Y).Where(double.IsFinite).ToArray();
        if (all.Length == 0 || x.Length == 0) return;
        double yMin = all.Min(), yMax = all.Max();
        if (yMax - yMin < 1e-9) { yMin -= 0.5; yMax += 0.5; }
        double pad = 0.05 * (yMax - yMin);
        yMin -= pad; yMax += pad;
        double xMin = x.Min(), xMax = Math.Max(x.Max(), xMin + 1);
        string Px(double v) => (left + (v - xMin) / (xMax - xMin) * PanelWidth).ToString("F1", CultureInfo.InvariantCulture);
        string Py(double v) => (top + PanelHeight - (v - yMin) / (yMax - yMin) * PanelHeight).ToString("F1", CultureInfo.InvariantCulture);

        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{PanelWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#888\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + PanelWidth / 2}\" y=\"{top - 6}\" text-anchor=\"middle\">{Escape(label)}</text>\n");
        for (int t = 0; t <= 4; t++)
        {
            double v = yMin + (yMax - yMin) * t / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{Py(v)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{v:G3}</text>\n");
        }
        foreach (var xv in x)
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(xv)}\" y=\"{top + PanelHeight + 14}\" text-anchor=\"middle\">{xv:0}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + PanelWidth / 2}\" y=\"{top + PanelHeight + 30}\" text-anchor=\"middle\">epoch</text>\n");

        int legend = 0;
        foreach (var (name, color, y) in series)
        {
            var points = string.Join(" ", Enumerable.Range(0, x.Length).Where(i => double.IsFinite(y[i])).Select(i => $"{Px(x[i])},{Py(y[i])}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{points}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + PanelWidth - 8}\" y=\"{top + 16 + 16 * legend++}\" text-anchor=\"end\" fill=\"{color}\">{Escape(name)}</text>\n");
        }
    }

    static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
