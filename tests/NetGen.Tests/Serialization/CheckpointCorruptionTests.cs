using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using NetGen.Tests.Support;
using NetGen.Tests.Training;
using Xunit.Abstractions;

namespace NetGen.Tests.Serialization;

/// <summary>
/// The permanent corruption suite: every truncation and every bit flip of small checkpoints (a hand-written network and a
/// generated one, with and without each optimizer's section), endless and device inputs, and CRC-valid files with crafted
/// values. Each must be refused with <see cref="InvalidDataException"/> (file-system problems: <see cref="IOException"/>)
/// and leave the network and the optimizer bit-identical. Bounded: about a second in all.
/// </summary>
public sealed class CheckpointCorruptionTests(ITestOutputHelper output) : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("netgen-corruption-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> OptimizerKinds => new() { "None", "Sgd", "SgdNesterov", "AdaGrad", "RmsProp", "Adam", "AdamW" };

    static Optimizer? CreateOptimizer(string kind) => kind switch
    {
        "None" => null,
        "Sgd" => new Sgd(0.05f, momentum: 0.9f),
        "SgdNesterov" => new Sgd(0.05f, momentum: 0.8f, nesterov: true) { WeightDecay = 0.01f },
        "AdaGrad" => new AdaGrad(0.05f),
        "RmsProp" => new RmsProp(0.01f),
        "Adam" => new Adam(0.01f) { WeightDecay = 0.001f },
        "AdamW" => new AdamW(0.01f),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    static INetwork CreateNetwork(bool generated, int seed) =>
        generated ? new TrainingRegressionNet(seed: seed) : new FakeNetwork(3, new[] { 2, 1 }, new[] { true, false }, seed);

    /// <summary>Trains a few steps so the parameters, the state buffers and the training step all hold something.</summary>
    static void Train(INetwork net, Optimizer? optimizer, int steps, int seed)
    {
        var random = new Random(seed);
        float[] x = new float[4 * 3], t = new float[4];
        for (int step = 0; step < steps; step++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2f - 1f;
            for (int i = 0; i < t.Length; i++) t[i] = random.NextSingle();
            net.TrainBatch(x, t, 4);
            optimizer?.Step(net);
        }
    }

    static byte[] SaveToBytes(INetwork net, Optimizer? optimizer)
    {
        var stream = new MemoryStream();
        net.Save(stream, optimizer);
        return stream.ToArray();
    }

    /// <summary>A checkpoint of a trained network and a differently trained target (with its own optimizer state) to load it into.</summary>
    static (byte[] Bytes, INetwork Target, Optimizer? TargetOptimizer) Scenario(bool generated, string kind)
    {
        INetwork source = CreateNetwork(generated, seed: 1);
        Optimizer? optimizer = CreateOptimizer(kind);
        Train(source, optimizer, steps: 3, seed: 2);
        INetwork target = CreateNetwork(generated, seed: 5);
        Optimizer? targetOptimizer = CreateOptimizer(kind);
        Train(target, targetOptimizer, steps: 1, seed: 6);
        return (SaveToBytes(source, optimizer), target, targetOptimizer);
    }

    /// <summary>Everything a load may change, as bytes, plus the state arrays themselves (a restore replaces them).</summary>
    static (byte[] Bits, float[][] Buffers) Capture(INetwork net, Optimizer? optimizer)
    {
        var bits = new List<byte>(MemoryMarshal.AsBytes(net.Parameters).ToArray());
        bits.AddRange(BitConverter.GetBytes(net.TrainingStep));
        if (optimizer is null) return (bits.ToArray(), Array.Empty<float[]>());
        bits.AddRange(BitConverter.GetBytes(optimizer.StepCount));
        float[] hyperparameters = new float[optimizer.HyperparameterCountInternal];
        optimizer.WriteHyperparametersInternal(hyperparameters);
        bits.AddRange(MemoryMarshal.AsBytes(hyperparameters.AsSpan()).ToArray());
        var buffers = new float[optimizer.StateBuffers.Count][];
        for (int b = 0; b < buffers.Length; b++)
        {
            buffers[b] = optimizer.StateBuffers[b];
            bits.AddRange(MemoryMarshal.AsBytes(buffers[b].AsSpan()).ToArray());
        }
        return (bits.ToArray(), buffers);
    }

    static bool Unchanged((byte[] Bits, float[][] Buffers) before, INetwork net, Optimizer? optimizer)
    {
        var after = Capture(net, optimizer);
        if (!before.Bits.AsSpan().SequenceEqual(after.Bits)) return false;
        for (int b = 0; b < before.Buffers.Length; b++)
            if (!ReferenceEquals(before.Buffers[b], after.Buffers[b])) return false;
        return true;
    }

    /// <summary>Tallies variants; a defect is a variant that loads, throws another type, or changes anything.</summary>
    sealed class Tally
    {
        public int Variants, Rejected;
        public List<string> Defects { get; } = new();

        public void Expect(string variant, INetwork net, Optimizer? optimizer, Action load, string? messageMustContain = null)
        {
            Variants++;
            var before = Capture(net, optimizer);
            try
            {
                load();
                Defects.Add($"{variant}: loaded");
                return;
            }
            catch (InvalidDataException e)
            {
                Rejected++;
                if (messageMustContain is not null && !e.Message.Contains(messageMustContain, StringComparison.Ordinal))
                    Defects.Add($"{variant}: message lacks \"{messageMustContain}\": {e.Message}");
            }
            catch (Exception e)
            {
                Defects.Add($"{variant}: {e.GetType().Name}: {e.Message}");
            }
            if (!Unchanged(before, net, optimizer)) Defects.Add($"{variant}: the network or the optimizer changed");
        }

        public void Report(ITestOutputHelper output, string what)
        {
            output.WriteLine($"{what}: {Variants} variants, {Rejected} rejected, {Defects.Count} defects");
            foreach (string defect in Defects.GetRange(0, Math.Min(Defects.Count, 10))) output.WriteLine("  " + defect);
            Assert.Empty(Defects);
            Assert.Equal(Variants, Rejected);
        }
    }

    /// <summary>A read-only, non-seekable stream that hands out at most three bytes per read, to exercise short reads.</summary>
    sealed class TrickleStream(byte[] bytes) : Stream
    {
        int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 3), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>
    /// A non-seekable stream that starts with <paramref name="prefix"/> and then never ends (zeros); it counts what was
    /// read and refuses to hand out more than <paramref name="limit"/> bytes, so a reader without a cap fails fast.
    /// </summary>
    sealed class EndlessStream(byte[] prefix, long limit) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (BytesRead >= limit) throw new InvalidOperationException($"The reader went on past {limit} bytes of an endless stream.");
            count = (int)Math.Min(count, limit - BytesRead);
            for (int i = 0; i < count; i++)
            {
                long at = BytesRead + i;
                buffer[offset + i] = at < prefix.Length ? prefix[at] : (byte)0;
            }
            BytesRead += count;
            return count;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Theory]
    [MemberData(nameof(OptimizerKinds))]
    public void EveryTruncationAndEveryBitFlipIsRejectedAndChangesNothing(string kind)
    {
        var clock = Stopwatch.StartNew();
        var truncations = new Tally();
        var flips = new Tally();
        foreach (bool generated in new[] { false, true })
        {
            var (bytes, target, targetOptimizer) = Scenario(generated, kind);
            string network = generated ? "generated" : "fake";
            // Load the network alone (an optimizer section is checked and skipped) and, when there is one, with the optimizer.
            var loads = new List<(string Mode, Optimizer? Optimizer)> { ("network only", null) };
            if (targetOptimizer is not null) loads.Add(("with optimizer", targetOptimizer));
            foreach (var (mode, optimizer) in loads)
            {
                for (int length = 0; length < bytes.Length; length++)
                {
                    int cut = length;
                    truncations.Expect($"{network}, {mode}, cut at {cut}", target, targetOptimizer,
                        () => target.Load(new MemoryStream(bytes, 0, cut, writable: false), optimizer));
                }
                byte[] longer = new byte[bytes.Length + 1];
                bytes.CopyTo(longer, 0);
                truncations.Expect($"{network}, {mode}, one byte appended", target, targetOptimizer,
                    () => target.Load(new MemoryStream(longer), optimizer), "after the checksum");

                for (int bit = 0; bit < bytes.Length * 8; bit++)
                {
                    byte[] corrupt = (byte[])bytes.Clone();
                    corrupt[bit / 8] ^= (byte)(1 << (bit % 8));
                    // Past the magic and the version, the checksum is named: alone, or beside the broken field it explains.
                    string? mention = bit / 8 >= 8 ? "checksum" : null;
                    Stream stream = bit % 2 == 0 ? new MemoryStream(corrupt) : new TrickleStream(corrupt);
                    flips.Expect($"{network}, {mode}, bit {bit % 8} of byte {bit / 8}", target, targetOptimizer,
                        () => target.Load(stream, optimizer), mention);
                }
            }

            // The intact checkpoint still loads, byte by byte too: the rejections were the corruption's doing.
            foreach (var (_, optimizer) in loads) target.Load(new TrickleStream(bytes), optimizer);
        }
        output.WriteLine($"{kind}: {clock.ElapsedMilliseconds} ms");
        truncations.Report(output, $"{kind}, truncations");
        flips.Report(output, $"{kind}, bit flips");
    }

    [Fact]
    public void DevZeroIsRefusedAtOnceWithoutReadingOn()
    {
        if (!File.Exists("/dev/zero")) return; // not on this platform
        var net = CreateNetwork(generated: true, seed: 1);
        var adam = new Adam(0.1f);
        var before = Capture(net, adam);
        var clock = Stopwatch.StartNew();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => net.Load("/dev/zero", adam));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        output.WriteLine($"/dev/zero: {clock.Elapsed.TotalMilliseconds:0.0} ms, {allocated} bytes allocated: {error.Message}");
        Assert.Contains("not a NetGen checkpoint", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
        Assert.True(Unchanged(before, net, adam));
    }

    [Fact]
    public void ADirectoryIsRefusedAsADirectory()
    {
        var net = CreateNetwork(generated: false, seed: 1);
        var before = Capture(net, null);
        var error = Assert.Throws<IOException>(() => net.Load(_directory));
        Assert.Contains("is a directory", error.Message);
        Assert.Contains(_directory, error.Message);
        Assert.Contains("expected a checkpoint file", error.Message);
        Assert.True(Unchanged(before, net, null));
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var net = CreateNetwork(generated: false, seed: 1);
        foreach (string path in new[] { Path.Combine(_directory, "missing.ngck"), Path.Combine(_directory, "no-folder", "missing.ngck") })
        {
            var error = Assert.Throws<FileNotFoundException>(() => net.Load(path));
            Assert.Contains($"'{path}' does not exist", error.Message);
            Assert.Equal(path, error.FileName);
        }
    }

    /// <summary>A header that claims <paramref name="parameterCount"/> parameters for <paramref name="net"/>'s architecture, then nothing.</summary>
    static byte[] HeaderClaiming(INetwork net, int parameterCount)
    {
        var small = SaveToBytes(net, null);
        var layout = CheckpointLayout.Parse(small);
        byte[] header = new byte[layout.ParametersOffset + 4];
        small.AsSpan(0, layout.ParametersOffset).CopyTo(header);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(layout.ParameterCountOffset), parameterCount);
        CheckpointLayout.RewriteChecksum(header);
        return header;
    }

    [Fact]
    public void AHugeClaimedParameterCountIsRefusedBeforeReadingOrAllocating()
    {
        var net = CreateNetwork(generated: true, seed: 1);
        var adam = new Adam(0.1f);
        var before = Capture(net, adam);
        byte[] header = HeaderClaiming(net, int.MaxValue);
        string path = Path.Combine(_directory, "huge.ngck");
        File.WriteAllBytes(path, header);

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var fromFile = Assert.Throws<InvalidDataException>(() => net.Load(path, adam));
        var endless = new EndlessStream(header[..^4], limit: 1 << 20);
        var fromStream = Assert.Throws<InvalidDataException>(() => net.Load(endless, adam));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        output.WriteLine($"{allocated} bytes allocated, {endless.BytesRead} bytes read from the endless stream: {fromStream.Message}");
        foreach (var error in new[] { fromFile, fromStream })
        {
            Assert.Contains("2147483647 parameters", error.Message);
            Assert.Contains($"has {net.ParameterCount}", error.Message);
        }
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
        Assert.True(endless.BytesRead < 64 * 1024, $"read {endless.BytesRead} bytes");
        Assert.True(Unchanged(before, net, adam));
    }

    [Fact]
    public void AnEndlessStreamIsReadNoFurtherThanTheLargestCheckpointThisNetworkCouldHave()
    {
        // A valid beginning (header, parameters, an Adam section's start) and then zeros forever.
        var (bytes, target, targetOptimizer) = Scenario(generated: true, "Adam");
        var layout = CheckpointLayout.Parse(bytes);
        var before = Capture(target, targetOptimizer);
        foreach (int prefix in new[] { layout.ParametersOffset, layout.OptimizerFlagOffset + 1, layout.StateBuffers[0].LengthOffset, bytes.Length - 4, bytes.Length })
        {
            foreach (Optimizer? optimizer in new[] { targetOptimizer, null })
            {
                var endless = new EndlessStream(bytes[..prefix], limit: 16L << 20);
                Assert.Throws<InvalidDataException>(() => target.Load(endless, optimizer));
                output.WriteLine($"prefix {prefix} of {bytes.Length}, {(optimizer is null ? "network only" : "with Adam")}: read {endless.BytesRead} bytes");
                // Never beyond what an Adam checkpoint of this network may hold, however many optimizer buffers the format allows.
                Assert.True(endless.BytesRead <= 2 * bytes.Length + 64 * (4 + 4 * target.ParameterCount) + 2048, $"read {endless.BytesRead} bytes");
            }
        }
        Assert.True(Unchanged(before, target, targetOptimizer));
    }

    /// <summary>One crafted field: where it is, what it holds, and a word the refusal must name.</summary>
    internal sealed record Craft(string Field, Func<byte[], CheckpointLayout, byte[]> Apply, string Names);

    static IEnumerable<Craft> BadHyperparameter(string field, int index, string names, params float[] values)
    {
        foreach (float value in values)
            yield return new Craft($"{field} = {value}", (b, l) => CheckpointLayout.WithFloat(b, l.HyperparametersOffset + 4 * index, value), names);
    }

    static IEnumerable<Craft> Crafts(string kind, CheckpointLayout layout)
    {
        float nan = float.NaN, inf = float.PositiveInfinity;
        foreach (var c in BadHyperparameter("LearningRate", 0, "LearningRate", nan, inf, -inf, -1e-3f)) yield return c;
        foreach (var c in BadHyperparameter("WeightDecay", 1, "WeightDecay", nan, inf, -1f)) yield return c;
        IEnumerable<Craft> own = kind switch
        {
            "Sgd" or "SgdNesterov" => [.. BadHyperparameter("Momentum", 2, "Momentum", nan, inf, -0.5f), .. BadHyperparameter("Nesterov", 3, "Nesterov", 0.5f, 2f, -1f, nan)],
            "AdaGrad" => BadHyperparameter("Epsilon", 2, "Epsilon", nan, inf, -1e-10f),
            "RmsProp" => [.. BadHyperparameter("Alpha", 2, "Alpha", nan, inf, -0.1f, 1.5f), .. BadHyperparameter("Epsilon", 3, "Epsilon", nan, -1f)],
            _ => [.. BadHyperparameter("Beta1", 2, "Beta1", nan, inf, -5f, 1f, 1.5f), .. BadHyperparameter("Beta2", 3, "Beta2", nan, -0.5f, 1f),
                  .. BadHyperparameter("Epsilon", 4, "Epsilon", nan, inf, -1f), .. BadHyperparameter("Decoupled", 5, "Decoupled", 0.5f, 2f, nan)],
        };
        foreach (var c in own) yield return c;
        if (kind is "Sgd" or "SgdNesterov")
            yield return new Craft("Nesterov = 1 with Momentum = 0", (b, l) =>
                CheckpointLayout.WithFloat(CheckpointLayout.WithFloat(b, l.HyperparametersOffset + 12, 1f), l.HyperparametersOffset + 8, 0f), "Nesterov");
        foreach (long steps in new[] { -1L, long.MinValue, long.MaxValue, (1L << 53) + 1 })
            yield return new Craft($"StepCount = {steps}", (b, l) => CheckpointLayout.WithInt64(b, l.StepCountOffset, steps), "step count");
        foreach (float value in new[] { nan, inf, -inf })
        {
            yield return new Craft($"first parameter = {value}", (b, l) => CheckpointLayout.WithFloat(b, l.ParametersOffset, value), "parameter 0");
            yield return new Craft($"state buffer 0 = {value}", (b, l) => CheckpointLayout.WithFloat(b, l.StateOffset(0, 1), value), "state buffer 0");
        }
        yield return new Craft("last parameter = ∞", (b, l) => CheckpointLayout.WithFloat(b, l.ParametersOffset + 4 * (l.ParameterCount - 1), inf), $"parameter {layout.ParameterCount - 1}");
        int sumOfSquares = kind switch { "AdaGrad" or "RmsProp" => 0, "Adam" or "AdamW" => 1, _ => -1 };
        if (sumOfSquares >= 0)
            yield return new Craft("a negative sum of squares", (b, l) => CheckpointLayout.WithFloat(b, l.StateOffset(sumOfSquares, 2), -1f), $"state buffer {sumOfSquares}");
    }

    [Theory]
    [MemberData(nameof(OptimizerKinds))]
    public void CraftedValuesWithAValidChecksumAreRefusedBeforeAnythingChanges(string kind)
    {
        if (kind == "None") return; // the optimizer fields; parameters are crafted in every other case too
        var (bytes, target, targetOptimizer) = Scenario(generated: false, kind);
        var layout = CheckpointLayout.Parse(bytes);
        var tally = new Tally();
        foreach (Craft craft in Crafts(kind, layout))
        {
            byte[] crafted = craft.Apply(bytes, layout);
            tally.Expect(craft.Field, target, targetOptimizer, () => target.Load(new MemoryStream(crafted), targetOptimizer), craft.Names);
            if (craft.Field.Contains("parameter", StringComparison.Ordinal)) // refused for the network alone too
                tally.Expect(craft.Field + ", network only", target, targetOptimizer, () => target.Load(new MemoryStream(crafted)), craft.Names);
        }
        tally.Report(output, $"{kind}, crafted values");
    }

    [Theory]
    [InlineData("Sgd")]
    [InlineData("AdaGrad")]
    [InlineData("RmsProp")]
    [InlineData("Adam")]
    public void ValuesAtTheEdgeOfTheValidRangesLoad(string kind)
    {
        var (bytes, target, targetOptimizer) = Scenario(generated: false, kind);
        var layout = CheckpointLayout.Parse(bytes);
        int h = layout.HyperparametersOffset;
        var edges = new List<(int Offset, float Value)> { (h, 0f), (h + 4, 0f), (layout.ParametersOffset, float.MaxValue), (layout.StateOffset(0, 0), 0f) };
        edges.AddRange(kind switch
        {
            "Sgd" => [(h + 8, 0f), (h + 12, 0f)],
            "AdaGrad" => [(h + 8, 0f)],
            "RmsProp" => [(h + 8, 0f), (h + 8, 1f), (h + 12, 0f)],
            _ => [(h + 8, 0f), (h + 12, 0f), (h + 16, 0f), (h + 20, 1f)],
        });
        foreach (var (offset, value) in edges)
            target.Load(new MemoryStream(CheckpointLayout.WithFloat(bytes, offset, value)), targetOptimizer);
        target.Load(new MemoryStream(CheckpointLayout.WithInt64(bytes, layout.StepCountOffset, 1L << 53)), targetOptimizer);
        Assert.Equal(1L << 53, targetOptimizer!.StepCount);
    }
}
