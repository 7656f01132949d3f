using System;
using System.Diagnostics;
using System.IO;
using NetGen.Data;
using NetGen.Training;

namespace NetGen.Tests.Training;

[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class EndToEndFashionMlp { }

/// <summary>The main job in miniature: the shipped real subset, the public API end to end, a sensible accuracy.</summary>
public class FashionMnistEndToEndTests
{
    static string DataFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
                return Path.Combine(dir.FullName, "examples", "FashionMnist", "data");
        throw new DirectoryNotFoundException($"No NetGen.sln above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void TrainsOnTheShippedSubsetToAReasonableAccuracyAndSurvivesASaveLoadRoundTrip()
    {
        string folder = DataFolder();
        var train = IdxReader.LoadDataset(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"));
        var test = IdxReader.LoadDataset(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));
        var standardizer = Standardizer.Fit(train);
        train = standardizer.Apply(train);
        test = standardizer.Apply(test);

        var net = new EndToEndFashionMlp(seed: 1);
        var clock = Stopwatch.StartNew();
        var history = new Trainer(net, new Adam(1e-3f), new TrainerOptions { Epochs = 5, BatchSize = 32, Seed = 1 }).Fit(train);
        var result = Evaluator.Evaluate(net, test);
        clock.Stop();

        Assert.Equal(5, history.Epochs.Count);
        Assert.True(history.Epochs[^1].TrainingLoss < history.Epochs[0].TrainingLoss);
        Assert.True(result.Accuracy >= 0.80, $"test accuracy {result.Accuracy:P2} on the 1,000 shipped test images after {clock.Elapsed.TotalSeconds:F1} s");
        // Generous: about a second of work on two cores; a minute means something is badly wrong.
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");

        string path = Path.Combine(Path.GetTempPath(), $"netgen-e2e-{Environment.ProcessId}.ngck");
        try
        {
            net.Save(path);
            var loaded = new EndToEndFashionMlp(seed: 2);
            loaded.Load(path);
            Assert.Equal(result.Accuracy, Evaluator.Evaluate(loaded, test).Accuracy);
        }
        finally { File.Delete(path); }
    }
}
