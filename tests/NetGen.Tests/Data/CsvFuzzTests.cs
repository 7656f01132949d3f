using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using NetGen.Data;
using Xunit.Abstractions;

namespace NetGen.Tests.Data;

/// <summary>
/// Seeded random mutations of small valid CSV files must load or throw InvalidDataException (the reader's content
/// error), never another exception, and a loaded dataset must hold only finite values and in-range labels.
/// </summary>
public class CsvFuzzTests(ITestOutputHelper output)
{
    private const int MutationsPerFile = 1500;

    private static readonly (string Text, CsvOptions[] Options)[] Files =
    [
        ("a,b,label\n1,2.5,0\n-3,4e2,2\n0.5,\"7\",1\n",
            [CsvOptions.Default, new CsvOptions { ClassCount = 3 }, new CsvOptions { LabelKind = LabelKind.Value }]),
        ("sepal,species,petal\n5.1,setosa,1.4\n7.0,\"versi,color\",4.7\n6.3,virginica,6.0\n",
            [new CsvOptions { LabelColumn = "species" }, new CsvOptions { LabelColumnIndex = 1, ClassNames = ["setosa", "versi,color", "virginica"] }]),
        ("x;y;t\r\n1;2;0.25\r\n\r\n3;4;-1e3\r\n",
            [new CsvOptions { Separator = ';', LabelKind = LabelKind.Value }, new CsvOptions { Separator = ';', HasHeader = false, LabelColumnIndex = 0, MaxFieldLength = 16 }]),
        ("1,0.5,2\n0,1e-3,1\n1,-0,0\n",
            [new CsvOptions { HasHeader = false }, new CsvOptions { HasHeader = false, LabelColumnIndex = -3 }]),
    ];

    // Characters and tokens that sit on the parser's edges: quotes, separators, line breaks, special numbers.
    private static readonly string[] Tokens =
    [
        "\"", "\"\"", ",", ";", "\n", "\r", "\r\n", " ", "\t", "\0", "-", "+", ".", "e", "E", "0", "9", "x", "∞",
        "NaN", "Infinity", "-Infinity", "1e39", "-1e39", "3.4028236e38", "1e-50", "2147483647", "-1", "99999999999",
        "0x10", "1,5", "", "label", "species",
    ];

    private sealed class Tally
    {
        public int Tried, Loaded, Rejected;
        public readonly List<string> Defects = new();
    }

    private static string Mutate(string original, ref DeterministicRandom rng)
    {
        var text = new StringBuilder(original);
        int edits = 1 + rng.NextInt(3);
        for (int e = 0; e < edits; e++)
        {
            int at = rng.NextInt(text.Length + 1);
            switch (rng.NextInt(6))
            {
                case 0: // replace one character
                    if (at < text.Length) text.Remove(at, 1);
                    text.Insert(at, Tokens[rng.NextInt(Tokens.Length)]);
                    break;
                case 1: // insert a token
                    text.Insert(at, Tokens[rng.NextInt(Tokens.Length)]);
                    break;
                case 2: // delete a run
                    text.Remove(Math.Min(at, text.Length), Math.Min(1 + rng.NextInt(4), text.Length - Math.Min(at, text.Length)));
                    break;
                case 3: // a random BMP character
                    text.Insert(at, (char)rng.NextInt(0xD800));
                    break;
                case 4: // a long digit run, sometimes past MaxFieldLength
                    text.Insert(at, new string((char)('0' + rng.NextInt(10)), rng.NextInt(2) == 0 ? 40 : 5000));
                    break;
                default: // duplicate a slice (a row, part of one)
                    int start = rng.NextInt(text.Length + 1), length = rng.NextInt(text.Length - start + 1);
                    text.Insert(at, text.ToString(start, length));
                    break;
            }
        }
        if (rng.NextInt(10) == 0) text.Length = rng.NextInt(text.Length + 1); // truncated
        return text.ToString();
    }

    private static void Try(Tally tally, string label, string text, CsvOptions options)
    {
        tally.Tried++;
        try
        {
            Dataset data = CsvReader.Read(new StringReader(text), "fuzz.csv", options);
            string? problem = Check(data);
            if (problem is null) tally.Loaded++;
            else tally.Defects.Add($"{label}: loaded, but {problem}");
        }
        catch (InvalidDataException)
        {
            tally.Rejected++;
        }
        catch (Exception e)
        {
            tally.Defects.Add($"{label}: {e.GetType().Name}: {e.Message}");
        }
    }

    private static string? Check(Dataset data)
    {
        if (data.Count < 1 || data.FeatureSize < 1 || data.Features.Length != data.Count * data.FeatureSize) return "inconsistent shape";
        foreach (float v in data.Features) if (!float.IsFinite(v)) return $"non-finite feature {v}";
        foreach (float v in data.Targets) if (!float.IsFinite(v)) return $"non-finite target {v}";
        foreach (int label in data.Labels) if ((uint)label >= (uint)data.ClassCount) return $"label {label} outside [0, {data.ClassCount})";
        return null;
    }

    [Fact]
    public void MutationsLoadOrThrowInvalidData()
    {
        var tally = new Tally();
        var rng = new DeterministicRandom(1124);
        for (int f = 0; f < Files.Length; f++)
        {
            (string original, CsvOptions[] optionSets) = Files[f];
            foreach (CsvOptions options in optionSets) Try(tally, $"file {f} unchanged", original, options);
            for (int m = 0; m < MutationsPerFile; m++)
            {
                string mutated = Mutate(original, ref rng);
                for (int o = 0; o < optionSets.Length; o++) Try(tally, $"file {f} mutation {m} options {o}", mutated, optionSets[o]);
            }
        }
        output.WriteLine($"CSV fuzz: tried {tally.Tried}, loaded {tally.Loaded}, rejected {tally.Rejected}, defects {tally.Defects.Count}");
        foreach (string defect in tally.Defects[..Math.Min(20, tally.Defects.Count)]) output.WriteLine(defect);
        Assert.True(tally.Defects.Count == 0, $"{tally.Defects.Count} defects, first: {(tally.Defects.Count > 0 ? tally.Defects[0] : "")}");
        Assert.True(tally.Loaded > tally.Tried / 20, "a fair share of mutations should still load");
        Assert.True(tally.Rejected > tally.Tried / 10, "a fair share of mutations should be rejected");
    }
}
