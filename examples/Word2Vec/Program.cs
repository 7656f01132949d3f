using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using NetGen.Text;

// Word2vec on an English dictionary: skip-gram and CBOW with negative sampling, frequent-word subsampling and a
// linearly decaying learning rate; then nearest neighbours, analogies, and WordNet synonyms as an evaluation that can
// fail (chance puts a synonym at half the vocabulary).
//
//   dotnet run -c Release --project examples/Word2Vec -- [--model sg|cbow|both] [--corpus PATH] [--words N]
//       [--epochs E] [--dim D] [--threads T] [--min-count C] [--wordnet DIR] [--save PATH]
//
// The corpus defaults to Debian's dict-gcide (/usr/share/dictd/gcide.dict.dz, about 6.5M words) when it is installed,
// else the 3 MB excerpt shipped in data/. Files ending in .gz or .dz are decompressed.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(Options.Usage);
    return 0;
}
var options = Options.Parse(args);
if (options is null) return 2;

string corpusPath = options.Corpus ?? (File.Exists("/usr/share/dictd/gcide.dict.dz")
    ? "/usr/share/dictd/gcide.dict.dz"
    : Path.Combine(AppContext.BaseDirectory, "data", "gcide-subset.txt.gz"));
Console.WriteLine($"corpus: {corpusPath}{(options.Words < long.MaxValue ? $" (first {options.Words:N0} words)" : "")}");

var clock = Stopwatch.StartNew();
Vocabulary vocabulary;
using (var reader = Open(corpusPath)) vocabulary = Vocabulary.Build(new WordLimit(reader, options.Words), options.MinCount, options.MaxVocabulary);
int[] corpus;
using (var reader = Open(corpusPath)) corpus = vocabulary.Encode(new WordLimit(reader, options.Words));
Console.WriteLine($"vocabulary: {vocabulary.Count:N0} words seen ≥ {options.MinCount} times; corpus: {corpus.Length:N0} words in the vocabulary ({clock.Elapsed.TotalSeconds:F1} s to read)");

var pairs = Directory.Exists(options.WordNet) ? WordNet.SynonymPairs(options.WordNet, vocabulary) : null;
if (pairs is null) Console.WriteLine($"WordNet not found in {options.WordNet} (apt-get install wordnet-base): no synonym evaluation.");

foreach (var model in options.Models)
{
    var settings = new Word2VecOptions { Model = model, Dimension = options.Dimension, Epochs = options.Epochs, Threads = options.Threads, Seed = 1 };
    Console.WriteLine();
    Console.WriteLine($"== {model}: dimension {settings.Dimension}, window {settings.Window}, {settings.Negative} negatives, subsample {settings.Subsample}, " +
        $"learning rate {settings.LearningRate ?? (model == Word2VecModel.SkipGram ? 0.025f : 0.05f)} decaying linearly, {settings.Epochs} epochs, {settings.Threads} thread(s)");
    clock.Restart();
    var vectors = Word2Vec.Train(vocabulary, corpus, settings, p =>
        Console.Write($"\r  epoch {p.Epoch + 1}: {100.0 * p.WordsProcessed / p.WordsTotal,5:F1}%  learning rate {p.LearningRate:F5}  {p.WordsPerSecond / 1000:N0}k words/s   "));
    double seconds = clock.Elapsed.TotalSeconds;
    double wordsPerSecond = (double)corpus.Length * settings.Epochs / seconds;
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  trained in {seconds:F1} s: {wordsPerSecond / 1000:N0}k words/s, {wordsPerSecond / settings.Threads / 1000:N0}k words/s per thread"));

    foreach (string word in new[] { "water", "king", "horse", "red", "music", "ship", "run" }.Where(w => vocabulary.IdOf(w) >= 0))
        Console.WriteLine($"  nearest to {word}: {string.Join(", ", vectors.Nearest(word, 8).Select(n => n.Word))}");
    foreach (var (a, b, c) in new[] { ("king", "man", "woman"), ("father", "man", "woman"), ("paris", "france", "england"), ("walked", "walk", "run") })
        if (new[] { a, b, c }.All(w => vocabulary.IdOf(w) >= 0))
            Console.WriteLine($"  {a} − {b} + {c} ≈ {string.Join(", ", vectors.Analogy(a, b, c, 5).Select(n => n.Word))}");
    if (pairs is not null) Console.WriteLine($"  {WordNet.Evaluate(vectors, pairs)}");
    if (options.Save is not null)
    {
        string path = options.Models.Length > 1 ? Path.ChangeExtension(options.Save, null) + "-" + model.ToString().ToLowerInvariant() + Path.GetExtension(options.Save) : options.Save;
        vectors.Save(path);
        Console.WriteLine($"  saved {path}");
    }
}
return 0;

static TextReader Open(string path)
{
    Stream stream = File.OpenRead(path);
    if (path.EndsWith(".gz", StringComparison.Ordinal) || path.EndsWith(".dz", StringComparison.Ordinal)) stream = new GZipStream(stream, CompressionMode.Decompress);
    return new StreamReader(stream);
}

sealed record Options(Word2VecModel[] Models, string? Corpus, long Words, int Epochs, int Dimension, int Threads, int MinCount, int MaxVocabulary, string WordNet, string? Save)
{
    public const string Usage = """
        options:
          --model sg|cbow|both   objective(s) to train (default both)
          --corpus PATH          text, .gz or .dz (default: /usr/share/dictd/gcide.dict.dz, else data/gcide-subset.txt.gz)
          --words N              use the first N words of the corpus (default all)
          --epochs E             passes over the corpus (default 3)
          --dim D                vector length (default 100)
          --threads T            threads (default 1, deterministic; more are faster, Hogwild, not reproducible)
          --min-count C          drop words seen fewer times (default 5)
          --max-vocabulary V     keep at most the V most frequent words (default 50,000)
          --wordnet DIR          WordNet data for the synonym evaluation (default /usr/share/wordnet)
          --save PATH            write the vectors in the reference tool's text format
        """;

    public static Options? Parse(string[] args)
    {
        var o = new Options(new[] { Word2VecModel.SkipGram, Word2VecModel.Cbow }, null, long.MaxValue, 3, 100, 1, 5, 50_000, NetGen.Text.WordNet.DebianDirectory, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                o = args[i] switch
                {
                    "--model" => o with { Models = Next() switch { "sg" => new[] { Word2VecModel.SkipGram }, "cbow" => new[] { Word2VecModel.Cbow }, "both" => o.Models, var m => throw new ArgumentException($"--model takes sg, cbow or both, not {m}") } },
                    "--corpus" => o with { Corpus = Next() },
                    "--words" => o with { Words = long.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--epochs" => o with { Epochs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--dim" => o with { Dimension = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--threads" => o with { Threads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--min-count" => o with { MinCount = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--max-vocabulary" => o with { MaxVocabulary = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--wordnet" => o with { WordNet = Next() },
                    "--save" => o with { Save = Next() },
                    _ => throw new ArgumentException($"unknown option {args[i]}"),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine($"{e.Message}.\n{Usage}");
                return null;
            }
        }
        return o;
    }
}

// Passes the text through until it has given `limit` words (as TextTokens counts them), then reports the end.
sealed class WordLimit(TextReader inner, long limit) : TextReader
{
    long _words;
    bool _inWord;

    public override int Read(char[] buffer, int index, int count)
    {
        if (_words >= limit) return 0;
        int read = inner.Read(buffer, index, count);
        for (int i = index; i < index + read; i++)
        {
            bool letter = char.IsAsciiLetter(buffer[i]);
            if (letter && !_inWord && ++_words > limit) return i - index;
            _inWord = letter;
        }
        return read;
    }
}
