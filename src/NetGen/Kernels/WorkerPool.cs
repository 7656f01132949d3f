using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NetGen.Kernels;

/// <summary>
/// A tiny allocation-free fork/join pool for the kernels. Environment.ProcessorCount − 1 background threads are
/// created on first use; the calling thread works too. A job is an unmanaged function pointer plus a pointer to an
/// args struct on the caller's stack (spans cannot cross threads, so kernels pin with <c>fixed</c> and pass raw
/// pointers); chunks are claimed with a compare-exchange and the caller returns only when every chunk has finished.
/// Which chunk computes which outputs is decided by the kernel, never by the thread count, so results are
/// bit-identical whatever the number of threads. A call made while the pool is busy (another user thread, or a
/// nested call) simply runs all its chunks on the calling thread.
/// </summary>
internal static unsafe class WorkerPool
{
    // The job being run. s_claim packs (generation << 32 | next chunk index): a worker that woke for an old job
    // cannot claim a chunk of a newer one, because its compare-exchange carries the old generation.
    static delegate*<void*, int, void> s_body;
    static void* s_args;
    static int s_chunkCount;
    static long s_claim;
    static int s_remaining;
    static int s_busy;
    static ExceptionDispatchInfo? s_failure;

    // Wake-up of the workers and of a caller that stopped spinning.
    static readonly object s_gate = new();
    static int s_sleepingWorkers;
    static int s_callerSleeping;
    static Thread[]? s_workers;
    static int s_degree = Environment.ProcessorCount;

    static readonly long s_spinTicks = Stopwatch.Frequency / 20_000; // ~50 µs of spinning before blocking

    /// <summary>Threads (the caller included) that may work on one job; 1 makes every kernel serial. Tests and harnesses set it.</summary>
    internal static int MaxDegreeOfParallelism
    {
        get => s_degree;
        set => s_degree = Math.Clamp(value, 1, Environment.ProcessorCount);
    }

    /// <summary>Runs <paramref name="body"/>(args, chunk) for chunk in [0, chunkCount), in parallel when the pool is free.</summary>
    internal static void Run(delegate*<void*, int, void> body, void* args, int chunkCount)
    {
        if (chunkCount <= 1 || s_degree <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int c = 0; c < chunkCount; c++) body(args, c);
            return;
        }
        try
        {
            EnsureWorkers();
            s_body = body;
            s_args = args;
            s_chunkCount = chunkCount;
            s_failure = null;
            Volatile.Write(ref s_remaining, chunkCount);
            long generation = (Volatile.Read(ref s_claim) >> 32) + 1;
            Interlocked.Exchange(ref s_claim, generation << 32); // publishes the job (full fence)
            if (Volatile.Read(ref s_sleepingWorkers) > 0)
                lock (s_gate) Monitor.PulseAll(s_gate);

            WorkOn((int)generation);
            WaitForCompletion();
            var failure = s_failure;
            s_failure = null;
            failure?.Throw();
        }
        finally
        {
            s_body = null;
            s_args = null;
            Volatile.Write(ref s_busy, 0);
        }
    }

    // Claims and runs chunks of the job with this generation until none is left.
    static void WorkOn(int generation)
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            if ((int)(claim >> 32) != generation) return;
            int chunk = (int)claim;
            // A successful claim keeps the job open (s_remaining > 0), so s_body and s_args are this job's.
            if (chunk >= s_chunkCount) return;
            if (Interlocked.CompareExchange(ref s_claim, claim + 1, claim) != claim) continue;
            try
            {
                s_body(s_args, chunk);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_failure, ExceptionDispatchInfo.Capture(e), null);
            }
            finally
            {
                if (Interlocked.Decrement(ref s_remaining) == 0 && Volatile.Read(ref s_callerSleeping) != 0)
                    lock (s_gate) Monitor.PulseAll(s_gate);
            }
        }
    }

    static void WaitForCompletion()
    {
        if (Volatile.Read(ref s_remaining) == 0) return;
        long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
        while (Volatile.Read(ref s_remaining) != 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                lock (s_gate)
                {
                    Interlocked.Exchange(ref s_callerSleeping, 1);
                    while (Volatile.Read(ref s_remaining) != 0) Monitor.Wait(s_gate);
                    Volatile.Write(ref s_callerSleeping, 0);
                }
                return;
            }
            Thread.SpinWait(8);
        }
    }

    static void EnsureWorkers()
    {
        if (s_workers != null) return;
        lock (s_gate)
        {
            if (s_workers != null) return;
            var workers = new Thread[Math.Max(0, Environment.ProcessorCount - 1)];
            for (int i = 0; i < workers.Length; i++)
            {
                workers[i] = new Thread(WorkerLoop, 256 * 1024) { IsBackground = true, Name = "NetGen kernel worker " + (i + 1) };
                workers[i].Start(i + 1);
            }
            s_workers = workers;
        }
    }

    static void WorkerLoop(object? state)
    {
        int id = (int)state!; // 1-based: the caller is thread 0
        int seen = (int)(Volatile.Read(ref s_claim) >> 32);
        while (true)
        {
            int generation = WaitForJob(seen);
            seen = generation;
            if (id < s_degree) WorkOn(generation);
        }
    }

    // Spins briefly for the next job, then blocks until one is published.
    static int WaitForJob(int seen)
    {
        long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
        while (true)
        {
            int generation = (int)(Volatile.Read(ref s_claim) >> 32);
            if (generation != seen) return generation;
            if (Stopwatch.GetTimestamp() > deadline) break;
            Thread.SpinWait(8);
        }
        lock (s_gate)
        {
            Interlocked.Increment(ref s_sleepingWorkers);
            int generation;
            while ((generation = (int)(Volatile.Read(ref s_claim) >> 32)) == seen) Monitor.Wait(s_gate);
            Interlocked.Decrement(ref s_sleepingWorkers);
            return generation;
        }
    }

    /// <summary>
    /// How many chunks to split <paramref name="items"/> into: 1 below <paramref name="threshold"/> multiply-adds or on one
    /// thread, else up to <paramref name="chunksPerThread"/> per thread, so a core that is busy elsewhere hands its share on.
    /// The one chunking rule of the kernels; <see cref="ChunkRange"/> says which items a chunk gets.
    /// </summary>
    internal static int ChunkCount(long work, long threshold, int items, int chunksPerThread = 4)
    {
        int degree = MaxDegreeOfParallelism;
        if (degree <= 1 || work < threshold || items <= 1) return 1;
        return Math.Min(items, chunksPerThread * degree);
    }

    /// <summary>Items [lo, hi) of chunk <paramref name="chunk"/> out of <paramref name="chunks"/> near-equal ones.</summary>
    internal static void ChunkRange(int items, int chunks, int chunk, out int lo, out int hi)
    {
        lo = (int)((long)items * chunk / chunks);
        hi = (int)((long)items * (chunk + 1) / chunks);
    }

    /// <summary>
    /// <see cref="ChunkRange"/> over blocks of <paramref name="blockSize"/> items (the last one possibly short), in items:
    /// chunk boundaries fall on whole blocks, so a kernel's tiles never straddle two chunks.
    /// </summary>
    internal static void BlockRange(int items, int blockSize, int chunks, int chunk, out int lo, out int hi)
    {
        ChunkRange((items + blockSize - 1) / blockSize, chunks, chunk, out lo, out hi);
        lo = Math.Min(items, lo * blockSize);
        hi = Math.Min(items, hi * blockSize);
    }
}
