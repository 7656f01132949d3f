using System;
using System.IO;
using System.Linq;
using System.Reflection;
using NetGen.Generator.Emit;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Tests.Support;

namespace NetGen.Generator.Tests;

/// <summary>
/// The op list is the seam between layers and backends: a hand-built list, with no attribute parsed and no plan made,
/// must emit code that compiles and computes what the ops say.
/// </summary>
public sealed class LoweringTests
{
    // 300 → 3 (tanh) → 2 (softmax): the first GEMM is too large to unroll and calls the kernel, the second is unrolled.
    private const int In = 300, Hidden = 3, Out = 2, Batch = 5;
    private static readonly ParameterSlice W1 = new(0, Hidden * In), B1 = new(Hidden * In, Hidden);
    private static readonly ParameterSlice W2 = new(Hidden * In + Hidden, Out * Hidden), B2 = new(Hidden * In + Hidden + Out * Hidden, Out);
    private static readonly int ParameterCount = B2.Offset + B2.Count;

    private static Op[] HandBuiltOps()
    {
        var hidden = new Lowering.Buffer(BufferRole.Activation, 1, Hidden);
        var output = Lowering.Buffer.CallerOutput(Out);
        return new Op[]
        {
            new NoteOp("hand-built: no attribute was parsed"),
            new DenseOp(1, Lowering.Buffer.CallerInput(In), hidden, W1, B1, In, Hidden, NetGen.Generator.Runtime.Activation.Tanh, 0),
            new DenseOp(2, hidden, output, W2, B2, Hidden, Out, NetGen.Generator.Runtime.Activation.Identity, 0),
            new SoftmaxRowsOp(output, Out),
        };
    }

    private static string Program(Op[] ops, bool specializeExtents)
    {
        var w = new CodeWriter();
        var cpu = CpuOps.For(ops, specializeExtents);
        using (w.Block("public static class HandBuilt"))
        {
            using (w.Block("public sealed class Workspace")) w.Line($"public float[] A1 = new float[{Batch * Hidden}];");
            using (w.Block("public static void Run(float[] inputArray, float[] parameterArray, float[] outputArray, int batch)"))
            {
                w.Line("global::System.ReadOnlySpan<float> inputs = inputArray;");
                w.Line("global::System.ReadOnlySpan<float> parameters = parameterArray;");
                w.Line("global::System.Span<float> outputs = outputArray;");
                w.Line("Workspace workspace = new Workspace();");
                foreach (var op in ops) cpu.Emit(w, op);
            }
            cpu.EmitExtents(w, ops);
        }
        return w.ToString();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_hand_built_op_list_emits_code_that_computes_what_the_ops_say(bool specializeExtents)
    {
        var ops = HandBuiltOps();
        string code = Program(ops, specializeExtents);
        // 900 weights: a kernel call, compiled for its shape (C# 11 on) or given the extents as arguments.
        if (specializeExtents)
        {
            Assert.Contains("DenseKernels.Forward<global::NetGen.Kernels.Tanh, Extents.In300Out3>(", code);
            Assert.Contains("internal struct In300Out3 : global::NetGen.Kernels.IDenseExtents { public static int In => 300; public static int Out => 3; }", code);
        }
        else
        {
            Assert.Contains("DenseKernels.Forward<global::NetGen.Kernels.Tanh>(", code);
            Assert.DoesNotContain("IDenseExtents", code);
        }
        Assert.Contains("// 6 weights: unrolled into scalar code.", code);                   // 6 weights: unrolled
        Assert.Contains("// hand-built: no attribute was parsed", code);

        var compilation = TestCompilation.Create(code);
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics) + "\n" + code);
        var run = Assembly.Load(image.ToArray()).GetType("HandBuilt")!.GetMethod("Run")!;

        var random = new Random(7);
        float[] x = Enumerable.Range(0, Batch * In).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] p = Enumerable.Range(0, ParameterCount).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        float[] y = new float[Batch * Out];
        run.Invoke(null, new object[] { x, p, y, Batch });

        for (int n = 0; n < Batch; n++)
        {
            var h = new double[Hidden];
            for (int j = 0; j < Hidden; j++)
            {
                double z = p[B1.Offset + j];
                for (int i = 0; i < In; i++) z += p[W1.Offset + j * In + i] * (double)x[n * In + i];
                h[j] = Math.Tanh(z);
            }
            var logits = new double[Out];
            for (int k = 0; k < Out; k++)
            {
                logits[k] = p[B2.Offset + k];
                for (int j = 0; j < Hidden; j++) logits[k] += p[W2.Offset + k * Hidden + j] * h[j];
            }
            double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
            for (int k = 0; k < Out; k++)
                Assert.Equal(Math.Exp(logits[k] - max) / sum, y[n * Out + k], 5);
        }
    }

    [Fact]
    public void The_workspace_buffers_are_read_off_the_ops()
    {
        var ops = HandBuiltOps();
        var buffers = ops.SelectMany(Lowerer.BuffersOf).Where(b => !b.IsCaller).Distinct().ToArray();
        Assert.Equal(new[] { new Lowering.Buffer(BufferRole.Activation, 1, Hidden) }, buffers);
    }

    [Fact]
    public void Inference_never_allocates_gradients_masks_or_argmax_positions()
    {
        var model = ModelPurityTests.ParseSingle(SnapshotTests.LeNet);
        var program = Lowerer.Lower(NetGen.Generator.Planning.NetworkPlanner.Plan(model).Plan!);
        Assert.All(program.InferenceBuffers, b => Assert.True(b.Role is BufferRole.Activation or BufferRole.Columns, $"{b} at inference"));
        Assert.Contains(program.TrainingBuffers, b => b.Role == BufferRole.Argmax);
        Assert.Contains(program.TrainingBuffers, b => b.Role == BufferRole.Gradient);
        Assert.Equal(LossFusion.SoftmaxCrossEntropy, program.Loss.Fusion);
    }

    [Fact]
    public void Inference_buffers_whose_lifetimes_do_not_overlap_share_arrays()
    {
        var model = ModelPurityTests.ParseSingle(SnapshotTests.LeNet);
        var program = Lowerer.Lower(NetGen.Generator.Planning.NetworkPlanner.Plan(model).Plan!);
        // conv1 → A1 (+ Col1), pool → A2, conv3 → A3 (+ Col3), pool → A4, dense → A5, dense → outputs: an op's input and
        // output are live together, so the seven buffers need three arrays.
        var groups = program.InferenceArrays.Select(g => string.Join(" ", g.Buffers.Select(b => b.Name))).ToArray();
        Assert.Equal(new[] { "A1 A3 A5", "Col1 A2 A4", "Col3" }, groups);
        Assert.Equal(11520 + 14400 + 6480, program.InferenceArrays.Sum(g => g.PerSample));
    }
}
