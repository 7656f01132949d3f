using System;
using System.IO;
using NetGen.Data;

namespace NetGen.Tests.Data;

/// <summary>The Fashion-MNIST subset shipped in examples/FashionMnist/data loads and has the documented shape.</summary>
public class FashionMnistSubsetTests
{
    private static string DataFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
                return Path.Combine(dir.FullName, "examples", "FashionMnist", "data");
        }
        throw new DirectoryNotFoundException($"No NetGen.sln above {AppContext.BaseDirectory}.");
    }

    [Theory]
    [InlineData("train", 6000)]
    [InlineData("t10k", 1000)]
    public void ShippedSubsetLoads(string prefix, int count)
    {
        string folder = DataFolder();
        string images = Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz");
        IdxImages raw = IdxReader.ReadImages(images);
        Assert.Equal((count, 28, 28), (raw.Count, raw.Rows, raw.Columns));

        Dataset data = IdxReader.LoadDataset(images, Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"));
        Assert.Equal(count, data.Count);
        Assert.Equal(28 * 28, data.FeatureSize);
        Assert.Equal(10, data.ClassCount);
        var perClass = new int[10];
        foreach (int label in data.Labels) perClass[label]++; // range checked by LoadDataset
        Assert.All(perClass, n => Assert.True(n > count / 20, "every class is present"));
        float min = float.MaxValue, max = float.MinValue;
        foreach (float x in data.Features) { min = MathF.Min(min, x); max = MathF.Max(max, x); }
        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
    }
}
