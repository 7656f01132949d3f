using System;
using System.Threading;

namespace NetGen.Kernels;

/// <summary>
/// A small lock-free pool of per-call workspaces, so that many threads can run inference on one network instance
/// at once while a single thread (the common case) reuses the same workspace every call with no allocation.
/// <see cref="Rent"/> returns null when every slot is taken; the caller then makes a new workspace, and
/// <see cref="Return"/> keeps it if a slot is free (otherwise it is left to the GC). After warm-up, up to
/// <see cref="Capacity"/> concurrent callers allocate nothing.
/// </summary>
public sealed class WorkspacePool<T> where T : class
{
    private readonly T?[] _slots;

    public WorkspacePool() : this(Math.Clamp(Environment.ProcessorCount * 2, 4, 64)) { }

    public WorkspacePool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _slots = new T?[capacity];
    }

    /// <summary>How many idle workspaces the pool keeps.</summary>
    public int Capacity => _slots.Length;

    /// <summary>An idle workspace, or null when there is none (make one).</summary>
    public T? Rent()
    {
        var slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            var item = Volatile.Read(ref slots[i]);
            if (item is not null && Interlocked.CompareExchange(ref slots[i], null, item) == item) return item;
        }
        return null;
    }

    /// <summary>Gives a workspace back for the next caller.</summary>
    public void Return(T item)
    {
        var slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], item, null) is null) return;
        }
    }
}
