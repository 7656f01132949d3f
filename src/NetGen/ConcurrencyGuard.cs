using System;
using System.Threading;

namespace NetGen;

/// <summary>
/// Detects unsafe concurrent use of one network instance. Reading the parameters (Forward, Predict, Save) may happen
/// on many threads at once; writing them (TrainBatch, an optimizer step, Load) needs the network to itself. A call
/// that would break that rule throws <see cref="InvalidOperationException"/> at once instead of computing garbage.
/// It detects; it does not wait: the caller decides whether to retry, queue or lock.
/// </summary>
/// <remarks>
/// State is one int: the number of readers when positive, <c>-1</c> while a writer holds the network. Entering and
/// leaving are one compare-exchange each, with no allocation. Code that writes <see cref="INetwork.Parameters"/>
/// directly bypasses the guard; wrap such code in <see cref="EnterExclusive"/> to make it checked too.
/// </remarks>
public sealed class ConcurrencyGuard
{
    private const int Exclusive = -1;
    private readonly string _networkName;
    private int _state;
    private string? _exclusiveOperation;

    /// <param name="networkName">The network's type name, for messages.</param>
    public ConcurrencyGuard(string networkName) => _networkName = networkName;

    /// <summary>True while some thread holds the network for writing.</summary>
    public bool IsHeldExclusively => Volatile.Read(ref _state) == Exclusive;

    /// <summary>Starts a read (inference, save). Throws if a writer holds the network. Pair with <see cref="ExitShared"/>.</summary>
    public void EnterShared(string operation)
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == Exclusive)
                throw new InvalidOperationException(
                    $"{operation} was called on a {_networkName} while another thread is running {_exclusiveOperation ?? "a training step"} on it. " +
                    "Forward, Predict and Save may run on many threads at once, but TrainBatch, an optimizer step and Load need the network to themselves.");
            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state) return;
        }
    }

    /// <summary>Ends a read started with <see cref="EnterShared"/>.</summary>
    public void ExitShared()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state <= 0)
                throw new InvalidOperationException($"ExitShared was called on a {_networkName} that has no read in progress (EnterShared and ExitShared must pair).");
            if (Interlocked.CompareExchange(ref _state, state - 1, state) == state) return;
        }
    }

    /// <summary>Starts a write (training step, optimizer step, load). Throws if anything else is using the network.</summary>
    public void EnterExclusive(string operation)
    {
        int state = Interlocked.CompareExchange(ref _state, Exclusive, 0);
        if (state != 0)
        {
            string other = state == Exclusive
                ? $"{_exclusiveOperation ?? "a training step"} on another thread"
                : $"{state} inference or save call(s) on other threads";
            throw new InvalidOperationException(
                $"{operation} was called on a {_networkName} while it is in use by {other}. TrainBatch, an optimizer step and Load need the " +
                "network to themselves; Forward, Predict and Save may share it with each other only.");
        }
        _exclusiveOperation = operation;
    }

    /// <summary>Ends a write started with <see cref="EnterExclusive"/>.</summary>
    public void ExitExclusive()
    {
        if (Volatile.Read(ref _state) != Exclusive)
            throw new InvalidOperationException($"ExitExclusive was called on a {_networkName} that is not held exclusively (EnterExclusive and ExitExclusive must pair).");
        _exclusiveOperation = null;
        Volatile.Write(ref _state, 0);
    }
}
