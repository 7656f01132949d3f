namespace NetGen.Kernels;

/// <summary>How many threads NetGen's kernels may use; the public face of the internal worker pool.</summary>
public static class Parallelism
{
    /// <summary>
    /// Threads (the calling thread included) that may work on one kernel call, 1 to <see cref="System.Environment.ProcessorCount"/>
    /// (values outside are clamped); 1 makes every kernel serial. Results are bit-identical whatever the value.
    /// </summary>
    public static int MaxDegreeOfParallelism
    {
        get => WorkerPool.MaxDegreeOfParallelism;
        set => WorkerPool.MaxDegreeOfParallelism = value;
    }
}
