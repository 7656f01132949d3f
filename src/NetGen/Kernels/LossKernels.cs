using System;

namespace NetGen.Kernels;

/// <summary>
/// Losses fused with the output layer's gradient. Each returns the mean loss over the batch and writes
/// dL/dz for the output layer's pre-activation z, already divided by the batch size (the gradient of the mean).
/// Label overloads use one-hot targets, except a single-output network, whose label (0 or 1) is the target itself.
/// </summary>
public static class LossKernels
{
    /// <summary>
    /// Softmax + cross-entropy from logits, −Σ_k t_k ln p_k per sample: the values are replaced by the probabilities,
    /// grad = (p·Σt − t)/B. Targets need not sum to 1 (multi-label or unnormalized soft targets), as with PyTorch's
    /// <c>F.cross_entropy</c> given probabilities; for a distribution Σt = 1 and the gradient is the familiar p − t.
    /// </summary>
    public static float SoftmaxCrossEntropy(Span<float> logitsToProbabilities, ReadOnlySpan<float> targets, Span<float> grad, int batch, int classes)
    {
        double total = 0;
        float invBatch = 1f / batch;
        for (int n = 0; n < batch; n++)
        {
            var z = logitsToProbabilities.Slice(n * classes, classes);
            var t = targets.Slice(n * classes, classes);
            var g = grad.Slice(n * classes, classes);
            float logSumExp = LogSumExpToProbabilities(z);
            float targetSum = 0f;
            for (int k = 0; k < classes; k++)
            {
                // −t·ln p with ln p = z − lse, taken before z is overwritten by p: stable even when p underflows.
                total += t[k] * (logSumExp - z[k]);
                targetSum += t[k];
            }
            // ∂/∂z_j of −Σ_k t_k (z_k − lse) = p_j·Σt − t_j: the lse term carries every target's weight.
            for (int k = 0; k < classes; k++) { z[k] = MathF.Exp(z[k] - logSumExp); g[k] = (z[k] * targetSum - t[k]) * invBatch; }
        }
        return (float)(total / batch);
    }

    public static float SoftmaxCrossEntropy(Span<float> logitsToProbabilities, ReadOnlySpan<int> labels, Span<float> grad, int batch, int classes)
    {
        // One exp per element: e_k = e^{z_k − max}, p_k = e_k / Σe, loss = ln Σe + max − z_label (stable: no term overflows,
        // and the loss never takes the log of an underflowed probability).
        double total = 0;
        float invBatch = 1f / batch;
        logitsToProbabilities = logitsToProbabilities.Slice(0, batch * classes);
        grad = grad.Slice(0, batch * classes);
        labels = labels.Slice(0, batch);
        for (int n = 0; n < batch; n++)
        {
            var z = logitsToProbabilities.Slice(n * classes, classes);
            var g = grad.Slice(n * classes, classes);
            int label = labels[n];
            float max = float.NegativeInfinity;
            for (int k = 0; k < z.Length; k++) max = MathF.Max(max, z[k]);
            float zLabel = z[label];
            float sum = 0f;
            for (int k = 0; k < z.Length; k++) { float e = MathF.Exp(z[k] - max); z[k] = e; sum += e; }
            total += (double)max + Math.Log(sum) - zLabel;
            float inv = 1f / sum, scale = inv * invBatch;
            for (int k = 0; k < z.Length; k++) { float e = z[k]; z[k] = e * inv; g[k] = e * scale; }
            g[label] -= invBatch;
        }
        return (float)(total / batch);
    }

    // ln Σ e^{z_k}, shifted by the max so no term overflows.
    static float LogSumExpToProbabilities(ReadOnlySpan<float> z)
    {
        float max = float.NegativeInfinity;
        for (int k = 0; k < z.Length; k++) max = MathF.Max(max, z[k]);
        float sum = 0f;
        for (int k = 0; k < z.Length; k++) sum += MathF.Exp(z[k] - max);
        return max + MathF.Log(sum);
    }

    /// <summary>
    /// Sigmoid + binary cross-entropy from logits: values become σ(z), grad = (σ(z) − t)/B, exact for soft targets
    /// anywhere in [0, 1] too (each output is its own two-class distribution, so nothing needs normalizing).
    /// </summary>
    public static float SigmoidBinaryCrossEntropy(Span<float> logitsToProbabilities, ReadOnlySpan<float> targets, Span<float> grad, int batch, int outputs)
    {
        double total = 0;
        float invBatch = 1f / batch;
        for (int i = 0; i < batch * outputs; i++)
        {
            float z = logitsToProbabilities[i], t = targets[i];
            total += BinaryCrossEntropyFromLogit(z, t);
            float y = 1f / (1f + MathF.Exp(-z));
            logitsToProbabilities[i] = y;
            grad[i] = (y - t) * invBatch;
        }
        return (float)(total / batch);
    }

    public static float SigmoidBinaryCrossEntropy(Span<float> logitsToProbabilities, ReadOnlySpan<int> labels, Span<float> grad, int batch, int outputs)
    {
        double total = 0;
        float invBatch = 1f / batch;
        for (int n = 0; n < batch; n++)
            for (int k = 0; k < outputs; k++)
            {
                int i = n * outputs + k;
                float z = logitsToProbabilities[i], t = TargetFromLabel(labels[n], k, outputs);
                total += BinaryCrossEntropyFromLogit(z, t);
                float y = 1f / (1f + MathF.Exp(-z));
                logitsToProbabilities[i] = y;
                grad[i] = (y - t) * invBatch;
            }
        return (float)(total / batch);
    }

    // −[t ln σ(z) + (1 − t) ln(1 − σ(z))] = max(z, 0) − t·z + ln(1 + e^{−|z|}), finite for every z.
    static double BinaryCrossEntropyFromLogit(float z, float t) => Math.Max(z, 0f) - (double)t * z + Math.Log(1 + Math.Exp(-Math.Abs(z)));

    /// <summary>½ Σ (y − t)² with y = f(z) already computed; grad = (y − t)·f'(y)/B.</summary>
    public static float MeanSquaredError<TAct>(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> grad, int batch, int outputCount, float alpha)
        where TAct : struct, IActivation
    {
        double total = 0;
        float invBatch = 1f / batch;
        for (int i = 0; i < batch * outputCount; i++)
        {
            float diff = outputs[i] - targets[i];
            total += 0.5 * diff * diff;
            grad[i] = diff * TAct.Derivative(outputs[i], alpha) * invBatch;
        }
        return (float)(total / batch);
    }

    public static float MeanSquaredError<TAct>(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, Span<float> grad, int batch, int outputCount, float alpha)
        where TAct : struct, IActivation
    {
        double total = 0;
        float invBatch = 1f / batch;
        for (int n = 0; n < batch; n++)
            for (int k = 0; k < outputCount; k++)
            {
                int i = n * outputCount + k;
                float diff = outputs[i] - TargetFromLabel(labels[n], k, outputCount);
                total += 0.5 * diff * diff;
                grad[i] = diff * TAct.Derivative(outputs[i], alpha) * invBatch;
            }
        return (float)(total / batch);
    }

    /// <summary>MSE on a softmax output: dz = y ⊙ (g − Σ_k g_k y_k)/B with g = y − t (the softmax Jacobian, applied row by row).</summary>
    public static float SoftmaxMeanSquaredError(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, Span<float> grad, int batch, int classes)
    {
        double total = 0;
        float invBatch = 1f / batch;
        for (int n = 0; n < batch; n++)
        {
            var y = probabilities.Slice(n * classes, classes);
            var t = targets.Slice(n * classes, classes);
            var g = grad.Slice(n * classes, classes);
            float dot = 0f;
            for (int k = 0; k < classes; k++) { float d = y[k] - t[k]; total += 0.5 * d * d; g[k] = d; dot += d * y[k]; }
            for (int k = 0; k < classes; k++) g[k] = y[k] * (g[k] - dot) * invBatch;
        }
        return (float)(total / batch);
    }

    public static float SoftmaxMeanSquaredError(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, Span<float> grad, int batch, int classes)
    {
        double total = 0;
        float invBatch = 1f / batch;
        for (int n = 0; n < batch; n++)
        {
            var y = probabilities.Slice(n * classes, classes);
            var g = grad.Slice(n * classes, classes);
            float dot = 0f;
            for (int k = 0; k < classes; k++) { float d = y[k] - TargetFromLabel(labels[n], k, classes); total += 0.5 * d * d; g[k] = d; dot += d * y[k]; }
            for (int k = 0; k < classes; k++) g[k] = y[k] * (g[k] - dot) * invBatch;
        }
        return (float)(total / batch);
    }

    /// <summary>The target a label stands for: one-hot, or the label itself for a single output.</summary>
    public static float TargetFromLabel(int label, int k, int outputs) => outputs == 1 ? label : (k == label ? 1f : 0f);

    /// <summary>
    /// The mean loss of inference outputs (probabilities for the classification losses) against targets,
    /// for evaluation. Log terms are clamped at the smallest positive float so a confident mistake is large, not infinite.
    /// </summary>
    public static float Evaluate(Loss loss, ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int batch, int outputCount)
    {
        double total = 0;
        for (int i = 0; i < batch * outputCount; i++) total += PointLoss(loss, outputs[i], targets[i]);
        return (float)(total / batch);
    }

    public static float Evaluate(Loss loss, ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int batch, int outputCount)
    {
        double total = 0;
        for (int n = 0; n < batch; n++)
            for (int k = 0; k < outputCount; k++)
                total += PointLoss(loss, outputs[n * outputCount + k], TargetFromLabel(labels[n], k, outputCount));
        return (float)(total / batch);
    }

    static double PointLoss(Loss loss, float y, float t)
    {
        const double Tiny = 1.401298464324817E-45;
        switch (loss)
        {
            case Loss.MeanSquaredError: { double d = y - t; return 0.5 * d * d; }
            case Loss.CrossEntropy: return t == 0f ? 0 : -t * Math.Log(Math.Max(y, Tiny));
            default: return -(t * Math.Log(Math.Max(y, Tiny)) + (1 - t) * Math.Log(Math.Max(1 - (double)y, Tiny)));
        }
    }
}
