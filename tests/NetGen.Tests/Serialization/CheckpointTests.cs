using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using NetGen.Tests.Support;

namespace NetGen.Tests.Serialization;

public sealed class CheckpointTests : IDisposable
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), "netgen-checkpoint-tests-" + Guid.NewGuid().ToString("N"));

    public CheckpointTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    static byte[] Bits(ReadOnlySpan<float> values) => MemoryMarshal.AsBytes(values).ToArray();

    static FakeNetwork RandomNetwork(int seed = 1)
    {
        var net = new FakeNetwork(3, new[] { 4, 2 }, new[] { true, false }, seed);
        var random = new Random(seed);
        for (int i = 0; i < net.ParameterCount; i++) net.Parameters[i] = random.NextSingle() * 2f - 1f;
        return net;
    }

    static byte[] SaveToBytes(INetwork net, Optimizer? optimizer = null)
    {
        var stream = new MemoryStream();
        net.Save(stream, optimizer);
        return stream.ToArray();
    }

    /// <summary>A small network with a stepped Adam: a checkpoint with every section.</summary>
    static (FakeNetwork Net, Adam Adam, byte[] Bytes) SmallCheckpoint()
    {
        var net = FakeNetwork.Blocks((3, true), (2, false));
        for (int i = 0; i < net.ParameterCount; i++) { net.Parameters[i] = i + 0.5f; net.Gradients[i] = 1f - i; }
        var adam = new Adam(0.1f);
        adam.Step(net);
        adam.Step(net);
        return (net, adam, SaveToBytes(net, adam));
    }

    static void RewriteChecksum(byte[] bytes) =>
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));

    [Fact]
    public void Crc32CMatchesTheStandardCheckValueOnEveryPath()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        var data = new byte[1001];
        new Random(1).NextBytes(data);
        for (int length = 0; length <= 40; length++)
            Assert.Equal(Crc32C.Finish(Crc32C.UpdateSoftware(Crc32C.Initial, data.AsSpan(0, length))), Crc32C.Compute(data.AsSpan(0, length)));
        Assert.Equal(Crc32C.Finish(Crc32C.UpdateSoftware(Crc32C.Initial, data)), Crc32C.Compute(data));
    }

    [Fact]
    public void RoundTripIsBitIdentical()
    {
        var net = RandomNetwork();
        net.Parameters[0] = float.MaxValue;
        net.Parameters[1] = -0f;
        net.Parameters[2] = float.Epsilon;
        string path = Path.Combine(_directory, "net.ngck");
        net.Save(path);

        var copy = RandomNetwork(seed: 2);
        copy.Load(path);
        Assert.Equal(Bits(net.Parameters), Bits(copy.Parameters));

        var fromStream = RandomNetwork(seed: 3);
        fromStream.Load(new MemoryStream(SaveToBytes(net)));
        Assert.Equal(Bits(net.Parameters), Bits(fromStream.Parameters));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void FileLayoutIsAsDocumented()
    {
        var net = FakeNetwork.Blocks((2, true));
        net.Parameters[0] = 1f;
        net.Parameters[1] = -2f;
        byte[] bytes = SaveToBytes(net);
        string typeName = typeof(FakeNetwork).FullName!;
        int n = Encoding.UTF8.GetByteCount(typeName);
        Assert.Equal("NGCK"u8.ToArray(), bytes[..4]);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(n, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(typeName, Encoding.UTF8.GetString(bytes, 12, n));
        Assert.Equal(net.ArchitectureFingerprint, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(12 + n)));
        int p = 20 + n;
        int a = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p)); // architecture text
        Assert.Equal(net.Architecture, Encoding.UTF8.GetString(bytes, p + 4, a));
        p += 4 + a;
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p))); // one layer: "Block1", "Block", [] → [2], offset 0, count 2
        p += 4;
        Assert.Equal(6, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p)));
        Assert.Equal("Block1", Encoding.UTF8.GetString(bytes, p + 4, 6));
        p += 10;
        Assert.Equal(5, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p)));
        p += 9;
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p))); // input shape: not recorded by FakeNetwork
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p + 4)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p + 8)));
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p + 12)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p + 16)));
        p += 20;
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p)));
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(p + 4)));
        Assert.Equal(-2f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(p + 8)));
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p + 12))); // no preprocessing
        Assert.Equal(0, bytes[p + 16]); // no optimizer
        Assert.Equal(p + 21, bytes.Length);
        Assert.Equal(Crc32C.Compute(bytes.AsSpan(0, p + 17)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p + 17)));
    }

    [Fact]
    public void AnotherArchitectureIsRefusedAndTheNetworkUntouched()
    {
        var saved = RandomNetwork();
        byte[] bytes = SaveToBytes(saved);
        var other = new FakeNetwork(3, 5, 2);
        byte[] before = Bits(other.Parameters);
        var error = Assert.Throws<InvalidDataException>(() => other.Load(new MemoryStream(bytes)));
        Assert.Contains(saved.Architecture, error.Message); // in words (version 2), not fingerprints
        Assert.Contains(other.Architecture, error.Message);
        Assert.Contains(typeof(FakeNetwork).FullName!, error.Message);
        Assert.Equal(before, Bits(other.Parameters));
    }

    [Fact]
    public void ParameterCountMismatchIsRefused()
    {
        var saved = FakeNetwork.Blocks((10, true));
        var other = FakeNetwork.Blocks((11, true));
        other.ArchitectureFingerprint = saved.ArchitectureFingerprint;
        var error = Assert.Throws<InvalidDataException>(() => other.Load(new MemoryStream(SaveToBytes(saved))));
        Assert.Contains("10 parameters", error.Message);
        Assert.Contains("11", error.Message);
    }

    [Fact]
    public void WrongMagicIsRefused()
    {
        var net = RandomNetwork();
        byte[] bytes = SaveToBytes(net);
        bytes[0] = (byte)'P';
        var error = Assert.Throws<InvalidDataException>(() => net.Load(new MemoryStream(bytes)));
        Assert.Contains("not a NetGen checkpoint", error.Message);
    }

    [Fact]
    public void FutureVersionIsRefusedWithBothVersions()
    {
        var net = RandomNetwork();
        byte[] bytes = SaveToBytes(net);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 7);
        RewriteChecksum(bytes);
        var target = RandomNetwork(seed: 9);
        byte[] before = Bits(target.Parameters);
        var error = Assert.Throws<InvalidDataException>(() => target.Load(new MemoryStream(bytes)));
        Assert.Contains("version 7", error.Message);
        Assert.Contains($"to {Checkpoint.FormatVersion}", error.Message);
        Assert.Equal(before, Bits(target.Parameters));
    }

    [Fact]
    public void TruncationAtEveryOffsetThrowsCleanlyAndChangesNothing()
    {
        var (source, _, bytes) = SmallCheckpoint();
        var net = FakeNetwork.Blocks((3, true), (2, false));
        net.Parameters.Fill(42f);
        var adam = new Adam(0.5f);
        for (int length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<InvalidDataException>(() => net.Load(new MemoryStream(bytes, 0, length), adam));
            if (length >= 4) Assert.Contains("truncated", error.Message);
            Assert.All(net.Parameters.ToArray(), p => Assert.Equal(42f, p));
            Assert.Equal(0, adam.StepCount);
            Assert.Equal(0.5f, adam.LearningRate);
            Assert.All(adam.StateBuffers, b => Assert.Empty(b));
        }
        net.Load(new MemoryStream(bytes), adam);
        Assert.Equal(Bits(source.Parameters), Bits(net.Parameters));
    }

    [Fact]
    public void AFlippedByteAnywhereIsDetected()
    {
        var (_, _, bytes) = SmallCheckpoint();
        var net = FakeNetwork.Blocks((3, true), (2, false));
        net.Parameters.Fill(42f);
        var adam = new Adam(0.5f);
        for (int offset = 0; offset < bytes.Length; offset++)
        {
            foreach (byte mask in new byte[] { 0x01, 0x80 })
            {
                byte[] corrupt = (byte[])bytes.Clone();
                corrupt[offset] ^= mask;
                var error = Assert.Throws<InvalidDataException>(() => net.Load(new MemoryStream(corrupt), adam));
                // Past magic and version, every flip is reported as a checksum failure (alone or beside a broken structure).
                if (offset >= 8) Assert.Contains("checksum", error.Message);
                Assert.All(net.Parameters.ToArray(), p => Assert.Equal(42f, p));
                Assert.Equal(0, adam.StepCount);
            }
        }
    }

    [Fact]
    public void LoadingOptimizerStateNeedsAMatchingSection()
    {
        var net = RandomNetwork();
        byte[] withoutOptimizer = SaveToBytes(net);
        var target = RandomNetwork(seed: 5);
        byte[] before = Bits(target.Parameters);
        var error = Assert.Throws<InvalidDataException>(() => target.Load(new MemoryStream(withoutOptimizer), new Adam(0.1f)));
        Assert.Contains("no optimizer state", error.Message);

        var adam = new Adam(0.1f);
        adam.Step(net);
        byte[] withAdam = SaveToBytes(net, adam);
        error = Assert.Throws<InvalidDataException>(() => target.Load(new MemoryStream(withAdam), new Sgd(0.1f, 0.9f)));
        Assert.Contains("Adam", error.Message);
        Assert.Contains("Sgd", error.Message);
        Assert.Equal(before, Bits(target.Parameters));

        target.Load(new MemoryStream(withAdam)); // no optimizer asked for: the section is checked and skipped
        Assert.Equal(Bits(net.Parameters), Bits(target.Parameters));
    }

    [Fact]
    public void OptimizerStateRoundTripsExactly()
    {
        var (net, adam, bytes) = SmallCheckpoint();
        adam.Beta1 = 0.8f;
        adam.Epsilon = 1e-6f;
        adam.WeightDecay = 0.25f;
        adam.Decoupled = true;
        bytes = SaveToBytes(net, adam);

        var restored = new Adam(1f);
        FakeNetwork.Blocks((3, true), (2, false)).Load(new MemoryStream(bytes), restored);
        Assert.Equal(adam.StepCount, restored.StepCount);
        Assert.Equal((adam.LearningRate, adam.WeightDecay, adam.Beta1, adam.Beta2, adam.Epsilon, adam.Decoupled),
            (restored.LearningRate, restored.WeightDecay, restored.Beta1, restored.Beta2, restored.Epsilon, restored.Decoupled));
        for (int b = 0; b < adam.StateBuffers.Count; b++) Assert.Equal(Bits(adam.StateBuffers[b]), Bits(restored.StateBuffers[b]));
    }

    [Fact]
    public void AFailedSaveLeavesThePreviousFileAndNoTemporaryFile()
    {
        var net = RandomNetwork();
        string path = Path.Combine(_directory, "net.ngck");
        net.Save(path);
        byte[] previous = File.ReadAllBytes(path);

        net.Parameters[0] += 1f;
        bool sawTemporaryFile = false;
        net.OnParametersAccess = () =>
        {
            // The header is already written to the temporary file when the network fails mid-save.
            string[] files = Directory.GetFiles(_directory);
            sawTemporaryFile = files.Any(f => Path.GetFileName(f).StartsWith("net.ngck.tmp-", StringComparison.Ordinal));
            throw new IOException("simulated failure while reading parameters");
        };
        var error = Assert.Throws<IOException>(() => net.Save(path));
        Assert.Contains("simulated", error.Message);
        Assert.True(sawTemporaryFile);
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
    }

    [Fact]
    public void AFailedStreamWriteDuringSaveLeavesThePreviousFile()
    {
        var net = RandomNetwork();
        string path = Path.Combine(_directory, "net.ngck");
        net.Save(path);
        byte[] previous = File.ReadAllBytes(path);

        var unsavable = new Sgd(0.1f, 0.9f);
        unsavable.Step(FakeNetwork.Blocks((7, true))); // state for another size: refused before any file is made
        Assert.Throws<ArgumentException>(() => net.Save(path, unsavable));
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
    }

    [Fact]
    public void NonFiniteValuesAreRefusedOnSaveSoNothingUnloadableReachesTheDisk()
    {
        var net = RandomNetwork();
        string path = Path.Combine(_directory, "net.ngck");
        net.Save(path);
        byte[] previous = File.ReadAllBytes(path);

        net.Parameters[5] = float.NaN;
        var error = Assert.Throws<InvalidOperationException>(() => net.Save(path));
        Assert.Contains("Parameter 5", error.Message);
        Assert.Contains("NaN", error.Message);
        Assert.Throws<InvalidOperationException>(() => net.Save(new MemoryStream()));
        net.Parameters[5] = 0.5f;

        var adam = new Adam(0.1f);
        adam.Step(net);
        adam.StateBuffers[1][3] = float.PositiveInfinity;
        Assert.Contains("state buffer 1", Assert.Throws<ArgumentException>(() => net.Save(path, adam)).Message);
        adam.StateBuffers[1][3] = 0f;
        // A bad hyperparameter cannot get this far: the setter refuses it (OptimizerValidationTests).
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.Beta1 = -5f);
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
    }

    /// <summary>A process id no process can have (Linux caps them at 2^22, Windows uses multiples of 4).</summary>
    const int DeadProcessId = int.MaxValue;

    [Fact]
    public void StaleTemporaryFilesOfDeadWritersAreRemovedByTheNextSave()
    {
        var net = RandomNetwork();
        string path = Path.Combine(_directory, "net.ngck");
        // What a killed Save leaves: a full-size temporary file, from another process or from an earlier run with our id.
        string[] stale =
        [
            $"{path}.tmp-{DeadProcessId}-0badc0de",
            $"{path}.tmp-{Environment.ProcessId}-1234abcd",
        ];
        foreach (string file in stale) File.WriteAllBytes(file, SaveToBytes(net));
        // Not temporary files of this target: kept.
        string[] unrelated =
        [
            Path.Combine(_directory, "other.ngck.tmp-" + DeadProcessId + "-0badc0de"),
            $"{path}.tmp-{DeadProcessId}-notahex!",
            $"{path}.tmp-backup",
        ];
        foreach (string file in unrelated) File.WriteAllText(file, "keep");

        net.Save(path);
        Assert.All(stale, file => Assert.False(File.Exists(file), file));
        Assert.All(unrelated, file => Assert.True(File.Exists(file), file));
        RandomNetwork(seed: 4).Load(path);
    }

    [Fact]
    public void ALiveWritersTemporaryFileIsNeverRemoved()
    {
        var net = RandomNetwork();
        string path = Path.Combine(_directory, "net.ngck");
        // Open and locked as Save holds it: kept even with our own process id (another container sharing the folder can
        // have the same id, and this process may run two Saves at once).
        string locked = $"{path}.tmp-{Environment.ProcessId}-00c0ffee";
        using (var writer = new FileStream(locked, FileMode.CreateNew, FileAccess.Write, FileShare.Delete))
        {
            writer.Write(new byte[100]);
            net.Save(path);
            Assert.True(File.Exists(locked));
        }
        // Unlocked, but its process is running: kept.
        string running = $"{path}.tmp-{GetLiveProcessIdOtherThanOurs()}-00000001";
        File.WriteAllText(running, "alive");
        net.Save(path);
        Assert.True(File.Exists(running));
    }

    static int GetLiveProcessIdOtherThanOurs()
    {
        foreach (var process in System.Diagnostics.Process.GetProcesses())
            using (process)
                if (process.Id != Environment.ProcessId && process.Id > 0) return process.Id;
        throw new InvalidOperationException("No other process is running.");
    }

    [Fact]
    public void ConcurrentSavesOfOneTargetAllSucceed()
    {
        string path = Path.Combine(_directory, "net.ngck");
        var networks = Enumerable.Range(1, 4).Select(seed => RandomNetwork(seed)).ToArray();
        System.Threading.Tasks.Parallel.For(0, 4 * 25, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => networks[i % 4].Save(path));
        var loaded = RandomNetwork(seed: 9);
        loaded.Load(path);
        Assert.Contains(networks, n => Bits(n.Parameters).SequenceEqual(Bits(loaded.Parameters)));
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
    }

    [Fact]
    public void SaveErrorsNameTheTarget()
    {
        var net = RandomNetwork();
        string inMissingFolder = Path.Combine(_directory, "missing", "net.ngck");
        var missing = Assert.Throws<DirectoryNotFoundException>(() => net.Save(inMissingFolder));
        Assert.Contains($"'{inMissingFolder}'", missing.Message);
        Assert.Contains($"'{Path.Combine(_directory, "missing")}' does not exist", missing.Message);

        string folder = Path.Combine(_directory, "folder.ngck");
        Directory.CreateDirectory(folder);
        var directory = Assert.Throws<IOException>(() => net.Save(folder));
        Assert.Contains($"'{folder}'", directory.Message);
        Assert.Contains("is a directory", directory.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Theory]
    [InlineData("Adam")]
    [InlineData("AdamW")]
    [InlineData("SgdNesterov")]
    [InlineData("AdaGrad")]
    [InlineData("RmsProp")]
    public void ResumingFromACheckpointIsBitIdenticalToNeverStopping(string kind)
    {
        const int total = 30, stopAt = 13;
        static Optimizer Create(string kind) => kind switch
        {
            "Adam" => new Adam(0.01f) { WeightDecay = 0.001f },
            "AdamW" => new AdamW(0.01f),
            "SgdNesterov" => new Sgd(0.02f, 0.9f, nesterov: true),
            "AdaGrad" => new AdaGrad(0.05f),
            _ => new RmsProp(0.005f),
        };
        static void TrainStep(FakeNetwork net, Optimizer optimizer, int step)
        {
            var random = new Random(1000 + step); // the batch depends only on the step
            float[] x = new float[8 * 3], t = new float[8 * 2];
            for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2f - 1f;
            for (int b = 0; b < 8; b++) { t[2 * b] = x[3 * b] - x[3 * b + 2]; t[2 * b + 1] = 0.5f * x[3 * b + 1]; }
            optimizer.LearningRate *= 0.98f; // a schedule: the learning rate travels in the checkpoint too
            net.TrainBatch(x, t, 8);
            optimizer.Step(net);
        }
        static FakeNetwork Create3Layer(int seed) => new(3, new[] { 5, 4, 2 }, new[] { true, false, true }, seed);

        var straight = Create3Layer(seed: 1);
        var straightOptimizer = Create(kind);
        for (int step = 0; step < total; step++) TrainStep(straight, straightOptimizer, step);

        var first = Create3Layer(seed: 1);
        var firstOptimizer = Create(kind);
        for (int step = 0; step < stopAt; step++) TrainStep(first, firstOptimizer, step);
        string path = Path.Combine(_directory, "resume.ngck");
        first.Save(path, firstOptimizer);

        var resumed = Create3Layer(seed: 77);
        var resumedOptimizer = Create(kind);
        resumed.Load(path, resumedOptimizer);
        Assert.Equal(stopAt, resumedOptimizer.StepCount);
        for (int step = stopAt; step < total; step++) TrainStep(resumed, resumedOptimizer, step);

        Assert.Equal(Bits(straight.Parameters), Bits(resumed.Parameters));
        for (int b = 0; b < straightOptimizer.StateBuffers.Count; b++)
            Assert.Equal(Bits(straightOptimizer.StateBuffers[b]), Bits(resumedOptimizer.StateBuffers[b]));
        Assert.NotEqual(Bits(first.Parameters), Bits(resumed.Parameters));
    }
}
