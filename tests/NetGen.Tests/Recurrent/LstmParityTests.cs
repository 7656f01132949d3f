using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using NetGen.Kernels;
using NetGen.Tests.Kernels;
using NetGen.Tests.Parity;

namespace NetGen.Tests.Recurrent;

/// <summary>
/// The LSTM kernels against PyTorch's <c>nn.LSTM(batch_first=True)</c> given the same weights, copied flat in
/// PyTorch's layout (W_ih, W_hh, b_ih, b_hh; gates i, f, g, o): outputs, every parameter gradient and the input
/// gradient, for the last step and for every step; and from a given initial state (h0, c0), with the final state.
/// </summary>
[Collection(KernelCollection.Name)]
public class LstmParityTests
{
    [TorchFact]
    public void Last_step_matches_pytorch() => Compare(batch: 4, steps: 7, inputs: 5, hidden: 9, sequences: false);

    [TorchFact]
    public void Every_step_matches_pytorch() => Compare(batch: 3, steps: 6, inputs: 8, hidden: 16, sequences: true);

    [TorchFact]
    public void From_a_given_initial_state_matches_pytorch_given_h0_and_c0()
    {
        Compare(batch: 4, steps: 7, inputs: 5, hidden: 9, sequences: false, stateful: true);
        Compare(batch: 3, steps: 6, inputs: 8, hidden: 16, sequences: true, stateful: true);
    }

    static void Compare(int batch, int steps, int inputs, int hidden, bool sequences, bool stateful = false)
    {
        int parameterCount = (int)LstmKernels.ParameterCount(inputs, hidden), outputs = sequences ? batch * steps * hidden : batch * hidden;
        var x = TestData.Random(batch * steps * inputs, 41);
        var p = TestData.Random(parameterCount, 42, 0.4f);
        var weights = TestData.Random(outputs, 43);
        var workspace = new float[LstmKernels.WorkspaceSize(batch, steps, inputs, hidden)];
        var y = new float[outputs];
        var dp = new float[parameterCount];
        var dx = new float[x.Length];
        // Stateful: PyTorch gets (h0, c0); Forward leaves (h_n, c_n) in the state, compared after the input gradient.
        float[] initial = stateful ? TestData.Random(2 * batch * hidden, 44, 0.8f) : [];
        var state = (float[])initial.Clone();
        LstmKernels.Forward(x, p, y, workspace, batch, steps, inputs, hidden, sequences, state);
        LstmKernels.Backward(weights, p, dp, dx, workspace, batch, steps, inputs, hidden, sequences);

        string folder = Directory.CreateTempSubdirectory("netgen-lstm-").FullName;
        try
        {
            if (stateful) File.WriteAllBytes(Path.Combine(folder, "state.f32"), MemoryMarshal.AsBytes(initial.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(folder, "x.f32"), MemoryMarshal.AsBytes(x.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(folder, "parameters.f32"), MemoryMarshal.AsBytes(p.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(folder, "weights.f32"), MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());
            File.WriteAllText(Path.Combine(folder, "spec.json"), $"{{\"batch\": {batch}, \"steps\": {steps}, \"inputs\": {inputs}, \"hidden\": {hidden}, \"sequences\": {(sequences ? "true" : "false")}}}");
            var start = new ProcessStartInfo(TorchFactAttribute.Python) { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Recurrent", "torch_recurrent.py"));
            start.ArgumentList.Add(folder);
            using (var process = Process.Start(start)!)
            {
                string errors = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"torch_recurrent.py failed ({process.ExitCode}):\n{errors}");
            }
            var torch = MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(Path.Combine(folder, "result.f64"))).ToArray();
            Assert.Equal(outputs + parameterCount + x.Length + state.Length, torch.Length);
            Close("output", torch.AsSpan(0, outputs), y);
            Close("parameter gradient", torch.AsSpan(outputs, parameterCount), dp);
            Close("input gradient", torch.AsSpan(outputs + parameterCount, x.Length), dx);
            if (stateful) Close("final state", torch.AsSpan(outputs + parameterCount + x.Length), state);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    static void Close(string what, ReadOnlySpan<double> expected, float[] actual)
    {
        double scale = 1e-3;
        foreach (double v in expected) scale = Math.Max(scale, Math.Abs(v));
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 2e-5 * scale, $"{what} {k}: PyTorch {expected[k]:E6}, NetGen {actual[k]:E6}");
    }
}
