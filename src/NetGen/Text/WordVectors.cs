using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace NetGen.Text;

/// <summary>
/// Trained word vectors and the queries one asks of them: nearest neighbours by cosine similarity and analogies
/// (a − b + c). Also reads and writes the reference tool's text format (a "count dimension" line, then
/// "word v1 … vd" per word), which gensim, fastText and most embedding tools read.
/// </summary>
public sealed class WordVectors
{
    private readonly float[] _vectors;    // [V, D], as trained
    private readonly float[] _normalized; // [V, D], unit length (zero vectors stay zero), for cosine queries

    /// <summary>Wraps <paramref name="vectors"/> ([vocabulary.Count, dimension], row-major; copied).</summary>
    public WordVectors(Vocabulary vocabulary, ReadOnlySpan<float> vectors, int dimension)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"dimension must be at least 1, but was {dimension}.");
        long expected = (long)vocabulary.Count * dimension;
        if (vectors.Length != expected)
            throw new ArgumentException($"vectors must hold vocabulary.Count × dimension = {vocabulary.Count} × {dimension} = {expected} floats, but holds {vectors.Length}.", nameof(vectors));
        Vocabulary = vocabulary;
        Dimension = dimension;
        _vectors = vectors.ToArray();
        _normalized = new float[_vectors.Length];
        for (int w = 0; w < vocabulary.Count; w++)
        {
            var row = _vectors.AsSpan(w * dimension, dimension);
            double norm = 0;
            foreach (float x in row) norm += (double)x * x;
            float scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0f;
            for (int k = 0; k < dimension; k++) _normalized[w * dimension + k] = row[k] * scale;
        }
    }

    /// <summary>The words, by id.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Floats per vector.</summary>
    public int Dimension { get; }

    /// <summary>All vectors, [Vocabulary.Count, Dimension] row-major: the layout of an embedding table (PyTorch's nn.Embedding.weight).</summary>
    public ReadOnlySpan<float> Vectors => _vectors;

    /// <summary>The vector of <paramref name="word"/>.</summary>
    public ReadOnlySpan<float> this[string word] => _vectors.AsSpan(Require(word) * Dimension, Dimension);

    /// <summary>Cosine similarity of two words' vectors.</summary>
    public float Similarity(string a, string b) =>
        VectorLoops.Dot(ref _normalized[Require(a) * Dimension], ref _normalized[Require(b) * Dimension], Dimension);

    /// <summary>The <paramref name="count"/> words nearest to <paramref name="word"/> by cosine, the word itself left out.</summary>
    public IReadOnlyList<(string Word, float Similarity)> Nearest(string word, int count = 10)
    {
        int id = Require(word);
        return Nearest(_normalized.AsSpan(id * Dimension, Dimension).ToArray(), count, id, -1, -1);
    }

    /// <summary>
    /// The words nearest to a − b + c (unit vectors, the 3CosAdd rule), the three query words left out: for
    /// ("king", "man", "woman") a good model answers "queen".
    /// </summary>
    public IReadOnlyList<(string Word, float Similarity)> Analogy(string a, string b, string c, int count = 5)
    {
        int ia = Require(a), ib = Require(b), ic = Require(c);
        var query = new float[Dimension];
        for (int k = 0; k < Dimension; k++)
            query[k] = _normalized[ia * Dimension + k] - _normalized[ib * Dimension + k] + _normalized[ic * Dimension + k];
        return Nearest(query, count, ia, ib, ic);
    }

    /// <summary>
    /// Where <paramref name="candidate"/> ranks among all words by cosine to <paramref name="word"/> (1 = nearest; the
    /// word itself not counted): the measure behind a synonym evaluation.
    /// </summary>
    public int Rank(string word, string candidate)
    {
        int id = Require(word), target = Require(candidate);
        ref float q = ref _normalized[id * Dimension];
        float score = VectorLoops.Dot(ref q, ref _normalized[target * Dimension], Dimension);
        int rank = 1;
        for (int w = 0; w < Vocabulary.Count; w++)
            if (w != id && w != target && VectorLoops.Dot(ref q, ref _normalized[w * Dimension], Dimension) > score) rank++;
        return rank;
    }

    private List<(string, float)> Nearest(float[] query, int count, int skip1, int skip2, int skip3)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be at least 1, but was {count}.");
        double norm = 0;
        foreach (float x in query) norm += (double)x * x;
        float scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0f;
        // A small sorted list of the best so far: count is small next to the vocabulary.
        var best = new List<(string Word, float Similarity)>(count + 1);
        for (int w = 0; w < Vocabulary.Count; w++)
        {
            if (w == skip1 || w == skip2 || w == skip3) continue;
            float s = VectorLoops.Dot(ref query[0], ref _normalized[w * Dimension], Dimension) * scale;
            if (best.Count == count && s <= best[^1].Similarity) continue;
            int at = best.Count;
            while (at > 0 && best[at - 1].Similarity < s) at--;
            best.Insert(at, (Vocabulary.Words[w], s));
            if (best.Count > count) best.RemoveAt(count);
        }
        return best;
    }

    private int Require(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        int id = Vocabulary.IdOf(word);
        if (id < 0) throw new KeyNotFoundException($"\"{word}\" is not in the vocabulary ({Vocabulary.Count} words, most frequent: {string.Join(", ", Vocabulary.Words.Take(5))}).");
        return id;
    }

    /// <summary>
    /// Reads the reference tool's text format (as <see cref="Save"/> writes it). Counts are not in the format, so the
    /// vocabulary's counts read zero. A malformed file gets an <see cref="InvalidDataException"/> naming the line.
    /// </summary>
    public static WordVectors Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path);
        string header = reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty; expected a \"count dimension\" line.");
        string[] sizes = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (sizes.Length != 2 || !int.TryParse(sizes[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count) ||
            !int.TryParse(sizes[1], NumberStyles.None, CultureInfo.InvariantCulture, out int dimension) || count < 1 || dimension < 1 || (long)count * dimension > Array.MaxLength)
            throw new InvalidDataException($"{path}, line 1: expected \"count dimension\" (two positive integers whose product fits an array), but found \"{header}\".");
        var words = new string[count];
        var vectors = new float[count * dimension];
        for (int w = 0; w < count; w++)
        {
            string line = reader.ReadLine() ?? throw new InvalidDataException($"{path}: the header promises {count} words, but the file ends after {w}.");
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != dimension + 1)
                throw new InvalidDataException($"{path}, line {w + 2}: expected a word and {dimension} numbers, but found {fields.Length} fields.");
            words[w] = fields[0];
            for (int k = 0; k < dimension; k++)
                if (!float.TryParse(fields[k + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out vectors[w * dimension + k]) || !float.IsFinite(vectors[w * dimension + k]))
                    throw new InvalidDataException($"{path}, line {w + 2}: \"{fields[k + 1]}\" is not a finite number.");
        }
        return new WordVectors(Vocabulary.FromWords(words, path), vectors, dimension);
    }

    /// <summary>Writes the reference tool's text format to <paramref name="path"/>: a temporary file, renamed over the target when complete.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temporary = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        try
        {
            using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false)))
            {
                writer.Write(Vocabulary.Count.ToString(CultureInfo.InvariantCulture));
                writer.Write(' ');
                writer.WriteLine(Dimension.ToString(CultureInfo.InvariantCulture));
                for (int w = 0; w < Vocabulary.Count; w++)
                {
                    writer.Write(Vocabulary.Words[w]);
                    for (int k = 0; k < Dimension; k++)
                    {
                        writer.Write(' ');
                        writer.Write(_vectors[w * Dimension + k].ToString("R", CultureInfo.InvariantCulture));
                    }
                    writer.WriteLine();
                }
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
