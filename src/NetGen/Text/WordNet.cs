using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NetGen.Text;

/// <summary>
/// Synonym pairs from Princeton WordNet's data files (Debian's wordnet-base installs them in /usr/share/wordnet):
/// two single-word lemmas of one synset are synonyms. The yardstick for word vectors: a synonym should rank near
/// the top of a word's neighbours, where chance puts it in the middle of the vocabulary.
/// </summary>
public static class WordNet
{
    /// <summary>Where Debian's wordnet-base puts the data files.</summary>
    public const string DebianDirectory = "/usr/share/wordnet";

    /// <summary>
    /// Every unordered pair (a, b), a ≠ b, of single-word lemmas sharing a synset in data.noun, data.verb, data.adj and
    /// data.adv under <paramref name="directory"/>, both in <paramref name="vocabulary"/>, each pair once, in file order.
    /// </summary>
    public static IReadOnlyList<(string A, string B)> SynonymPairs(string directory, Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var pairs = new List<(string, string)>();
        var seen = new HashSet<(string, string)>();
        var lemmas = new List<string>();
        foreach (string part in new[] { "noun", "verb", "adj", "adv" })
        {
            string path = Path.Combine(directory, "data." + part);
            if (!File.Exists(path))
                throw new FileNotFoundException($"WordNet's {path} is missing: install Debian's wordnet-base, or pass the directory holding data.noun, data.verb, data.adj and data.adv.", path);
            foreach (string line in File.ReadLines(path))
            {
                // License header lines start with two spaces; a synset line: offset lex_filenum ss_type w_cnt (hex) word lex_id …
                if (line.Length == 0 || line[0] == ' ') continue;
                string[] fields = line.Split(' ');
                if (fields.Length < 4 || !int.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int count)) continue;
                lemmas.Clear();
                for (int k = 0; k < count && 5 + 2 * k < fields.Length; k++)
                {
                    string lemma = fields[4 + 2 * k].ToLowerInvariant();
                    int paren = lemma.IndexOf('(');
                    if (paren > 0) lemma = lemma[..paren]; // adjective markers such as "(a)"
                    if (lemma.IndexOfAny(new[] { '_', '-', '.' }) < 0 && vocabulary.IdOf(lemma) >= 0 && !lemmas.Contains(lemma)) lemmas.Add(lemma);
                }
                for (int i = 0; i < lemmas.Count; i++)
                    for (int j = i + 1; j < lemmas.Count; j++)
                    {
                        var key = string.CompareOrdinal(lemmas[i], lemmas[j]) < 0 ? (lemmas[i], lemmas[j]) : (lemmas[j], lemmas[i]);
                        if (seen.Add(key)) pairs.Add(key);
                    }
            }
        }
        return pairs;
    }

    /// <summary>
    /// How well <paramref name="vectors"/> place synonyms: for each pair, the rank of b among a's neighbours and of a among
    /// b's (1 = nearest). Chance gives a median near half the vocabulary.
    /// </summary>
    public static SynonymScore Evaluate(WordVectors vectors, IReadOnlyList<(string A, string B)> pairs)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) throw new ArgumentException("There are no synonym pairs to evaluate: none has both words in the vocabulary.", nameof(pairs));
        var ranks = new List<int>(2 * pairs.Count);
        foreach (var (a, b) in pairs)
        {
            ranks.Add(vectors.Rank(a, b));
            ranks.Add(vectors.Rank(b, a));
        }
        ranks.Sort();
        double reciprocal = 0;
        int top10 = 0;
        foreach (int r in ranks)
        {
            reciprocal += 1.0 / r;
            if (r <= 10) top10++;
        }
        // Chance: a rank uniform over 1 … V − 1 (the word itself excluded).
        int others = Math.Max(1, vectors.Vocabulary.Count - 1);
        double chanceReciprocal = 0;
        for (int r = 1; r <= others; r++) chanceReciprocal += 1.0 / r;
        return new SynonymScore(pairs.Count, ranks[ranks.Count / 2], reciprocal / ranks.Count, (double)top10 / ranks.Count,
            (others + 1) / 2.0, chanceReciprocal / others);
    }
}

/// <summary>
/// A synonym evaluation: median rank (lower is better), mean reciprocal rank and the share ranked in the top 10, with
/// what a random ranking would give for the first two.
/// </summary>
public readonly record struct SynonymScore(int Pairs, int MedianRank, double MeanReciprocalRank, double Top10, double ChanceMedianRank, double ChanceMeanReciprocalRank)
{
    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Pairs:N0} WordNet synonym pairs: median rank {MedianRank:N0} (chance {ChanceMedianRank:N0}), mean reciprocal rank {MeanReciprocalRank:F4} (chance {ChanceMeanReciprocalRank:F4}), top-10 {Top10:P1}");
}
