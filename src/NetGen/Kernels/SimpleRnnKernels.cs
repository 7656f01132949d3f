using System;

namespace NetGen.Kernels;

/// <summary>
/// An Elman recurrent layer, h_t = f(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh) with h_{−1} = 0 (or a carried state), over a batch of
/// sequences, forward and backward through time, in PyTorch's <c>nn.RNN(batch_first=True)</c> layout: x [batch,
/// steps, in]; output [batch, steps, H] or the last step's [batch, H]; parameters W_ih [H, in], W_hh [H, H], b_ih [H],
/// b_hh [H], flat in that order. The activation is a type (tanh, PyTorch's default, or ReLU). As in
/// <see cref="LstmKernels"/>, all steps' input projections are one product and buffers are time-major inside.
/// </summary>
public static class SimpleRnnKernels
{
    /// <summary>H·(in + H + 2).</summary>
    public static long ParameterCount(int inputSize, int hidden) => (long)hidden * (inputSize + hidden + 2);

    /// <summary>Floats of workspace: x and the states time-major, the bias sum, and backward's scratch.</summary>
    public static long WorkspaceSize(int batch, int steps, int inputSize, int hidden) => Layout.Create(batch, steps, inputSize, hidden).Total;

    // Where each buffer lives in the workspace (offsets in floats). Dh doubles as forward's recurrent-product scratch:
    // backward clears it before use.
    readonly record struct Layout(long XT, long Hs, long Bias, long Dz, long Dh, long DXT, long Scratch, long Total)
    {
        public static Layout Create(int batch, int steps, int inputSize, int hidden)
        {
            long tb = (long)steps * batch, bh = (long)batch * hidden;
            long xT = 0, hs = xT + tb * inputSize, bias = hs + (steps + 1) * bh, dz = bias + hidden, dh = dz + tb * hidden;
            long dXT = dh + bh, scratch = dXT + tb * inputSize;
            return new Layout(xT, hs, bias, dz, dh, dXT, scratch, scratch + tb * (hidden + Math.Max(inputSize, hidden)));
        }
    }

    /// <summary>
    /// Runs the layer; the workspace keeps what <see cref="Backward{TAct}"/> needs. <paramref name="state"/>, unless empty,
    /// is h [batch, H]: read as h_{−1} and overwritten with h_T, for a stream cut into batches (truncated BPTT: Backward
    /// sends no gradient into it); empty starts from zeros.
    /// </summary>
    public static void Forward<TAct>(ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, Span<float> output, Span<float> workspace,
        int batch, int steps, int inputSize, int hidden, bool returnSequences, Span<float> state = default) where TAct : struct, IActivation
    {
        SequenceLayout.Check("SimpleRNN", batch, steps, inputSize, hidden, WorkspaceSize(batch, steps, inputSize, hidden));
        int bh = batch * hidden, rows = steps * batch;
        SequenceLayout.Require(input.Length, (long)batch * steps * inputSize, nameof(input));
        SequenceLayout.Require(parameters.Length, ParameterCount(inputSize, hidden), nameof(parameters));
        SequenceLayout.Require(output.Length, returnSequences ? (long)rows * hidden : bh, nameof(output));
        SequenceLayout.Require(workspace.Length, WorkspaceSize(batch, steps, inputSize, hidden), nameof(workspace));
        if (!state.IsEmpty) SequenceLayout.Require(state.Length, bh, nameof(state));
        ReadOnlySpan<float> wIh = parameters.Slice(0, hidden * inputSize), wHh = parameters.Slice(hidden * inputSize, hidden * hidden);
        ReadOnlySpan<float> bIh = parameters.Slice(hidden * (inputSize + hidden), hidden), bHh = parameters.Slice(hidden * (inputSize + hidden + 1), hidden);
        var at = Layout.Create(batch, steps, inputSize, hidden);
        Span<float> xT = workspace.Slice((int)at.XT, rows * inputSize), hs = workspace.Slice((int)at.Hs, (steps + 1) * bh);
        Span<float> bias = workspace.Slice((int)at.Bias, hidden);
        Span<float> recurrent = workspace.Slice((int)at.Dh, bh);

        SequenceLayout.Transpose(input, xT, batch, steps, inputSize);
        for (int k = 0; k < hidden; k++) bias[k] = bIh[k] + bHh[k];
        // h_{−1} in slot 0, where Backward's dW_hh = Σ dzᵀ·h_{t−1} reads it.
        SequenceLayout.LoadState(state, hs.Slice(0, bh));
        // Pre-activations of every step from the input (with both biases) in one product, into the state slots 1..T.
        DenseKernels.Forward<Identity>(xT, wIh, bias, hs.Slice(bh), rows, inputSize, hidden, 0f);
        for (int t = 0; t < steps; t++)
        {
            Span<float> current = hs.Slice((t + 1) * bh, bh);
            // h_t = f(pre_t + W_hh·h_{t−1}): the recurrent product added in place, then the activation.
            DenseKernels.Forward<Identity>(hs.Slice(t * bh, bh), wHh, default, recurrent, batch, hidden, hidden, 0f);
            for (int k = 0; k < bh; k++) current[k] += recurrent[k];
            ElementwiseKernels.Apply<TAct>(current, 0f);
        }
        if (returnSequences) SequenceLayout.Transpose(hs.Slice(bh), output, steps, batch, hidden);
        else hs.Slice(steps * bh, bh).CopyTo(output);
        if (!state.IsEmpty) hs.Slice(steps * bh, bh).CopyTo(state);
    }

    /// <summary>Backward through time; overwrites the parameter gradients and, unless empty, the input gradient.</summary>
    public static void Backward<TAct>(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> parameters, Span<float> parameterGrads, Span<float> inputGrad,
        Span<float> workspace, int batch, int steps, int inputSize, int hidden, bool returnSequences) where TAct : struct, IActivation
    {
        SequenceLayout.Check("SimpleRNN", batch, steps, inputSize, hidden, WorkspaceSize(batch, steps, inputSize, hidden));
        int bh = batch * hidden, rows = steps * batch;
        SequenceLayout.Require(outputGrad.Length, returnSequences ? (long)rows * hidden : bh, nameof(outputGrad));
        SequenceLayout.Require(parameters.Length, ParameterCount(inputSize, hidden), nameof(parameters));
        SequenceLayout.Require(parameterGrads.Length, ParameterCount(inputSize, hidden), nameof(parameterGrads));
        if (!inputGrad.IsEmpty) SequenceLayout.Require(inputGrad.Length, (long)rows * inputSize, nameof(inputGrad));
        SequenceLayout.Require(workspace.Length, WorkspaceSize(batch, steps, inputSize, hidden), nameof(workspace));
        ReadOnlySpan<float> wIh = parameters.Slice(0, hidden * inputSize), wHh = parameters.Slice(hidden * inputSize, hidden * hidden);
        var at = Layout.Create(batch, steps, inputSize, hidden);
        ReadOnlySpan<float> xT = workspace.Slice((int)at.XT, rows * inputSize), hs = workspace.Slice((int)at.Hs, (steps + 1) * bh);
        Span<float> dz = workspace.Slice((int)at.Dz, rows * hidden), dh = workspace.Slice((int)at.Dh, bh);
        Span<float> dWIh = parameterGrads.Slice(0, hidden * inputSize), dWHh = parameterGrads.Slice(hidden * inputSize, hidden * hidden);
        Span<float> dBIh = parameterGrads.Slice(hidden * (inputSize + hidden), hidden), dBHh = parameterGrads.Slice(hidden * (inputSize + hidden + 1), hidden);

        dh.Clear();
        for (int t = steps - 1; t >= 0; t--)
        {
            SequenceLayout.AddGradientFromAbove(outputGrad, dh, t, batch, steps, hidden, returnSequences);
            // dz_t = dh · f'(h_t), from the stored output.
            Span<float> dzt = dz.Slice(t * bh, bh);
            dh.CopyTo(dzt);
            ElementwiseKernels.MultiplyByDerivative<TAct>(hs.Slice((t + 1) * bh, bh), dzt, 0f);
            if (t > 0) DenseKernels.BackwardInput<Identity>(dzt, wHh, default, dh, batch, hidden, hidden, 0f);
        }
        Span<float> scratch = workspace.Slice((int)at.Scratch, (int)(at.Total - at.Scratch));
        TallProducts.WeightGradient(dz, xT, dWIh, dBIh, scratch, rows, inputSize, hidden);
        TallProducts.WeightGradient(dz, hs.Slice(0, rows * hidden), dWHh, dBHh, scratch, rows, hidden, hidden);
        if (!inputGrad.IsEmpty)
        {
            Span<float> dXT = workspace.Slice((int)at.DXT, rows * inputSize);
            DenseKernels.BackwardInput<Identity>(dz, wIh, default, dXT, rows, inputSize, hidden, 0f);
            SequenceLayout.Transpose(dXT, inputGrad, steps, batch, inputSize);
        }
    }
}
