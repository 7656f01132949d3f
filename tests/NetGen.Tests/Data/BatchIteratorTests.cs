using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Data;

namespace NetGen.Tests.Data;

public class BatchIteratorTests
{
    private static List<int[]> Epoch(BatchIterator it, int epoch)
    {
        it.StartEpoch(epoch);
        var batches = new List<int[]>();
        while (it.TryNext(out Batch b)) batches.Add(b.Indices.ToArray());
        return batches;
    }

    [Fact]
    public void EverySampleExactlyOncePerEpochWithMatchingRows()
    {
        Dataset data = DatasetTests.Make(103);
        var it = new BatchIterator(data, 10, shuffle: true, seed: 5);
        Assert.Equal(11, it.BatchesPerEpoch);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            it.StartEpoch(epoch);
            var seen = new List<int>();
            int batches = 0;
            while (it.TryNext(out Batch b))
            {
                batches++;
                Assert.Equal(b.Size * 2, b.Features.Length);
                Assert.Equal(b.Size, b.Labels.Length);
                for (int i = 0; i < b.Size; i++)
                {
                    int id = (int)b.Features[2 * i];
                    Assert.Equal(b.Indices[i], id);
                    Assert.Equal(10f * id, b.Features[2 * i + 1]);
                    Assert.Equal(id % 3, b.Labels[i]);
                    seen.Add(id);
                }
            }
            Assert.Equal(11, batches);
            Assert.Equal(Enumerable.Range(0, 103), seen.Order());
        }
    }

    [Fact]
    public void ShuffleDependsOnSeedAndEpochOnly()
    {
        Dataset data = DatasetTests.Make(50);
        var a = new BatchIterator(data, 8, shuffle: true, seed: 1);
        var b = new BatchIterator(data, 8, shuffle: true, seed: 1);
        var c = new BatchIterator(data, 8, shuffle: true, seed: 2);
        int[] a3 = Epoch(a, 3).SelectMany(x => x).ToArray();
        Epoch(b, 0);
        Epoch(b, 1);
        Assert.Equal(a3, Epoch(b, 3).SelectMany(x => x).ToArray());
        Assert.NotEqual(a3, Epoch(a, 4).SelectMany(x => x).ToArray());
        Assert.NotEqual(a3, Epoch(c, 3).SelectMany(x => x).ToArray());
    }

    [Fact]
    public void PartialLastBatchKeptUnlessDropLast()
    {
        Dataset data = DatasetTests.Make(10);
        var keep = new BatchIterator(data, 4, shuffle: false, seed: 0);
        Assert.Equal(3, keep.BatchesPerEpoch);
        List<int[]> batches = Epoch(keep, 0);
        Assert.Equal(new[] { 4, 4, 2 }, batches.Select(b => b.Length));
        Assert.Equal(new[] { 8, 9 }, batches[2]);

        var drop = new BatchIterator(data, 4, shuffle: true, seed: 0, dropLast: true);
        Assert.Equal(2, drop.BatchesPerEpoch);
        Assert.Equal(new[] { 4, 4 }, Epoch(drop, 0).Select(b => b.Length));
    }

    [Fact]
    public void UnshuffledFloatTargets()
    {
        Dataset data = DatasetTests.Make(5).ToOneHot();
        var it = new BatchIterator(data, 2, shuffle: false, seed: 0);
        Assert.True(it.TryNext(out Batch b));
        Assert.True(b.Labels.IsEmpty);
        Assert.Equal(new float[] { 1, 0, 0, 0, 1, 0 }, b.Targets.ToArray());
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void DoesNotAllocatePerBatchOrEpoch(bool shuffle, bool oneHot)
    {
        Dataset data = DatasetTests.Make(1000);
        if (oneHot) data = data.ToOneHot();
        var it = new BatchIterator(data, 32, shuffle, seed: 3);
        float sum = Drain(it, 0); // warm-up: JIT and tiering
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int epoch = 1; epoch < 20; epoch++) sum += Drain(it, epoch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
    }

    private static float Drain(BatchIterator it, int epoch)
    {
        it.StartEpoch(epoch);
        float sum = 0;
        while (it.TryNext(out Batch b)) sum += b.Features[0] + b.Size;
        return sum;
    }
}
