using System;
using System.Globalization;

namespace FashionMnist;

/// <summary>Command-line options; every flag has a default so a bare run does the main job.</summary>
internal sealed record Options(string DataDirectory, string Model, int Epochs, int BatchSize, float LearningRate, int Seed,
    string? LoadPath, string SavePath, string PlotPath, int? TrainLimit, string? OnnxPath = null, bool Compress = false)
{
    public const string DebianDataDirectory = "/usr/share/datasets/fashion-mnist";

    public static Options Parse(string[] args)
    {
        var o = new Options(DebianDataDirectory, "mlp", 10, 64, 1e-3f, 1, null, "", "", null);
        bool saveGiven = false, plotGiven = false, epochsGiven = false, batchGiven = false, rateGiven = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--data": o = o with { DataDirectory = Value() }; break;
                case "--model": o = o with { Model = Value().ToLowerInvariant() }; break;
                case "--epochs": o = o with { Epochs = int.Parse(Value(), CultureInfo.InvariantCulture) }; epochsGiven = true; break;
                case "--batch": o = o with { BatchSize = int.Parse(Value(), CultureInfo.InvariantCulture) }; batchGiven = true; break;
                case "--lr": o = o with { LearningRate = float.Parse(Value(), CultureInfo.InvariantCulture) }; rateGiven = true; break;
                case "--seed": o = o with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) }; break;
                case "--load": o = o with { LoadPath = Value() }; break;
                case "--save": o = o with { SavePath = Value() }; saveGiven = true; break;
                case "--plot": o = o with { PlotPath = Value() }; plotGiven = true; break;
                case "--compress": o = o with { Compress = true }; break;
                case "--limit": o = o with { TrainLimit = int.Parse(Value(), CultureInfo.InvariantCulture) }; break;
                case "--export-onnx": o = o with { OnnxPath = Value() }; break;
                case "-h" or "--help": throw new HelpRequested();
                default: throw new ArgumentException($"unknown option '{args[i]}' (try --help)");
            }
        }
        if (o.Model is not ("mlp" or "conv" or "lstm")) throw new ArgumentException($"--model must be mlp, conv or lstm, not '{o.Model}'");
        // The convnet's recipe: 5 epochs, smaller batches and a higher starting rate, annealed each epoch.
        if (o.Model == "conv")
        {
            if (!epochsGiven) o = o with { Epochs = 5 };
            if (!batchGiven) o = o with { BatchSize = 32 };
            if (!rateGiven) o = o with { LearningRate = 1.5e-3f };
        }
        // The LSTM's recipe: 28 rows of 28 pixels, more epochs at a higher rate, annealed each epoch.
        if (o.Model == "lstm")
        {
            if (!epochsGiven) o = o with { Epochs = 15 };
            if (!rateGiven) o = o with { LearningRate = 2e-3f };
        }
        if (!saveGiven) o = o with { SavePath = $"fashion-{o.Model}.ngck" };
        if (!plotGiven) o = o with { PlotPath = $"fashion-{o.Model}.svg" };
        return o;
    }

    public const string Help = """
        Trains a network on Fashion-MNIST and reports test accuracy.

          --data DIR      folder with the four IDX files (default /usr/share/datasets/fashion-mnist,
                          from Debian's dataset-fashion-mnist; falls back to the subset shipped in data/)
          --model NAME    mlp (784-256-128-10, default), conv (conv 20@5x5, max-pool 2, dense 100, dense 10)
                          or lstm (each image as 28 steps of 28 pixels, LSTM 128, dropout 0.25, dense 10)
          --epochs N      training epochs (default 10 for mlp, 5 for conv, 15 for lstm)
          --batch N       mini-batch size (default 64 for mlp and lstm, 32 for conv)
          --lr X          Adam learning rate (default 0.001 for mlp, 0.0015 for conv, 0.002 for lstm)
          --seed N        weights, shuffles and dropout masks (default 1)
          --limit N       train on the first N training images only
          --save PATH     where the best model is saved (default fashion-<model>.ngck)
          --load PATH     skip training: evaluate a saved model
          --compress      with --load and the mlp: factor both hidden layers into rank-r U·V (truncated SVD)
                          and report test accuracy against rank and parameter count
          --plot PATH     SVG of the loss and accuracy curves (default fashion-<model>.svg)
          --export-onnx PATH
                          also write the trained (or loaded) model as ONNX, for ONNX Runtime, ML.NET, Python;
                          it takes pixels standardized as this example does (see README)
        """;
}

internal sealed class HelpRequested : Exception { }
