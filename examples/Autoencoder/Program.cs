using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NetGen;

// The course's 4-6-4-2-4-6-4 autoencoder against PCA. The course used the banknote data set, which no Debian package
// ships; Iris (Fisher, 1936; public domain) is the nearest real 4-feature set on this machine, in the copy scikit-learn
// ships. Both methods see the same standardized features and squeeze them through 2 numbers per flower.
int seed = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10000;
string svgPath = args.Length > 2 ? args[2] : "iris-codes.svg";

var (features, species) = Iris.Load(Path.Combine(AppContext.BaseDirectory, "iris.csv"));
int n = species.Length;
Iris.Standardize(features, n);

// PCA: the top two eigenvectors of the covariance; reconstruction projects back from the two scores.
var (pcaCodes, pcaReconstruction) = Pca.TwoComponents(features, n);
double pcaError = Iris.MeanSquaredError(features, pcaReconstruction);

// The autoencoder: trained to reproduce its input; its 2-unit "code" layer is the embedding, read with PredictLayer.
var net = new IrisAutoencoder(seed);
var adam = new Adam(0.01f);
for (int epoch = 1; epoch <= epochs; epoch++)
{
    float loss = net.TrainBatch(features, features, n); // full batch: 150 flowers
    adam.Step(net);
    if (epoch % 500 == 0) Console.WriteLine($"epoch {epoch,5}: loss {loss:F5} (½Σ per flower)");
}
var reconstruction = new float[features.Length];
net.Predict(features, reconstruction, n);
double aeError = Iris.MeanSquaredError(features, reconstruction);
var aeCodes = new float[2 * n];
net.PredictLayer("code", features, aeCodes, n);

Console.WriteLine();
Console.WriteLine(net.Summary());
Console.WriteLine($"Reconstruction error, mean squared per feature (standardized units), 150 Iris flowers, 2 numbers each:");
Console.WriteLine($"  PCA, 2 components            {pcaError:F4}");
Console.WriteLine($"  autoencoder 4-6-4-2-4-6-4    {aeError:F4}   (seed {seed}, {epochs} full-batch Adam steps)");
File.WriteAllText(svgPath, Plot.SideBySide(pcaCodes, aeCodes, species, $"PCA (error {pcaError:F3})", $"Autoencoder (error {aeError:F3})"));
Console.WriteLine($"2-D codes written to {Path.GetFullPath(svgPath)}");
return 0;

static class Iris
{
    public static readonly string[] Names = { "setosa", "versicolor", "virginica" };

    public static (float[] Features, int[] Species) Load(string path)
    {
        string[] lines = File.ReadAllLines(path);
        int n = int.Parse(lines[0].Split(',')[0], CultureInfo.InvariantCulture);
        var features = new float[n * 4];
        var species = new int[n];
        for (int i = 0; i < n; i++)
        {
            string[] fields = lines[i + 1].Split(',');
            for (int j = 0; j < 4; j++) features[i * 4 + j] = float.Parse(fields[j], CultureInfo.InvariantCulture);
            species[i] = int.Parse(fields[4], CultureInfo.InvariantCulture);
        }
        return (features, species);
    }

    public static void Standardize(float[] x, int n)
    {
        for (int j = 0; j < 4; j++)
        {
            double mean = 0, sq = 0;
            for (int i = 0; i < n; i++) mean += x[i * 4 + j];
            mean /= n;
            for (int i = 0; i < n; i++) sq += (x[i * 4 + j] - mean) * (x[i * 4 + j] - mean);
            double std = Math.Sqrt(sq / n);
            for (int i = 0; i < n; i++) x[i * 4 + j] = (float)((x[i * 4 + j] - mean) / std);
        }
    }

    public static double MeanSquaredError(float[] a, float[] b) => a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Average();
}

static class Pca
{
    /// <summary>Scores on, and reconstruction from, the two leading principal axes (Jacobi eigenvalues of the 4×4 covariance).</summary>
    public static (float[] Codes, float[] Reconstruction) TwoComponents(float[] x, int n)
    {
        var c = new double[4, 4];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < 4; p++)
                for (int q = 0; q < 4; q++) c[p, q] += x[i * 4 + p] * x[i * 4 + q] / n;
        var v = new double[4, 4];
        for (int p = 0; p < 4; p++) v[p, p] = 1;
        for (int sweep = 0; sweep < 50; sweep++)
            for (int p = 0; p < 3; p++)
                for (int q = p + 1; q < 4; q++)
                {
                    if (Math.Abs(c[p, q]) < 1e-15) continue;
                    double theta = 0.5 * Math.Atan2(2 * c[p, q], c[q, q] - c[p, p]);
                    double cs = Math.Cos(theta), sn = Math.Sin(theta);
                    for (int k = 0; k < 4; k++) // C ← C·J, then Jᵀ·C; V ← V·J
                    {
                        double a = c[k, p], b = c[k, q];
                        c[k, p] = cs * a - sn * b; c[k, q] = sn * a + cs * b;
                    }
                    for (int k = 0; k < 4; k++)
                    {
                        double a = c[p, k], b = c[q, k];
                        c[p, k] = cs * a - sn * b; c[q, k] = sn * a + cs * b;
                    }
                    for (int k = 0; k < 4; k++)
                    {
                        double a = v[k, p], b = v[k, q];
                        v[k, p] = cs * a - sn * b; v[k, q] = sn * a + cs * b;
                    }
                }
        int[] order = Enumerable.Range(0, 4).OrderByDescending(k => c[k, k]).ToArray();
        var codes = new float[2 * n];
        var reconstruction = new float[4 * n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 2; k++)
            {
                double score = 0;
                for (int j = 0; j < 4; j++) score += x[i * 4 + j] * v[j, order[k]];
                codes[i * 2 + k] = (float)score;
                for (int j = 0; j < 4; j++) reconstruction[i * 4 + j] += (float)(score * v[j, order[k]]);
            }
        return (codes, reconstruction);
    }
}

static class Plot
{
    static readonly string[] Colors = { "#1b9e77", "#d95f02", "#7570b3" };

    public static string SideBySide(float[] left, float[] right, int[] species, string leftTitle, string rightTitle)
    {
        var svg = new StringBuilder();
        svg.AppendLine("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"860\" height=\"460\" font-family=\"sans-serif\" font-size=\"13\">");
        svg.AppendLine("<rect width=\"860\" height=\"460\" fill=\"white\"/>");
        Panel(svg, left, species, leftTitle, 20);
        Panel(svg, right, species, rightTitle, 450);
        for (int s = 0; s < 3; s++)
            svg.AppendLine(Invariant($"<circle cx=\"{330 + 110 * s}\" cy=\"445\" r=\"5\" fill=\"{Colors[s]}\"/><text x=\"{340 + 110 * s}\" y=\"449\">{Iris.Names[s]}</text>"));
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    static void Panel(StringBuilder svg, float[] codes, int[] species, string title, double left)
    {
        const double size = 380, top = 40;
        float minX = Enumerable.Range(0, species.Length).Min(i => codes[2 * i]), maxX = Enumerable.Range(0, species.Length).Max(i => codes[2 * i]);
        float minY = Enumerable.Range(0, species.Length).Min(i => codes[2 * i + 1]), maxY = Enumerable.Range(0, species.Length).Max(i => codes[2 * i + 1]);
        svg.AppendLine(Invariant($"<text x=\"{left + size / 2}\" y=\"25\" text-anchor=\"middle\" font-weight=\"bold\">{title}</text>"));
        svg.AppendLine(Invariant($"<rect x=\"{left}\" y=\"{top}\" width=\"{size}\" height=\"{size}\" fill=\"none\" stroke=\"#999\"/>"));
        for (int i = 0; i < species.Length; i++)
        {
            double x = left + 10 + (size - 20) * (codes[2 * i] - minX) / Math.Max(1e-9, maxX - minX);
            double y = top + size - 10 - (size - 20) * (codes[2 * i + 1] - minY) / Math.Max(1e-9, maxY - minY);
            svg.AppendLine(Invariant($"<circle cx=\"{x:F1}\" cy=\"{y:F1}\" r=\"3.5\" fill=\"{Colors[species[i]]}\" fill-opacity=\"0.8\"/>"));
        }
    }

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
