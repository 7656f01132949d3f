using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>Argument checks the generated entry points share. Messages say what was expected and what arrived.</summary>
public static class Guard
{
    public static void BatchSize(int batchSize)
    {
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be positive, but was {batchSize}.");
    }

    /// <summary>
    /// A training batch must fit the network's largest per-sample workspace array in one .NET array
    /// (<see cref="Array.MaxLength"/> elements); beyond that, batch × per-sample would overflow an int.
    /// </summary>
    public static void TrainingBatch(int batchSize, int maxBatchSize, string largestBuffer, int perSample)
    {
        if (batchSize > maxBatchSize)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize,
                $"batchSize is {batchSize:N0}, but TrainBatch on this network takes at most {maxBatchSize:N0} samples: its largest workspace array " +
                $"({largestBuffer}, {perSample:N0} elements per sample) would need {(long)batchSize * perSample:N0} elements, more than a .NET array holds " +
                $"({Array.MaxLength:N0}). Split the batch, or accumulate gradients over smaller ones.");
    }

    /// <summary>One sample's span: exactly <paramref name="expected"/> floats.</summary>
    public static void Sample(int actual, int expected, string parameterName)
    {
        if (actual != expected)
            throw new ArgumentException($"{parameterName} must hold {expected} floats (one sample), but holds {actual}.", parameterName);
    }

    /// <summary>A batch's span: batchSize × perSample floats (computed in 64 bits, so a huge batch cannot overflow into a match).</summary>
    public static void Batch(int actual, int batchSize, int perSample, string parameterName)
    {
        long expected = (long)batchSize * perSample;
        if (actual != expected)
            throw new ArgumentException($"{parameterName} must hold batchSize × {perSample} = {batchSize} × {perSample} = {expected} floats, but holds {actual}.", parameterName);
    }

    public static void LabelCount(int actual, int expected, string parameterName)
    {
        if (actual != expected)
            throw new ArgumentException($"{parameterName} must hold {expected} labels (one per sample), but holds {actual}.", parameterName);
    }

    /// <summary>Token ids: batchSize × steps ints (computed in 64 bits).</summary>
    public static void TokenCount(int actual, int batchSize, int steps, string parameterName)
    {
        long expected = (long)batchSize * steps;
        if (actual != expected)
            throw new ArgumentException($"{parameterName} must hold batchSize × steps = {batchSize} × {steps} = {expected} token ids, but holds {actual}.", parameterName);
    }

    /// <summary>A sequence output takes one label per step: batchSize × steps (computed in 64 bits).</summary>
    public static void StepLabelCount(int actual, int batchSize, int steps, string parameterName)
    {
        long expected = (long)batchSize * steps;
        if (actual != expected)
            throw new ArgumentException($"{parameterName} must hold batchSize × steps = {batchSize} × {steps} = {expected} labels (one per step), but holds {actual}.", parameterName);
    }

    /// <summary>Labels must name a class: [0, classes), or 0/1 for a single-output network.</summary>
    public static void Labels(ReadOnlySpan<int> labels, int outputs, string parameterName)
    {
        int limit = outputs == 1 ? 2 : outputs;
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)limit)
                throw new ArgumentException($"{parameterName}[{i}] is {labels[i]}, but labels must lie in [0, {limit - 1}] for a network with {outputs} output(s).", parameterName);
        }
    }

    /// <summary>NaN or ±∞ in an input would silently poison every parameter it touches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finite(ReadOnlySpan<float> values, int rowLength, string parameterName)
    {
        bool finite;
        if (values.Length < 16)
        {
            // A few values (an online step's one input): inline, no vector set-up, no call.
            finite = true;
            for (int i = 0; i < values.Length; i++) finite &= float.IsFinite(values[i]);
        }
        else finite = AllFinite(values);
        if (!finite) ThrowNotFinite(values, rowLength, parameterName);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ThrowNotFinite(ReadOnlySpan<float> values, int rowLength, string parameterName)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"{parameterName} holds {values[i]} at index {i} (sample {i / rowLength}, element {i % rowLength}); expected finite numbers.", parameterName);
        }
    }

    // The check runs on every input of every call, so it runs at vector speed: x·0 + s is s for a finite x and NaN for
    // ±∞ or NaN, and a NaN survives every later addition, so the four sums stay zero exactly when every value is finite.
    static bool AllFinite(ReadOnlySpan<float> values)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        int i = 0, n = values.Length, width = Simd.MaxWidth;
        bool finite = true;
        if (width >= 512) finite &= AllFinite<Width512, Vector512<float>>(ref x, ref i, n);
        if (width >= 256) finite &= AllFinite<Width256, Vector256<float>>(ref x, ref i, n);
        if (width >= 128) finite &= AllFinite<Width128, Vector128<float>>(ref x, ref i, n);
        for (; i < n; i++) finite &= float.IsFinite(Unsafe.Add(ref x, i));
        return finite;
    }

    // The whole vectors of V from i (moved past them).
    static unsafe bool AllFinite<V, TVec>(ref float x, ref int i, int n) where V : struct, IVectorWidth<TVec> where TVec : struct
    {
        TVec zero = V.Splat(0f), s0 = zero, s1 = zero, s2 = zero, s3 = zero;
        int lanes = V.Lanes;
        for (; i <= n - 4 * lanes; i += 4 * lanes)
        {
            s0 = V.MulAdd(V.Load(ref x, i), zero, s0);
            s1 = V.MulAdd(V.Load(ref x, i + lanes), zero, s1);
            s2 = V.MulAdd(V.Load(ref x, i + 2 * lanes), zero, s2);
            s3 = V.MulAdd(V.Load(ref x, i + 3 * lanes), zero, s3);
        }
        for (; i <= n - lanes; i += lanes) s0 = V.MulAdd(V.Load(ref x, i), zero, s0);
        float* sums = stackalloc float[16];
        V.Store(V.Add(V.Add(s0, s1), V.Add(s2, s3)), sums);
        for (int k = 0; k < lanes; k++)
            if (sums[k] != 0f) return false;
        return true;
    }
}
