using System;
using System.Collections.Generic;

namespace NetGen.Tests.Sequences;

/// <summary>One layer of the sequence reference.</summary>
public abstract record RefLayer;

/// <summary>A lookup table W [vocabulary, dimension]: the first layer, over token ids.</summary>
public sealed record RefEmbedding(int Vocabulary, int Dimension) : RefLayer;

/// <summary>h_t = f(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh); every step's h, or the last one's.</summary>
public sealed record RefSimpleRnn(int Units, Activation Activation = Activation.Tanh, bool Sequences = false) : RefLayer;

/// <summary>PyTorch's LSTM: gates i, f, g, o; c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t); every step's h, or the last one's.</summary>
public sealed record RefLstm(int Units, bool Sequences = false) : RefLayer;

/// <summary>y = f(W·x + b), at every step of a sequence (time-distributed) or once on a vector.</summary>
public sealed record RefDense(int Units, Activation Activation = Activation.Identity, double Alpha = 0, bool Bias = true) : RefLayer;

/// <summary>
/// An independent double-precision sequence network written straight from the equations (no code shared with NetGen's
/// kernels or generator), reading its weights from a network's flat buffer in PyTorch's layouts: Embedding W [V, D];
/// SimpleRNN and LSTM W_ih, W_hh, b_ih, b_hh (gate rows i, f, g, o); Dense W [out, in] then b. Activations are kept
/// per sample as rows: one row per step for a sequence, a single row for a vector. The loss is the mean over every
/// output row of the batch (batch × steps for a sequence output), as NetGen's losses are.
/// </summary>
public sealed class SequenceReference
{
    private readonly int _steps, _features;
    private readonly Loss _loss;
    private readonly RefLayer[] _layers;

    /// <param name="features">Floats per step; 0 when the input is token ids (the first layer is then an Embedding).</param>
    public SequenceReference(int steps, int features, Loss loss, params RefLayer[] layers)
    {
        _steps = steps;
        _features = features;
        _loss = loss;
        _layers = layers;
        if ((features == 0) != (layers[0] is RefEmbedding)) throw new ArgumentException("Token ids go with a first Embedding layer.");
    }

    public int InputSize => _steps * Math.Max(1, _features);
    public int Steps => _steps;
    /// <summary>Floats per step; 0 for token ids.</summary>
    public int Features => _features;
    public Loss Loss => _loss;
    public System.Collections.Generic.IReadOnlyList<RefLayer> Layers => _layers;

    /// <summary>Parameter count, and each layer's offset and output (rows per sample, width).</summary>
    public int ParameterCount => Plan().Count;

    (int Count, int[] Offsets, (int Rows, int Width)[] Shapes) Plan()
    {
        var offsets = new int[_layers.Length];
        var shapes = new (int Rows, int Width)[_layers.Length];
        int count = 0, rows = _steps, width = _features;
        for (int l = 0; l < _layers.Length; l++)
        {
            offsets[l] = count;
            switch (_layers[l])
            {
                case RefEmbedding e: count += e.Vocabulary * e.Dimension; width = e.Dimension; break;
                case RefSimpleRnn r: count += r.Units * (width + r.Units + 2); width = r.Units; rows = r.Sequences ? _steps : 1; break;
                case RefLstm r: count += 4 * r.Units * (width + r.Units + 2); width = r.Units; rows = r.Sequences ? _steps : 1; break;
                case RefDense d: count += d.Units * width + (d.Bias ? d.Units : 0); width = d.Units; break;
            }
            shapes[l] = (rows, width);
        }
        return (count, offsets, shapes);
    }

    /// <summary>Floats per output sample: rows × width of the last layer.</summary>
    public int OutputSize { get { var s = Plan().Shapes[^1]; return s.Rows * s.Width; } }

    /// <summary>Inference outputs, batch × OutputSize (softmax and sigmoid applied).</summary>
    public double[] Outputs(double[] parameters, float[] inputs, int batch)
    {
        var result = new double[batch * OutputSize];
        for (int n = 0; n < batch; n++)
        {
            var y = Forward(parameters, inputs, n, out _)[^1];
            for (int r = 0; r < y.Length; r++) Array.Copy(y[r], 0, result, n * OutputSize + r * y[r].Length, y[r].Length);
        }
        return result;
    }

    /// <summary>Mean loss over every output row of the batch, and its gradient with respect to every parameter.</summary>
    public (double Loss, double[] Gradient) LossAndGradient(double[] parameters, float[] inputs, float[] targets, int batch)
    {
        var (count, offsets, shapes) = Plan();
        if (parameters.Length != count) throw new ArgumentException($"The reference has {count} parameters, not {parameters.Length}.");
        var gradient = new double[count];
        var (outRows, outWidth) = shapes[^1];
        int totalRows = batch * outRows;
        double total = 0;
        for (int n = 0; n < batch; n++)
        {
            var activations = Forward(parameters, inputs, n, out var caches);
            var y = activations[^1];
            var dy = NewRows(outRows, outWidth);
            for (int r = 0; r < outRows; r++)
                for (int k = 0; k < outWidth; k++)
                {
                    double yk = y[r][k], t = targets[(n * outRows + r) * outWidth + k];
                    switch (_loss)
                    {
                        case Loss.MeanSquaredError: total += 0.5 * (yk - t) * (yk - t); dy[r][k] = (yk - t) / totalRows; break;
                        case Loss.CrossEntropy: total -= t * Math.Log(yk); dy[r][k] = -t / yk / totalRows; break;
                        default: total -= t * Math.Log(yk) + (1 - t) * Math.Log(1 - yk); dy[r][k] = (-t / yk + (1 - t) / (1 - yk)) / totalRows; break;
                    }
                }
            for (int l = _layers.Length - 1; l >= 0; l--)
                dy = Backward(l, parameters, offsets[l], activations[l], caches[l], dy, gradient);
        }
        return (total / totalRows, gradient);
    }

    /// <summary>Central differences on the reference itself, in double, to make sure the reference is right.</summary>
    public double[] NumericalGradient(double[] parameters, float[] inputs, float[] targets, int batch, double h = 1e-6)
    {
        var result = new double[parameters.Length];
        var p = (double[])parameters.Clone();
        for (int i = 0; i < p.Length; i++)
        {
            double keep = p[i];
            p[i] = keep + h; double plus = LossAndGradient(p, inputs, targets, batch).Loss;
            p[i] = keep - h; double minus = LossAndGradient(p, inputs, targets, batch).Loss;
            p[i] = keep;
            result[i] = (plus - minus) / (2 * h);
        }
        return result;
    }

    // Forward of sample n: activations[0] is the input (one-column rows of ids before an Embedding), activations[l + 1]
    // the output of layer l; caches[l] what layer l's backward reads (pre-activations, gates, cells).
    List<double[][]> Forward(double[] p, float[] inputs, int n, out List<object?> caches)
    {
        var (_, offsets, _) = Plan();
        int width = Math.Max(1, _features);
        var x = NewRows(_steps, width);
        for (int t = 0; t < _steps; t++)
            for (int k = 0; k < width; k++) x[t][k] = inputs[(n * _steps + t) * width + k];
        var activations = new List<double[][]> { x };
        caches = new List<object?>();
        for (int l = 0; l < _layers.Length; l++)
        {
            int o = offsets[l];
            double[][] y;
            object? cache = null;
            switch (_layers[l])
            {
                case RefEmbedding e:
                    y = NewRows(_steps, e.Dimension);
                    for (int t = 0; t < _steps; t++)
                    {
                        int id = (int)x[t][0];
                        for (int d = 0; d < e.Dimension; d++) y[t][d] = p[o + id * e.Dimension + d];
                    }
                    break;
                case RefSimpleRnn r:
                {
                    int inputs_ = x[0].Length, H = r.Units, wHh = o + H * inputs_, bIh = wHh + H * H, bHh = bIh + H;
                    var pre = NewRows(x.Length, H);
                    var hs = NewRows(x.Length, H);
                    var h = new double[H];
                    for (int t = 0; t < x.Length; t++)
                    {
                        for (int j = 0; j < H; j++)
                        {
                            double s = p[bIh + j] + p[bHh + j];
                            for (int k = 0; k < inputs_; k++) s += p[o + j * inputs_ + k] * x[t][k];
                            for (int k = 0; k < H; k++) s += p[wHh + j * H + k] * h[k];
                            pre[t][j] = s;
                        }
                        for (int j = 0; j < H; j++) hs[t][j] = Apply(r.Activation, pre[t][j], 0);
                        h = hs[t];
                    }
                    cache = (pre, hs);
                    y = r.Sequences ? hs : [hs[^1]];
                    break;
                }
                case RefLstm r:
                {
                    int inputs_ = x[0].Length, H = r.Units, wHh = o + 4 * H * inputs_, bIh = wHh + 4 * H * H, bHh = bIh + 4 * H;
                    var gates = NewRows(x.Length, 4 * H); // i, f, g, o after their nonlinearities
                    var cs = NewRows(x.Length, H);
                    var hs = NewRows(x.Length, H);
                    var h = new double[H];
                    var c = new double[H];
                    for (int t = 0; t < x.Length; t++)
                    {
                        for (int q = 0; q < 4 * H; q++)
                        {
                            double s = p[bIh + q] + p[bHh + q];
                            for (int k = 0; k < inputs_; k++) s += p[o + q * inputs_ + k] * x[t][k];
                            for (int k = 0; k < H; k++) s += p[wHh + q * H + k] * h[k];
                            gates[t][q] = q >= 2 * H && q < 3 * H ? Math.Tanh(s) : Sigmoid(s);
                        }
                        for (int j = 0; j < H; j++)
                        {
                            cs[t][j] = gates[t][H + j] * c[j] + gates[t][j] * gates[t][2 * H + j];
                            hs[t][j] = gates[t][3 * H + j] * Math.Tanh(cs[t][j]);
                        }
                        h = hs[t];
                        c = cs[t];
                    }
                    cache = (gates, cs, hs);
                    y = r.Sequences ? hs : [hs[^1]];
                    break;
                }
                case RefDense d:
                {
                    int inputs_ = x[0].Length;
                    var z = NewRows(x.Length, d.Units);
                    y = NewRows(x.Length, d.Units);
                    for (int t = 0; t < x.Length; t++)
                    {
                        for (int j = 0; j < d.Units; j++)
                        {
                            double s = d.Bias ? p[o + d.Units * inputs_ + j] : 0;
                            for (int k = 0; k < inputs_; k++) s += p[o + j * inputs_ + k] * x[t][k];
                            z[t][j] = s;
                        }
                        if (d.Activation == Activation.Softmax)
                        {
                            double max = double.NegativeInfinity, sum = 0;
                            foreach (var v in z[t]) max = Math.Max(max, v);
                            for (int j = 0; j < d.Units; j++) { y[t][j] = Math.Exp(z[t][j] - max); sum += y[t][j]; }
                            for (int j = 0; j < d.Units; j++) y[t][j] /= sum;
                        }
                        else for (int j = 0; j < d.Units; j++) y[t][j] = Apply(d.Activation, z[t][j], d.Alpha);
                    }
                    cache = z;
                    break;
                }
                default: throw new NotSupportedException();
            }
            caches.Add(cache);
            activations.Add(y);
            x = y;
        }
        return activations;
    }

    // Backward of layer l for one sample: adds its parameter gradients, returns the gradient at its input.
    double[][] Backward(int l, double[] p, int o, double[][] x, object? cache, double[][] dy, double[] gradient)
    {
        switch (_layers[l])
        {
            case RefEmbedding e:
                // Scatter-add: a repeated id sums the gradients of its steps.
                for (int t = 0; t < _steps; t++)
                {
                    int id = (int)x[t][0];
                    for (int d = 0; d < e.Dimension; d++) gradient[o + id * e.Dimension + d] += dy[t][d];
                }
                return NewRows(_steps, 1);
            case RefSimpleRnn r:
            {
                var (pre, hs) = ((double[][], double[][]))cache!;
                int T = x.Length, inputs_ = x[0].Length, H = r.Units, wHh = o + H * inputs_, bIh = wHh + H * H, bHh = bIh + H;
                var dx = NewRows(T, inputs_);
                var carried = new double[H]; // dL/dh_t arriving from step t + 1
                for (int t = T - 1; t >= 0; t--)
                {
                    var da = new double[H];
                    for (int j = 0; j < H; j++)
                    {
                        double dh = carried[j] + (r.Sequences ? dy[t][j] : t == T - 1 ? dy[0][j] : 0);
                        da[j] = dh * Derivative(r.Activation, pre[t][j], 0);
                    }
                    carried = new double[H];
                    for (int j = 0; j < H; j++)
                    {
                        for (int k = 0; k < inputs_; k++) { gradient[o + j * inputs_ + k] += da[j] * x[t][k]; dx[t][k] += da[j] * p[o + j * inputs_ + k]; }
                        for (int k = 0; k < H; k++)
                        {
                            double hPrev = t > 0 ? hs[t - 1][k] : 0;
                            gradient[wHh + j * H + k] += da[j] * hPrev;
                            carried[k] += da[j] * p[wHh + j * H + k];
                        }
                        gradient[bIh + j] += da[j];
                        gradient[bHh + j] += da[j];
                    }
                }
                return dx;
            }
            case RefLstm r:
            {
                var (gates, cs, hs) = ((double[][], double[][], double[][]))cache!;
                int T = x.Length, inputs_ = x[0].Length, H = r.Units, wHh = o + 4 * H * inputs_, bIh = wHh + 4 * H * H, bHh = bIh + 4 * H;
                var dx = NewRows(T, inputs_);
                var dhCarried = new double[H];
                var dcCarried = new double[H];
                for (int t = T - 1; t >= 0; t--)
                {
                    var da = new double[4 * H]; // gradient at the gates' pre-activations
                    var dcPrev = new double[H];
                    for (int j = 0; j < H; j++)
                    {
                        double i = gates[t][j], f = gates[t][H + j], g = gates[t][2 * H + j], og = gates[t][3 * H + j];
                        double cPrev = t > 0 ? cs[t - 1][j] : 0, tc = Math.Tanh(cs[t][j]);
                        double dh = dhCarried[j] + (r.Sequences ? dy[t][j] : t == T - 1 ? dy[0][j] : 0);
                        double dc = dcCarried[j] + dh * og * (1 - tc * tc);
                        da[j] = dc * g * i * (1 - i);
                        da[H + j] = dc * cPrev * f * (1 - f);
                        da[2 * H + j] = dc * i * (1 - g * g);
                        da[3 * H + j] = dh * tc * og * (1 - og);
                        dcPrev[j] = dc * f;
                    }
                    dcCarried = dcPrev;
                    dhCarried = new double[H];
                    for (int q = 0; q < 4 * H; q++)
                    {
                        for (int k = 0; k < inputs_; k++) { gradient[o + q * inputs_ + k] += da[q] * x[t][k]; dx[t][k] += da[q] * p[o + q * inputs_ + k]; }
                        for (int k = 0; k < H; k++)
                        {
                            double hPrev = t > 0 ? hs[t - 1][k] : 0;
                            gradient[wHh + q * H + k] += da[q] * hPrev;
                            dhCarried[k] += da[q] * p[wHh + q * H + k];
                        }
                        gradient[bIh + q] += da[q];
                        gradient[bHh + q] += da[q];
                    }
                }
                return dx;
            }
            case RefDense d:
            {
                var z = (double[][])cache!;
                int inputs_ = x[0].Length;
                var dx = NewRows(x.Length, inputs_);
                for (int t = 0; t < x.Length; t++)
                {
                    var dz = new double[d.Units];
                    if (d.Activation == Activation.Softmax)
                    {
                        var a = new double[d.Units];
                        double max = double.NegativeInfinity, sum = 0, dot = 0;
                        foreach (var v in z[t]) max = Math.Max(max, v);
                        for (int j = 0; j < d.Units; j++) { a[j] = Math.Exp(z[t][j] - max); sum += a[j]; }
                        for (int j = 0; j < d.Units; j++) { a[j] /= sum; dot += dy[t][j] * a[j]; }
                        for (int j = 0; j < d.Units; j++) dz[j] = a[j] * (dy[t][j] - dot);
                    }
                    else for (int j = 0; j < d.Units; j++) dz[j] = dy[t][j] * Derivative(d.Activation, z[t][j], d.Alpha);
                    for (int j = 0; j < d.Units; j++)
                    {
                        for (int k = 0; k < inputs_; k++)
                        {
                            gradient[o + j * inputs_ + k] += dz[j] * x[t][k];
                            dx[t][k] += dz[j] * p[o + j * inputs_ + k];
                        }
                        if (d.Bias) gradient[o + d.Units * inputs_ + j] += dz[j];
                    }
                }
                return dx;
            }
            default: throw new NotSupportedException();
        }
    }

    static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    static double Apply(Activation a, double x, double alpha) => a switch
    {
        Activation.Sigmoid => Sigmoid(x),
        Activation.Tanh => Math.Tanh(x),
        Activation.ReLU => Math.Max(0, x),
        Activation.LeakyReLU => x > 0 ? x : alpha * x,
        Activation.ELU => x > 0 ? x : alpha * (Math.Exp(x) - 1),
        _ => x,
    };

    static double Derivative(Activation a, double x, double alpha) => a switch
    {
        Activation.Sigmoid => Sigmoid(x) * (1 - Sigmoid(x)),
        Activation.Tanh => 1 - Math.Tanh(x) * Math.Tanh(x),
        Activation.ReLU => x > 0 ? 1 : 0,
        Activation.LeakyReLU => x > 0 ? 1 : alpha,
        Activation.ELU => x > 0 ? 1 : alpha * Math.Exp(x),
        _ => 1,
    };

    static double[][] NewRows(int rows, int width)
    {
        var result = new double[rows][];
        for (int r = 0; r < rows; r++) result[r] = new double[width];
        return result;
    }
}
