using System;
using System.Collections.Generic;
using System.IO;

namespace NetGen.Text;

/// <summary>
/// The words of a corpus that occur at least a minimum number of times, most frequent first (ties in order of first
/// appearance), each with its count. Word ids index <see cref="Words"/>; they are what <see cref="Encode"/> turns a
/// text into and what embedding tables are laid out by.
/// </summary>
public sealed class Vocabulary
{
    private readonly string[] _words;
    private readonly long[] _counts;
    private readonly Dictionary<string, int> _ids;

    private Vocabulary(string[] words, long[] counts)
    {
        _words = words;
        _counts = counts;
        _ids = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++) _ids.Add(words[i], i);
        long total = 0;
        foreach (long c in counts) total += c;
        TotalCount = total;
    }

    /// <summary>The words, most frequent first.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>How many distinct words were kept.</summary>
    public int Count => _words.Length;

    /// <summary>Occurrences of the kept words in the corpus the vocabulary was built from.</summary>
    public long TotalCount { get; }

    /// <summary>Occurrences of word <paramref name="id"/>.</summary>
    public long CountOf(int id) => _counts[id];

    /// <summary>The id of <paramref name="word"/>, or −1 when it is not in the vocabulary.</summary>
    public int IdOf(string word) => _ids.TryGetValue(word, out int id) ? id : -1;

    /// <summary>
    /// Counts the words <see cref="TextTokens.Read"/> finds in <paramref name="text"/> and keeps those seen at least
    /// <paramref name="minCount"/> times, at most <paramref name="maxWords"/> of them (the most frequent).
    /// </summary>
    public static Vocabulary Build(TextReader text, int minCount = 5, int maxWords = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (minCount < 1) throw new ArgumentOutOfRangeException(nameof(minCount), minCount, $"minCount must be at least 1, but was {minCount}.");
        if (maxWords < 1) throw new ArgumentOutOfRangeException(nameof(maxWords), maxWords, $"maxWords must be at least 1, but was {maxWords}.");
        var counts = new Dictionary<string, (long Count, long First)>(StringComparer.Ordinal);
        long position = 0;
        foreach (string word in TextTokens.Read(text))
        {
            counts[word] = counts.TryGetValue(word, out var seen) ? (seen.Count + 1, seen.First) : (1, position);
            position++;
        }
        var kept = new List<KeyValuePair<string, (long Count, long First)>>();
        foreach (var entry in counts)
            if (entry.Value.Count >= minCount) kept.Add(entry);
        // Most frequent first; equal counts in order of first appearance, so the ids do not depend on hashing.
        kept.Sort((a, b) => a.Value.Count != b.Value.Count ? b.Value.Count.CompareTo(a.Value.Count) : a.Value.First.CompareTo(b.Value.First));
        int n = Math.Min(kept.Count, maxWords);
        if (n == 0)
            throw new ArgumentException($"No word occurs {minCount} or more times in the text ({counts.Count} distinct words, {position} in all).", nameof(text));
        var words = new string[n];
        var wordCounts = new long[n];
        for (int i = 0; i < n; i++) (words[i], wordCounts[i]) = (kept[i].Key, kept[i].Value.Count);
        return new Vocabulary(words, wordCounts);
    }

    /// <summary>A vocabulary of <paramref name="words"/> in the given order, with unknown counts (zero): what a vectors file holds.</summary>
    internal static Vocabulary FromWords(string[] words, string source)
    {
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++)
            if (!distinct.Add(words[i])) throw new InvalidDataException($"{source}: the word \"{words[i]}\" appears twice (line {i + 2}).");
        return new Vocabulary(words, new long[words.Length]);
    }

    /// <summary>The ids of the text's words, in order; words outside the vocabulary are left out (as word2vec does).</summary>
    public int[] Encode(TextReader text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (string word in TextTokens.Read(text))
        {
            int id = IdOf(word);
            if (id >= 0) ids.Add(id);
        }
        return ids.ToArray();
    }
}

/// <summary>The tokenizer the text tools share: runs of ASCII letters (an apostrophe inside a word kept), lower-cased.</summary>
public static class TextTokens
{
    /// <summary>Longest word kept; longer runs of letters (tables, encoded data) are split.</summary>
    public const int MaxWordLength = 64;

    /// <summary>The words of <paramref name="text"/>, lazily, one pass.</summary>
    public static IEnumerable<string> Read(TextReader text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = new char[64 * 1024];
        var word = new char[MaxWordLength];
        int length = 0;
        int read;
        while ((read = text.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                char c = buffer[i];
                if (c is >= 'a' and <= 'z') word[length++] = c;
                else if (c is >= 'A' and <= 'Z') word[length++] = (char)(c + 32);
                else if (c == '\'' && length > 0 && i + 1 < read && char.IsAsciiLetter(buffer[i + 1])) word[length++] = c;
                else if (length > 0)
                {
                    yield return new string(word, 0, length);
                    length = 0;
                }
                if (length == MaxWordLength)
                {
                    yield return new string(word, 0, length);
                    length = 0;
                }
            }
        }
        if (length > 0) yield return new string(word, 0, length);
    }
}
