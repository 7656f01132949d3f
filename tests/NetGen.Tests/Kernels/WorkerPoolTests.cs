using System;
using System.Threading;
using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

[Collection(KernelCollection.Name)]
public unsafe class WorkerPoolTests
{
    struct Args
    {
        public int* Hits;
        public int Throwing;
    }

    static void Body(void* p, int chunk)
    {
        var a = (Args*)p;
        Interlocked.Increment(ref a->Hits[chunk]);
        if (chunk == a->Throwing) throw new InvalidOperationException("chunk " + chunk);
    }

    [Fact]
    public void EveryChunkRunsExactlyOnce()
    {
        using var _ = new ParallelScope(true);
        var hits = new int[97];
        for (int rep = 0; rep < 200; rep++)
        {
            Array.Clear(hits);
            fixed (int* h = hits)
            {
                var args = new Args { Hits = h, Throwing = -1 };
                WorkerPool.Run(&Body, &args, hits.Length);
            }
            Assert.All(hits, c => Assert.Equal(1, c));
        }
    }

    [Fact]
    public void AnExceptionInAChunkReachesTheCaller()
    {
        using var _ = new ParallelScope(true);
        var hits = new int[16];
        fixed (int* h = hits)
        {
            var args = new Args { Hits = h, Throwing = 11 };
            InvalidOperationException? caught = null;
            try { WorkerPool.Run(&Body, &args, hits.Length); }
            catch (InvalidOperationException e) { caught = e; }
            Assert.NotNull(caught);
            Assert.Equal("chunk 11", caught!.Message);
            Assert.All(hits, c => Assert.Equal(1, c)); // the other chunks still ran
        }
        // The pool is usable afterwards.
        Array.Clear(hits);
        fixed (int* h = hits)
        {
            var args = new Args { Hits = h, Throwing = -1 };
            WorkerPool.Run(&Body, &args, hits.Length);
        }
        Assert.All(hits, c => Assert.Equal(1, c));
    }
}
