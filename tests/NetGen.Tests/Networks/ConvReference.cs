using System;
using System.Collections.Generic;

namespace NetGen.Tests.Networks;

/// <summary>One layer of <see cref="ConvReference"/>.</summary>
public abstract record RefLayer;

/// <summary>Conv2D: W[outC, inC, kH, kW] then b[outC], zero padding padH/padW, floor semantics.</summary>
public sealed record RefConv(int Filters, int KernelHeight, int KernelWidth, int Stride, int PadHeight, int PadWidth, Activation Activation,
    double Alpha = 0, bool Bias = true) : RefLayer;

/// <summary>Max or average pooling, no padding, floor semantics.</summary>
public sealed record RefPool(bool Max, int Size, int Stride) : RefLayer;

/// <summary>Dense on the flattened C×H×W input: W[out, in] then b[out].</summary>
public sealed record RefFc(int Units, Activation Activation, double Alpha = 0, bool Bias = true) : RefLayer;

/// <summary>
/// An independent double-precision reference for convolutional networks, written as direct loops from the
/// definitions (no im2col, no code shared with NetGen's kernels), reading weights from the flat buffer in the
/// PyTorch layout.
/// </summary>
public sealed class ConvReference
{
    private readonly (int C, int H, int W) _input;
    private readonly Loss _loss;
    private readonly RefLayer[] _layers;
    private readonly (int C, int H, int W)[] _inShapes, _outShapes;
    private readonly int[] _offsets;

    public ConvReference((int C, int H, int W) input, Loss loss, params RefLayer[] layers)
    {
        _input = input;
        _loss = loss;
        _layers = layers;
        _inShapes = new (int, int, int)[layers.Length];
        _outShapes = new (int, int, int)[layers.Length];
        _offsets = new int[layers.Length];
        var shape = input;
        int offset = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            _inShapes[l] = shape;
            _offsets[l] = offset;
            switch (layers[l])
            {
                case RefConv c:
                    shape = (c.Filters, (shape.H + 2 * c.PadHeight - c.KernelHeight) / c.Stride + 1, (shape.W + 2 * c.PadWidth - c.KernelWidth) / c.Stride + 1);
                    offset += c.Filters * _inShapes[l].C * c.KernelHeight * c.KernelWidth + (c.Bias ? c.Filters : 0);
                    break;
                case RefPool p:
                    shape = (shape.C, (shape.H - p.Size) / p.Stride + 1, (shape.W - p.Size) / p.Stride + 1);
                    break;
                case RefFc f:
                    offset += f.Units * Size(shape) + (f.Bias ? f.Units : 0);
                    shape = (f.Units, 1, 1);
                    break;
            }
            _outShapes[l] = shape;
        }
        ParameterCount = offset;
    }

    public int ParameterCount { get; }
    public int InputSize => Size(_input);
    public int OutputSize => Size(_outShapes[^1]);

    static int Size((int C, int H, int W) s) => s.C * s.H * s.W;

    static double Apply(Activation a, double x, double alpha) => a switch
    {
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Activation.Tanh => Math.Tanh(x),
        Activation.ReLU => Math.Max(0, x),
        Activation.LeakyReLU => x > 0 ? x : alpha * x,
        Activation.ELU => x > 0 ? x : alpha * (Math.Exp(x) - 1),
        _ => x,
    };

    static double Derivative(Activation a, double x, double alpha) => a switch
    {
        Activation.Sigmoid => Apply(a, x, alpha) * (1 - Apply(a, x, alpha)),
        Activation.Tanh => 1 - Math.Tanh(x) * Math.Tanh(x),
        Activation.ReLU => x > 0 ? 1 : 0,
        Activation.LeakyReLU => x > 0 ? 1 : alpha,
        Activation.ELU => x > 0 ? 1 : alpha * Math.Exp(x),
        _ => 1,
    };

    /// <summary>Mean loss over the batch, and its gradient with respect to every parameter.</summary>
    public (double Loss, double[] Gradient) LossAndGradient(double[] p, float[] inputs, float[] targets, int batch)
    {
        var gradient = new double[p.Length];
        double total = 0;
        int outputs = OutputSize;
        for (int n = 0; n < batch; n++)
        {
            var xs = new List<double[]>();
            var zs = new List<double[]>();
            var x = new double[InputSize];
            for (int i = 0; i < x.Length; i++) x[i] = inputs[n * InputSize + i];
            for (int l = 0; l < _layers.Length; l++)
            {
                xs.Add(x);
                var z = Affine(l, x, p);
                zs.Add(z);
                x = Activate(l, z);
            }

            var y = x;
            var dy = new double[outputs];
            for (int k = 0; k < outputs; k++)
            {
                double t = targets[n * outputs + k];
                switch (_loss)
                {
                    case Loss.MeanSquaredError: total += 0.5 * (y[k] - t) * (y[k] - t); dy[k] = y[k] - t; break;
                    case Loss.CrossEntropy: total += -t * Math.Log(y[k]); dy[k] = -t / y[k]; break;
                    default: total += -(t * Math.Log(y[k]) + (1 - t) * Math.Log(1 - y[k])); dy[k] = -(t / y[k]) + (1 - t) / (1 - y[k]); break;
                }
            }

            for (int l = _layers.Length - 1; l >= 0; l--)
                dy = Backward(l, xs[l], zs[l], Activate(l, zs[l]), dy, p, gradient, batch);
        }
        return (total / batch, gradient);
    }

    /// <summary>The layer's pre-activation: the affine map for conv and dense, the pooled values for pooling.</summary>
    double[] Affine(int l, double[] x, double[] p)
    {
        var (C, H, W) = _inShapes[l];
        var (OC, OH, OW) = _outShapes[l];
        var z = new double[OC * OH * OW];
        int o = _offsets[l];
        switch (_layers[l])
        {
            case RefConv c:
                for (int f = 0; f < OC; f++)
                    for (int i = 0; i < OH; i++)
                        for (int j = 0; j < OW; j++)
                        {
                            double sum = c.Bias ? p[o + OC * C * c.KernelHeight * c.KernelWidth + f] : 0;
                            for (int ch = 0; ch < C; ch++)
                                for (int u = 0; u < c.KernelHeight; u++)
                                    for (int v = 0; v < c.KernelWidth; v++)
                                    {
                                        int iy = i * c.Stride + u - c.PadHeight, ix = j * c.Stride + v - c.PadWidth;
                                        if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                        sum += p[o + ((f * C + ch) * c.KernelHeight + u) * c.KernelWidth + v] * x[(ch * H + iy) * W + ix];
                                    }
                            z[(f * OH + i) * OW + j] = sum;
                        }
                break;
            case RefPool pool:
                for (int ch = 0; ch < C; ch++)
                    for (int i = 0; i < OH; i++)
                        for (int j = 0; j < OW; j++)
                        {
                            double acc = pool.Max ? double.NegativeInfinity : 0;
                            for (int u = 0; u < pool.Size; u++)
                                for (int v = 0; v < pool.Size; v++)
                                {
                                    double value = x[(ch * H + i * pool.Stride + u) * W + j * pool.Stride + v];
                                    acc = pool.Max ? Math.Max(acc, value) : acc + value;
                                }
                            z[(ch * OH + i) * OW + j] = pool.Max ? acc : acc / (pool.Size * pool.Size);
                        }
                break;
            case RefFc fc:
                for (int j = 0; j < fc.Units; j++)
                {
                    double sum = fc.Bias ? p[o + fc.Units * x.Length + j] : 0;
                    for (int i = 0; i < x.Length; i++) sum += p[o + j * x.Length + i] * x[i];
                    z[j] = sum;
                }
                break;
        }
        return z;
    }

    double[] Activate(int l, double[] z)
    {
        var (activation, alpha) = _layers[l] switch { RefConv c => (c.Activation, c.Alpha), RefFc f => (f.Activation, f.Alpha), _ => (Activation.Identity, 0.0) };
        var a = new double[z.Length];
        if (activation == Activation.Softmax)
        {
            double max = double.NegativeInfinity, s = 0;
            foreach (var v in z) max = Math.Max(max, v);
            for (int j = 0; j < z.Length; j++) { a[j] = Math.Exp(z[j] - max); s += a[j]; }
            for (int j = 0; j < z.Length; j++) a[j] /= s;
        }
        else for (int j = 0; j < z.Length; j++) a[j] = Apply(activation, z[j], alpha);
        return a;
    }

    /// <summary>dL/dx from dL/da, adding this sample's share of dL/dW and dL/db into <paramref name="gradient"/>.</summary>
    double[] Backward(int l, double[] x, double[] z, double[] a, double[] dy, double[] p, double[] gradient, int batch)
    {
        var (C, H, W) = _inShapes[l];
        var (OC, OH, OW) = _outShapes[l];
        int o = _offsets[l];
        var dx = new double[x.Length];
        var (activation, alpha) = _layers[l] switch { RefConv c => (c.Activation, c.Alpha), RefFc f => (f.Activation, f.Alpha), _ => (Activation.Identity, 0.0) };
        var dz = new double[z.Length];
        if (activation == Activation.Softmax)
        {
            double dot = 0;
            for (int k = 0; k < z.Length; k++) dot += dy[k] * a[k];
            for (int k = 0; k < z.Length; k++) dz[k] = a[k] * (dy[k] - dot);
        }
        else for (int k = 0; k < z.Length; k++) dz[k] = dy[k] * Derivative(activation, z[k], alpha);

        switch (_layers[l])
        {
            case RefConv c:
                int weights = OC * C * c.KernelHeight * c.KernelWidth;
                for (int f = 0; f < OC; f++)
                    for (int i = 0; i < OH; i++)
                        for (int j = 0; j < OW; j++)
                        {
                            double g = dz[(f * OH + i) * OW + j];
                            if (c.Bias) gradient[o + weights + f] += g / batch;
                            for (int ch = 0; ch < C; ch++)
                                for (int u = 0; u < c.KernelHeight; u++)
                                    for (int v = 0; v < c.KernelWidth; v++)
                                    {
                                        int iy = i * c.Stride + u - c.PadHeight, ix = j * c.Stride + v - c.PadWidth;
                                        if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                        int w = o + ((f * C + ch) * c.KernelHeight + u) * c.KernelWidth + v, xi = (ch * H + iy) * W + ix;
                                        gradient[w] += g * x[xi] / batch;
                                        dx[xi] += g * p[w];
                                    }
                        }
                break;
            case RefPool pool:
                for (int ch = 0; ch < C; ch++)
                    for (int i = 0; i < OH; i++)
                        for (int j = 0; j < OW; j++)
                        {
                            double g = dz[(ch * OH + i) * OW + j];
                            int best = -1;
                            double max = double.NegativeInfinity;
                            for (int u = 0; u < pool.Size; u++)
                                for (int v = 0; v < pool.Size; v++)
                                {
                                    int xi = (ch * H + i * pool.Stride + u) * W + j * pool.Stride + v;
                                    if (pool.Max) { if (x[xi] > max) { max = x[xi]; best = xi; } }
                                    else dx[xi] += g / (pool.Size * pool.Size);
                                }
                            if (pool.Max) dx[best] += g;
                        }
                break;
            case RefFc fc:
                for (int j = 0; j < fc.Units; j++)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        gradient[o + j * x.Length + i] += dz[j] * x[i] / batch;
                        dx[i] += dz[j] * p[o + j * x.Length + i];
                    }
                    if (fc.Bias) gradient[o + fc.Units * x.Length + j] += dz[j] / batch;
                }
                break;
        }
        return dx;
    }

    /// <summary>Central differences on the reference itself, in double, at every <paramref name="every"/>-th parameter (others NaN).</summary>
    public double[] NumericalGradient(double[] parameters, float[] inputs, float[] targets, int batch, int every = 1, double h = 1e-6)
    {
        var result = new double[parameters.Length];
        Array.Fill(result, double.NaN);
        var p = (double[])parameters.Clone();
        for (int i = 0; i < p.Length; i += every)
        {
            double keep = p[i];
            p[i] = keep + h; double plus = LossAndGradient(p, inputs, targets, batch).Loss;
            p[i] = keep - h; double minus = LossAndGradient(p, inputs, targets, batch).Loss;
            p[i] = keep;
            result[i] = (plus - minus) / (2 * h);
        }
        return result;
    }
}
