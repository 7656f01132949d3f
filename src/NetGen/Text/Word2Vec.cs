using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;
using NetGen.Kernels;

namespace NetGen.Text;

/// <summary>Which word2vec objective: predict the context from the centre word, or the centre word from its context.</summary>
public enum Word2VecModel
{
    /// <summary>Skip-gram: each context word's vector predicts the centre word (Mikolov et al. 2013).</summary>
    SkipGram,
    /// <summary>Continuous bag of words: the mean of the context vectors predicts the centre word.</summary>
    Cbow,
}

/// <summary>Word2vec's settings; the defaults are the reference tool's (<c>word2vec -size 100 -window 5 -negative 5 -sample 1e-3</c>).</summary>
public sealed record Word2VecOptions
{
    /// <summary>Skip-gram or CBOW.</summary>
    public Word2VecModel Model { get; init; } = Word2VecModel.SkipGram;
    /// <summary>Length of each word vector.</summary>
    public int Dimension { get; init; } = 100;
    /// <summary>Largest distance between the centre word and a context word; each position draws its own window in [1, Window].</summary>
    public int Window { get; init; } = 5;
    /// <summary>Negative samples per positive pair, drawn from the unigram distribution raised to ¾.</summary>
    public int Negative { get; init; } = 5;
    /// <summary>Frequent-word subsampling threshold t: a word of frequency f is kept with probability (√(f/t) + 1)·t/f; 0 keeps every word.</summary>
    public double Subsample { get; init; } = 1e-3;
    /// <summary>Starting learning rate, decayed linearly to 0.01% of it over all epochs; null means 0.025 (skip-gram) or 0.05 (CBOW).</summary>
    public float? LearningRate { get; init; }
    /// <summary>Passes over the corpus.</summary>
    public int Epochs { get; init; } = 5;
    /// <summary>Seeds the initial vectors, the windows, the subsampling and the negative samples.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>
    /// Threads, each on its own contiguous part of the corpus, updating the shared vectors without locks (Hogwild, as the
    /// reference tool does). Only 1 is deterministic: with more, the order in which threads' updates land varies from run to run.
    /// </summary>
    public int Threads { get; init; } = 1;

    internal float StartingLearningRate => LearningRate ?? (Model == Word2VecModel.SkipGram ? 0.025f : 0.05f);

    internal void Validate()
    {
        static void Require(bool ok, string name, object value, string expected)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"Word2VecOptions.{name} must be {expected}, but was {value}.");
        }
        Require(Enum.IsDefined(Model), nameof(Model), Model, "SkipGram or Cbow");
        Require(Dimension is >= 1 and <= 4096, nameof(Dimension), Dimension, "in [1, 4096]");
        Require(Window is >= 1 and <= 100, nameof(Window), Window, "in [1, 100]");
        Require(Negative is >= 1 and <= 100, nameof(Negative), Negative, "in [1, 100]");
        Require(double.IsFinite(Subsample) && Subsample >= 0, nameof(Subsample), Subsample, "finite and ≥ 0");
        Require(LearningRate is null || (float.IsFinite(LearningRate.Value) && LearningRate.Value > 0), nameof(LearningRate), LearningRate!, "null or finite and > 0");
        Require(Epochs is >= 1 and <= 1000, nameof(Epochs), Epochs, "in [1, 1000]");
        Require(Threads is >= 1 and <= 256, nameof(Threads), Threads, "in [1, 256]");
    }
}

/// <summary>Where a training run is: reported about every million words.</summary>
public readonly record struct Word2VecProgress(int Epoch, long WordsProcessed, long WordsTotal, float LearningRate, double WordsPerSecond);

/// <summary>
/// Word2vec with negative sampling (skip-gram and CBOW), frequent-word subsampling and a linearly decaying learning rate,
/// written from the papers and the reference tool's description: input vectors start uniform in ±0.5/dimension, output
/// vectors at zero; each (input, target) pair takes one logistic-regression step for the true word and
/// <see cref="Word2VecOptions.Negative"/> sampled words. The hot loop allocates nothing.
/// </summary>
public static class Word2Vec
{
    const int ProgressEvery = 1 << 20;
    const int LearningRateEvery = 10_000; // words between learning-rate updates, as the reference tool

    /// <summary>Trains word vectors on <paramref name="corpus"/>, word ids of <paramref name="vocabulary"/> in text order.</summary>
    public static WordVectors Train(Vocabulary vocabulary, ReadOnlySpan<int> corpus, Word2VecOptions? options = null,
        Action<Word2VecProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        options ??= new Word2VecOptions();
        options.Validate();
        for (int i = 0; i < corpus.Length; i++)
            if ((uint)corpus[i] >= (uint)vocabulary.Count)
                throw new ArgumentException($"corpus[{i}] is {corpus[i]}, but word ids must lie in [0, {vocabulary.Count - 1}] for this vocabulary.", nameof(corpus));
        if (corpus.Length < 2) throw new ArgumentException($"The corpus must hold at least 2 words, but holds {corpus.Length}.", nameof(corpus));

        var state = new TrainingState(vocabulary, corpus.ToArray(), options, progress);
        if (options.Threads == 1) state.Run(0);
        else
        {
            var threads = new Thread[options.Threads - 1];
            for (int t = 0; t < threads.Length; t++)
            {
                int part = t + 1;
                threads[t] = new Thread(() => state.Run(part), 1 << 20) { IsBackground = true, Name = "word2vec " + part };
                threads[t].Start();
            }
            state.Run(0);
            foreach (var thread in threads) thread.Join();
            state.Failure?.Throw();
        }
        return new WordVectors(vocabulary, state.Input, options.Dimension);
    }

    sealed class TrainingState
    {
        readonly Vocabulary _vocabulary;
        readonly int[] _corpus;
        readonly Word2VecOptions _options;
        readonly Action<Word2VecProgress>? _progress;
        readonly int[] _unigramTable;
        readonly float[] _keep; // probability of keeping each word under subsampling, scaled to 2^24
        readonly long _wordsTotal;
        readonly float _alpha0;
        readonly long _started = Stopwatch.GetTimestamp();
        long _wordsDone;
        long _nextReport = ProgressEvery;
        public readonly float[] Input;  // syn0 [V, D]
        public readonly float[] Output; // syn1neg [V, D]
        public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Failure;

        public TrainingState(Vocabulary vocabulary, int[] corpus, Word2VecOptions options, Action<Word2VecProgress>? progress)
        {
            _vocabulary = vocabulary;
            _corpus = corpus;
            _options = options;
            _progress = progress;
            _alpha0 = options.StartingLearningRate;
            _wordsTotal = (long)options.Epochs * corpus.Length;
            int v = vocabulary.Count, d = options.Dimension;
            Input = new float[(long)v * d];
            Output = new float[(long)v * d];
            var random = new SplitMix(options.Seed);
            for (int i = 0; i < Input.Length; i++) Input[i] = (random.NextFloat() - 0.5f) / d;
            _unigramTable = UnigramTable(vocabulary);
            _keep = KeepProbabilities(vocabulary, corpus.Length, options.Subsample);
        }

        // Word ids in proportion to count^¾: a uniform index into it draws a negative sample.
        static int[] UnigramTable(Vocabulary vocabulary)
        {
            int size = (int)Math.Clamp(100L * vocabulary.Count, 1 << 16, 1 << 24);
            var table = new int[size];
            double total = 0;
            for (int i = 0; i < vocabulary.Count; i++) total += Math.Pow(vocabulary.CountOf(i), 0.75);
            int word = 0;
            double cumulative = Math.Pow(vocabulary.CountOf(0), 0.75) / total;
            for (int a = 0; a < size; a++)
            {
                table[a] = word;
                if ((a + 1.0) / size > cumulative && word < vocabulary.Count - 1)
                {
                    word++;
                    cumulative += Math.Pow(vocabulary.CountOf(word), 0.75) / total;
                }
            }
            return table;
        }

        static float[] KeepProbabilities(Vocabulary vocabulary, long corpusWords, double t)
        {
            var keep = new float[vocabulary.Count];
            for (int i = 0; i < keep.Length; i++)
            {
                if (t <= 0) { keep[i] = 1f; continue; }
                double f = (double)vocabulary.CountOf(i) / Math.Max(1, vocabulary.TotalCount);
                keep[i] = (float)Math.Min(1.0, (Math.Sqrt(f / t) + 1) * t / f);
            }
            return keep;
        }

        public void Run(int part)
        {
            try { RunPart(part); }
            catch (Exception e) { Interlocked.CompareExchange(ref Failure, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null); }
        }

        void RunPart(int part)
        {
            int threads = _options.Threads, d = _options.Dimension, window = _options.Window, negative = _options.Negative;
            bool skipGram = _options.Model == Word2VecModel.SkipGram;
            int from = (int)((long)_corpus.Length * part / threads), to = (int)((long)_corpus.Length * (part + 1) / threads);
            var random = new SplitMix(SplitMix.Mix(_options.Seed ^ (0x9E3779B97F4A7C15UL * (ulong)(part + 1))));
            var hidden = new float[d];      // CBOW: the context mean
            var hiddenError = new float[d]; // the gradient for the input vector(s)
            var sentence = new int[1024];   // the kept words of the current stretch, after subsampling
            float alpha = _alpha0;
            for (int epoch = 0; epoch < _options.Epochs; epoch++)
            {
                long pending = 0;
                for (int start = from; start < to; start += sentence.Length)
                {
                    // Subsample a stretch of up to 1,024 corpus words (the reference tool's sentence length).
                    int end = Math.Min(to, start + sentence.Length), length = 0;
                    for (int i = start; i < end; i++)
                    {
                        int w = _corpus[i];
                        if (_keep[w] >= 1f || (random.NextUInt64() >> 40) * (1f / (1 << 24)) < _keep[w]) sentence[length++] = w;
                    }
                    pending += end - start;
                    if (pending >= LearningRateEvery)
                    {
                        alpha = Advance(pending, epoch);
                        pending = 0;
                    }
                    for (int p = 0; p < length; p++)
                    {
                        int center = sentence[p];
                        int reach = 1 + random.NextInt(window); // the window shrinks at random: near words count more
                        int lo = Math.Max(0, p - reach), hi = Math.Min(length - 1, p + reach);
                        if (skipGram)
                        {
                            for (int c = lo; c <= hi; c++)
                            {
                                if (c == p) continue;
                                int context = sentence[c];
                                Array.Clear(hiddenError);
                                ref float input = ref Input[(long)context * d];
                                TrainPair(ref input, center, hiddenError, alpha, negative, d, ref random);
                                VectorLoops.AddScaled(ref input, ref MemoryMarshal.GetArrayDataReference(hiddenError), 1f, d);
                            }
                        }
                        else
                        {
                            Array.Clear(hidden);
                            int count = 0;
                            for (int c = lo; c <= hi; c++)
                            {
                                if (c == p) continue;
                                VectorLoops.AddScaled(ref MemoryMarshal.GetArrayDataReference(hidden), ref Input[(long)sentence[c] * d], 1f, d);
                                count++;
                            }
                            if (count == 0) continue;
                            float inverse = 1f / count;
                            for (int k = 0; k < d; k++) hidden[k] *= inverse;
                            Array.Clear(hiddenError);
                            TrainPair(ref MemoryMarshal.GetArrayDataReference(hidden), center, hiddenError, alpha, negative, d, ref random);
                            for (int c = lo; c <= hi; c++)
                                if (c != p) VectorLoops.AddScaled(ref Input[(long)sentence[c] * d], ref MemoryMarshal.GetArrayDataReference(hiddenError), 1f, d);
                        }
                    }
                }
                alpha = Advance(pending, epoch);
            }
        }

        // One logistic-regression step of `input` against the target word (label 1) and `negative` samples (label 0):
        // the output vectors move at once, the input's gradient is accumulated into `error` for the caller to apply.
        void TrainPair(ref float input, int target, float[] error, float alpha, int negative, int d, ref SplitMix random)
        {
            ref float e = ref MemoryMarshal.GetArrayDataReference(error);
            for (int s = 0; s <= negative; s++)
            {
                int word;
                float label;
                if (s == 0) { word = target; label = 1f; }
                else
                {
                    word = _unigramTable[random.NextInt(_unigramTable.Length)];
                    if (word == target) continue;
                    label = 0f;
                }
                ref float output = ref Output[(long)word * d];
                float f = VectorLoops.Dot(ref input, ref output, d);
                // The reference tool's clipping: beyond |f| = 6 the sigmoid is taken as 0 or 1.
                float sigma = f > 6f ? 1f : f < -6f ? 0f : 1f / (1f + MathF.Exp(-f));
                float g = (label - sigma) * alpha;
                VectorLoops.AddScaled(ref e, ref output, g, d);
                VectorLoops.AddScaled(ref output, ref input, g, d);
            }
        }

        // Counts words done (all threads), reports progress, and returns the learning rate for the words that follow.
        float Advance(long words, int epoch)
        {
            long done = Interlocked.Add(ref _wordsDone, words);
            if (_progress != null && done >= Volatile.Read(ref _nextReport))
            {
                long next = Volatile.Read(ref _nextReport);
                if (done >= next && Interlocked.CompareExchange(ref _nextReport, next + ProgressEvery * ((done - next) / ProgressEvery + 1), next) == next)
                {
                    double seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
                    _progress(new Word2VecProgress(epoch, done, _wordsTotal, Rate(done), done / Math.Max(seconds, 1e-9)));
                }
            }
            return Rate(done);
        }

        float Rate(long done) => Math.Max(_alpha0 * 1e-4f, _alpha0 * (1f - (float)done / (_wordsTotal + 1)));
    }
}

/// <summary>The two vector loops word2vec runs, at the widest width the machine has.</summary>
internal static class VectorLoops
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int n)
    {
        int i = 0;
        float sum;
        if (Vector256.IsHardwareAccelerated && Simd.MaxWidth >= 256 && n >= 8)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) acc = Simd.MulAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), acc);
            sum = Simd.Sum(acc);
        }
        else if (Vector128.IsHardwareAccelerated && Simd.MaxWidth >= 128 && n >= 4)
        {
            Vector128<float> acc = Vector128<float>.Zero;
            for (; i <= n - 4; i += 4) acc = Simd.MulAdd(Vector128.LoadUnsafe(ref a, (nuint)i), Vector128.LoadUnsafe(ref b, (nuint)i), acc);
            sum = Vector128.Sum(acc);
        }
        else sum = 0f;
        for (; i < n; i++) sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return sum;
    }

    /// <summary>y += g·x over n floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(ref float y, ref float x, float g, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Simd.MaxWidth >= 256)
        {
            var vg = Vector256.Create(g);
            for (; i <= n - 8; i += 8)
                Simd.MulAdd(Vector256.LoadUnsafe(ref x, (nuint)i), vg, Vector256.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        else if (Vector128.IsHardwareAccelerated && Simd.MaxWidth >= 128)
        {
            var vg = Vector128.Create(g);
            for (; i <= n - 4; i += 4)
                Simd.MulAdd(Vector128.LoadUnsafe(ref x, (nuint)i), vg, Vector128.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref y, i) += g * Unsafe.Add(ref x, i);
    }
}
