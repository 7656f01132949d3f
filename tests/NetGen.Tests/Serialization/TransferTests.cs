using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using NetGen.Data;

namespace NetGen.Tests.Serialization;

[Network(Loss.CrossEntropy)]
[Input(6)]
[Dense(16, Activation.Tanh, Name = "enc1")]
[Dense(8, Activation.Tanh, Name = "enc2")]
[Dense(3, Activation.Softmax, Name = "out")]
public partial class TransferSource { }

[Network(Loss.MeanSquaredError)]
[Input(6)]
[Dense(16, Activation.Tanh, Name = "enc1")]
[Dense(8, Activation.ReLU, Name = "code")]
[Dense(4, Activation.Sigmoid, Name = "head")]
public partial class TransferTarget { }

[Network(Loss.MeanSquaredError)]
[Input(5)]
[Dense(16, Activation.Tanh, Name = "enc1")]
public partial class OtherInput { }

[Network(Loss.MeanSquaredError)]
[Input(6)]
[Dense(12, Activation.Tanh, Name = "enc1")]
public partial class OtherOutput { }

[Network(Loss.MeanSquaredError)]
[Input(6)]
[Dense(16, Activation.Tanh, Bias = false, Name = "enc1")]
public partial class NoBias { }

[Network(Loss.MeanSquaredError)]
[Input(1, 2, 3)]
[Conv2D(16, 1, Name = "enc1")]
public partial class ConvNamedEnc1 { }

/// <summary>CopyLayerFrom, loading by layer name, mismatch messages in words, and preprocessing in checkpoints.</summary>
public sealed class TransferTests : IDisposable
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), "netgen-transfer-tests-" + Guid.NewGuid().ToString("N"));

    public TransferTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    static float[] Slice(INetwork net, string layer)
    {
        var info = net.Layers.Single(l => l.Name == layer);
        return net.Parameters.Slice(info.ParameterOffset, info.ParameterCount).ToArray();
    }

    static MemoryStream Saved(INetwork net, SaveOptions? options = null)
    {
        var stream = new MemoryStream();
        if (options is null) net.Save(stream); else net.Save(stream, options);
        stream.Position = 0;
        return stream;
    }

    [Fact]
    public void CopyLayerFrom_copies_the_weights_and_the_layer_computes_the_same()
    {
        var source = new TransferSource(1);
        var target = new TransferTarget(2);
        float[] head = Slice(target, "head");
        target.CopyLayerFrom(source, "enc1");
        target.CopyLayerFrom(source, "code", sourceLayer: "enc2");
        Assert.Equal(Slice(source, "enc1"), Slice(target, "enc1"));
        Assert.Equal(Slice(source, "enc2"), Slice(target, "code"));
        Assert.Equal(head, Slice(target, "head"));

        float[] inputs = Enumerable.Range(0, 12).Select(i => MathF.Sin(i)).ToArray();
        float[] a = new float[2 * 16], b = new float[2 * 16];
        source.PredictLayer("enc1", inputs, a, 2);
        target.PredictLayer("enc1", inputs, b, 2);
        Assert.Equal(a, b);
    }

    [Fact]
    public void CopyLayerFrom_names_the_layer_and_the_shape_that_disagree_and_changes_nothing()
    {
        var target = new TransferTarget(2);
        float[] before = target.Parameters.ToArray();

        var kind = Assert.Throws<ArgumentException>(() => target.CopyLayerFrom(new ConvNamedEnc1(1), "enc1"));
        Assert.Contains("'enc1'", kind.Message);
        Assert.Contains("Conv2D", kind.Message);
        var input = Assert.Throws<ArgumentException>(() => target.CopyLayerFrom(new OtherInput(1), "enc1"));
        Assert.Contains("input shapes differ: the source takes 5, the target 6", input.Message);
        var output = Assert.Throws<ArgumentException>(() => target.CopyLayerFrom(new OtherOutput(1), "enc1"));
        Assert.Contains("output shapes differ: the source gives 12, the target 16", output.Message);
        var bias = Assert.Throws<ArgumentException>(() => target.CopyLayerFrom(new NoBias(1), "enc1"));
        Assert.Contains("parameter counts differ: the source has 96, the target 112", bias.Message);
        var unknown = Assert.Throws<ArgumentException>(() => target.CopyLayerFrom(new TransferSource(1), "code"));
        Assert.Contains("no layer named 'code'", unknown.Message);
        Assert.Contains("enc1, enc2, out", unknown.Message);
        var wrongSource = Assert.Throws<ArgumentException>(() => target.CopyLayerFrom(new TransferSource(1), "code", "enc1"));
        Assert.Contains("input shapes differ: the source takes 6, the target 16", wrongSource.Message);

        Assert.Equal(before, target.Parameters.ToArray());
    }

    [Fact]
    public void CopyLayerFrom_refuses_while_the_target_is_in_use()
    {
        var target = new TransferTarget(2);
        target.Concurrency.EnterExclusive("test");
        try { Assert.Throws<InvalidOperationException>(() => target.CopyLayerFrom(new TransferSource(1), "enc1")); }
        finally { target.Concurrency.ExitExclusive(); }
        target.CopyLayerFrom(target, "enc1"); // itself: allowed, changes nothing
    }

    [Fact]
    public void Load_by_name_loads_what_matches_and_reports_the_rest()
    {
        var source = new TransferSource(1);
        var target = new TransferTarget(2);
        float[] code = Slice(target, "code"), head = Slice(target, "head");
        var report = target.Load(Saved(source), new LoadOptions { ByLayerName = true });
        Assert.Equal(new[] { "enc1" }, report.Loaded);
        Assert.Equal(new[] { "code: the checkpoint has no layer 'code'", "head: the checkpoint has no layer 'head'" }, report.Skipped);
        Assert.Equal(Slice(source, "enc1"), Slice(target, "enc1"));
        Assert.Equal(code, Slice(target, "code"));
        Assert.Equal(head, Slice(target, "head"));
        Assert.Equal(source.Architecture, report.Architecture);

        var renamed = new TransferTarget(3);
        report = renamed.Load(Saved(source), new LoadOptions { SourceNames = new System.Collections.Generic.Dictionary<string, string> { ["code"] = "enc2", ["head"] = "out" } });
        Assert.Equal(new[] { "enc1", "code ← enc2" }, report.Loaded);
        Assert.Single(report.Skipped);
        Assert.Contains("head: the output shapes differ: the source gives 3, the target 4", report.Skipped[0]);
        Assert.Equal(Slice(source, "enc2"), Slice(renamed, "code"));
    }

    [Fact]
    public void Load_of_named_layers_fails_whole_on_any_mismatch()
    {
        var source = new TransferSource(1);
        var target = new TransferTarget(2);
        float[] before = target.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() =>
            target.Load(Saved(source), new LoadOptions { Layers = new[] { "enc1", "head" }, SourceNames = new System.Collections.Generic.Dictionary<string, string> { ["head"] = "enc2" } }));
        Assert.Contains("layer 'head'", error.Message);
        Assert.Contains("input shapes differ: the source takes 16, the target 8", error.Message);
        Assert.Equal(before, target.Parameters.ToArray());

        var missing = Assert.Throws<InvalidDataException>(() => target.Load(Saved(source), new LoadOptions { Layers = new[] { "code" } }));
        Assert.Contains("no layer 'code'", missing.Message);
        var unknown = Assert.Throws<ArgumentException>(() => target.Load(Saved(source), new LoadOptions { Layers = new[] { "nope" } }));
        Assert.Contains("enc1, code, head", unknown.Message);
        Assert.Equal(before, target.Parameters.ToArray());
    }

    [Fact]
    public void Another_architecture_is_named_layer_by_layer_in_words()
    {
        var error = Assert.Throws<InvalidDataException>(() => new TransferTarget(2).Load(Saved(new TransferSource(1))));
        Assert.Contains("layer 2 ('code' here) differs: the checkpoint's is Dense(8,Tanh), this network's is Dense(8,ReLU)", error.Message);
        Assert.Contains("LoadOptions.ByLayerName", error.Message);
        var input = Assert.Throws<InvalidDataException>(() => new OtherInput(2).Load(Saved(new OtherOutput(1))));
        Assert.Contains("whose input is Input(6); this network's is Input(5)", input.Message);
    }

    [Fact]
    public void Preprocessing_and_architecture_travel_with_the_model()
    {
        var net = new TransferSource(1);
        var standardizer = Standardizer.FromStatistics(new float[] { 1, 2, 3, 4, 5, 6 }, new float[] { 0.5f, 1, 1.5f, 2, 2.5f, 3 });
        var options = new SaveOptions();
        options.Preprocessing["inputs"] = standardizer;
        string path = Path.Combine(_directory, "model.ngck");
        net.Save(path, options);
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory)); // no temporary file left

        var copy = new TransferSource(2);
        var report = copy.Load(path, new LoadOptions());
        Assert.Equal(2, report.FormatVersion);
        Assert.Equal(net.Architecture, report.Architecture);
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        Assert.Equal(new[] { "enc1", "enc2", "out" }, report.Loaded);
        Assert.Empty(report.Skipped);
        Assert.Equal(standardizer.Mean.ToArray(), report.Preprocessing["inputs"].Mean.ToArray());
        Assert.Equal(standardizer.Std.ToArray(), report.Preprocessing["inputs"].Std.ToArray());
        copy.Load(path); // the plain overload ignores the preprocessing

        var tooWide = new SaveOptions();
        tooWide.Preprocessing["pixels"] = Standardizer.FromStatistics(new float[7], new float[] { 1, 1, 1, 1, 1, 1, 1 });
        string refused = Path.Combine(_directory, "refused.ngck");
        Assert.Throws<ArgumentException>(() => net.Save(refused, tooWide));
        Assert.False(File.Exists(refused));
    }

    [Fact]
    public void Version_1_checkpoints_still_load()
    {
        var net = new TransferSource(1);
        byte[] v2 = Saved(net).ToArray();
        byte[] v1 = ToVersion1(v2, net.Parameters.Length);
        var copy = new TransferSource(2);
        var report = copy.Load(new MemoryStream(v1), new LoadOptions());
        Assert.Equal(1, report.FormatVersion);
        Assert.Null(report.Architecture);
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());

        var byName = new TransferTarget(2);
        var error = Assert.Throws<InvalidDataException>(() => byName.Load(new MemoryStream(v1), new LoadOptions { ByLayerName = true }));
        Assert.Contains("format version 1", error.Message);
        var whole = Assert.Throws<InvalidDataException>(() => byName.Load(new MemoryStream(v1)));
        Assert.Contains("fingerprint", whole.Message); // version 1 records only fingerprints
    }

    /// <summary>The same checkpoint as format version 1 wrote it: no architecture text, layer table or preprocessing.</summary>
    static byte[] ToVersion1(byte[] v2, int parameterCount)
    {
        var layout = CheckpointLayout.Parse(v2);
        int typeEnd = 12 + BinaryPrimitives.ReadInt32LittleEndian(v2.AsSpan(8)) + 8;
        int parametersEnd = layout.ParametersOffset + 4 * parameterCount;
        byte[] v1 = [.. v2[..typeEnd], .. v2[layout.ParameterCountOffset..parametersEnd], .. v2[layout.OptimizerFlagOffset..]];
        BinaryPrimitives.WriteInt32LittleEndian(v1.AsSpan(4), 1);
        CheckpointLayout.RewriteChecksum(v1);
        return v1;
    }
}
