using System;
using System.Collections.Generic;

namespace NetGen.Tests.Networks;

/// <summary>One dense layer of the reference: units, activation, its α, and whether it has a bias.</summary>
public sealed record RefDense(int Units, Activation Activation, double Alpha = 0, bool Bias = true);

/// <summary>
/// An independent double-precision MLP written straight from the formulas (no code shared with NetGen's kernels),
/// reading its weights from a network's flat buffer in the PyTorch layout: per layer W[out, in] then b[out].
/// </summary>
public sealed class ReferenceNetwork
{
    private readonly int _inputSize;
    private readonly Loss _loss;
    private readonly RefDense[] _layers;

    public ReferenceNetwork(int inputSize, Loss loss, params RefDense[] layers)
    {
        _inputSize = inputSize;
        _loss = loss;
        _layers = layers;
    }

    public int ParameterCount
    {
        get
        {
            int count = 0, fanIn = _inputSize;
            foreach (var l in _layers) { count += l.Units * fanIn + (l.Bias ? l.Units : 0); fanIn = l.Units; }
            return count;
        }
    }

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
    public (double Loss, double[] Gradient) LossAndGradient(double[] parameters, float[] inputs, float[] targets, int batch)
    {
        var gradient = new double[parameters.Length];
        double total = 0;
        int outputs = _layers[^1].Units;
        for (int n = 0; n < batch; n++)
        {
            // Forward, keeping pre-activations z and activations a of every layer.
            var zs = new List<double[]>();
            var activations = new List<double[]> { Slice(inputs, n * _inputSize, _inputSize) };
            int offset = 0;
            var offsets = new List<int>();
            for (int l = 0; l < _layers.Length; l++)
            {
                var layer = _layers[l];
                var x = activations[^1];
                var z = new double[layer.Units];
                offsets.Add(offset);
                for (int j = 0; j < layer.Units; j++)
                {
                    double sum = layer.Bias ? parameters[offset + layer.Units * x.Length + j] : 0;
                    for (int i = 0; i < x.Length; i++) sum += parameters[offset + j * x.Length + i] * x[i];
                    z[j] = sum;
                }
                offset += layer.Units * x.Length + (layer.Bias ? layer.Units : 0);
                var a = new double[layer.Units];
                if (layer.Activation == Activation.Softmax)
                {
                    double max = double.NegativeInfinity, s = 0;
                    foreach (var v in z) max = Math.Max(max, v);
                    for (int j = 0; j < z.Length; j++) { a[j] = Math.Exp(z[j] - max); s += a[j]; }
                    for (int j = 0; j < z.Length; j++) a[j] /= s;
                }
                else for (int j = 0; j < z.Length; j++) a[j] = Apply(layer.Activation, z[j], layer.Alpha);
                zs.Add(z);
                activations.Add(a);
            }

            // Loss and dL/dy for this sample.
            var y = activations[^1];
            var t = Slice(targets, n * outputs, outputs);
            var dy = new double[outputs];
            for (int k = 0; k < outputs; k++)
            {
                switch (_loss)
                {
                    case Loss.MeanSquaredError: total += 0.5 * (y[k] - t[k]) * (y[k] - t[k]); dy[k] = y[k] - t[k]; break;
                    case Loss.CrossEntropy: total += -t[k] * Math.Log(y[k]); dy[k] = -t[k] / y[k]; break;
                    default: total += -(t[k] * Math.Log(y[k]) + (1 - t[k]) * Math.Log(1 - y[k])); dy[k] = -(t[k] / y[k]) + (1 - t[k]) / (1 - y[k]); break;
                }
            }

            // Backward through each layer: dz = J_f(z)ᵀ dy, then dW, db and dx.
            for (int l = _layers.Length - 1; l >= 0; l--)
            {
                var layer = _layers[l];
                var z = zs[l];
                var a = activations[l + 1];
                var x = activations[l];
                var dz = new double[z.Length];
                if (layer.Activation == Activation.Softmax)
                {
                    double dot = 0;
                    for (int k = 0; k < z.Length; k++) dot += dy[k] * a[k];
                    for (int k = 0; k < z.Length; k++) dz[k] = a[k] * (dy[k] - dot);
                }
                else for (int k = 0; k < z.Length; k++) dz[k] = dy[k] * Derivative(layer.Activation, z[k], layer.Alpha);

                int o = offsets[l];
                var dx = new double[x.Length];
                for (int j = 0; j < z.Length; j++)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        gradient[o + j * x.Length + i] += dz[j] * x[i] / batch;
                        dx[i] += dz[j] * parameters[o + j * x.Length + i];
                    }
                    if (layer.Bias) gradient[o + z.Length * x.Length + j] += dz[j] / batch;
                }
                dy = dx;
            }
        }
        return (total / batch, gradient);
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

    static double[] Slice(float[] values, int start, int length)
    {
        var result = new double[length];
        for (int i = 0; i < length; i++) result[i] = values[start + i];
        return result;
    }
}
