using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FashionMnist;
using NetGen;
using NetGen.Data;
using NetGen.Training;
using Spectre.Console;

// Fashion-MNIST, NetGen's main job: load the data, train with Adam, report test accuracy, save the model.
Options options;
try { options = Options.Parse(args); }
catch (HelpRequested) { Console.WriteLine(Options.Help); return 0; }
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

const string PixelsName = "pixels"; // the standardizer's name inside the saved model
string[] classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
var (train, test, source) = Data.Load(options.DataDirectory, classNames);
if (options.TrainLimit is int limit && limit < train.Count) train = train.Take(limit);
AnsiConsole.MarkupLine($"[bold]Fashion-MNIST[/] from {Markup.Escape(source)}: {train.Count:N0} training and {test.Count:N0} test images");

INetwork net = options.Model switch
{
    "conv" => new FashionConv(options.Seed),
    "lstm" => new FashionLstm(options.Seed),
    _ => new FashionMlp(options.Seed),
};
AnsiConsole.MarkupLine($"[bold]{net.GetType().Name}[/]: {Markup.Escape(net.Architecture)}, {net.ParameterCount:N0} parameters");

if (options.LoadPath is not null)
{
    // The model carries the standardizer it was trained with: the test images get exactly those statistics.
    var report = net.Load(options.LoadPath, new LoadOptions());
    if (!report.Preprocessing.TryGetValue(PixelsName, out var saved))
    {
        Console.Error.WriteLine($"error: {options.LoadPath} holds no '{PixelsName}' standardizer; save it again with this example.");
        return 1;
    }
    AnsiConsole.MarkupLine($"Loaded {Markup.Escape(options.LoadPath)} with its '{PixelsName}' standardizer");
    var standardizedTest = saved.Apply(test);
    Report.Test(Evaluator.Evaluate(net, standardizedTest), classNames);
    if (options.Compress && net is FashionMlp mlp) Compression.Table(mlp, standardizedTest);
    ExportOnnx(net, options.OnnxPath);
    return 0;
}

// Standardize every pixel with statistics of the training images (worth about 0.7 points of test accuracy here).
// The saved model keeps these statistics, so --load applies them without the training images' help.
var standardizer = Standardizer.Fit(train);
train = standardizer.Apply(train);
test = standardizer.Apply(test);

// Hold out a validation set from the training images: it picks the best epoch and drives the schedule.
var (fit, validation) = train.Split(validationFraction: 1.0 / 12, seed: options.Seed);
var adam = new Adam(options.LearningRate);
var trainer = new Trainer(net, adam, new TrainerOptions
{
    Epochs = options.Epochs,
    BatchSize = options.BatchSize,
    Seed = options.Seed,
    // The MLP trains 10 epochs and settles when the validation loss stalls; the convnet has 5, so it anneals every epoch,
    // and so does the LSTM, more gently over its 15.
    Schedule = options.Model switch
    {
        "conv" => new ExponentialDecay(options.LearningRate, 0.5f),
        "lstm" => new ExponentialDecay(options.LearningRate, 0.85f),
        _ => new ReduceOnPlateau(factor: 0.3f, patience: 1),
    },
    // The LSTM's validation loss bottoms out epochs before its accuracy does (it grows confident on the few it gets
    // wrong): keep the epoch with the best validation accuracy instead.
    EarlyStopping = new EarlyStopping
    {
        Patience = 4,
        RestoreBestWeights = true,
        Monitor = options.Model == "lstm" ? MonitoredLoss.ValidationAccuracy : MonitoredLoss.ValidationLoss,
    },
    CheckpointPath = options.SavePath,
});

var history = Report.Train(trainer, fit, validation, options.Epochs);
string best = history.Monitor == MonitoredLoss.ValidationAccuracy ? $"validation accuracy {history.BestValue:P2}" : $"validation loss {history.BestValue:F4}";
AnsiConsole.MarkupLine($"Best epoch {history.BestEpoch + 1} ({best}); {Markup.Escape(history.ReasonText)}. Saved to {Markup.Escape(options.SavePath)}");

// The trainer's checkpoint holds the best weights; save them again with the standardizer, as one model file.
var model = new SaveOptions();
model.Preprocessing[PixelsName] = standardizer;
net.Save(options.SavePath, model);

var result = Evaluator.Evaluate(net, test);
Report.Test(result, classNames);
Report.Curves(history);
Plot.WriteSvg(history, options.PlotPath, $"{net.GetType().Name} on Fashion-MNIST: test accuracy {result.Accuracy:P2}");
AnsiConsole.MarkupLine($"Curves written to {Markup.Escape(Path.GetFullPath(options.PlotPath))}");
ExportOnnx(net, options.OnnxPath);
return 0;

// --export-onnx: the inference graph (dropout omitted) with the weights in the network now, the best epoch's after training.
static void ExportOnnx(INetwork net, string? path)
{
    if (path is null) return;
    net.ExportOnnx(path);
    AnsiConsole.MarkupLine($"ONNX model written to {Markup.Escape(Path.GetFullPath(path))}");
}

/// <summary>Low-rank compression of the MLP: both hidden layers as rank-r U·V from their truncated SVD, no retraining.</summary>
static class Compression
{
    public static void Table(FashionMlp full, Dataset test)
    {
        INetwork[] compressed = [new FashionMlpRank8(1), new FashionMlpRank16(1), new FashionMlpRank32(1), new FashionMlpRank64(1)];
        var table = new Table().AddColumn("rank").AddColumn(new TableColumn("parameters").RightAligned())
            .AddColumn(new TableColumn("of full").RightAligned()).AddColumn(new TableColumn("‖W − UV‖/‖W‖ (layer 1, 3)").RightAligned())
            .AddColumn(new TableColumn("test accuracy").RightAligned());
        table.AddRow("full", $"{full.ParameterCount:N0}", "100 %", "0, 0", $"{Evaluator.Evaluate(full, test).Accuracy:P2}");
        foreach (INetwork net in compressed)
        {
            double first = LowRank.Factorize(full, "Dense1", net, "LowRankDense1");
            double second = LowRank.Factorize(full, "Dense3", net, "LowRankDense3");
            net.CopyLayerFrom(full, "Dense4");
            int rank = (net.Layers[0].ParameterCount - 256) / (784 + 256);
            table.AddRow($"{rank}", $"{net.ParameterCount:N0}", $"{100.0 * net.ParameterCount / full.ParameterCount:F1} %",
                $"{first:F3}, {second:F3}", $"{Evaluator.Evaluate(net, test).Accuracy:P2}");
        }
        AnsiConsole.Write(table);
    }
}

/// <summary>Where the images come from: the full set when it is installed, else the subset shipped with the example.</summary>
static class Data
{
    static readonly string[] Files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    public static (Dataset Train, Dataset Test, string Source) Load(string directory, string[] classNames)
    {
        string folder = directory;
        string source = directory;
        if (!Files.All(f => File.Exists(Path.Combine(directory, f))))
        {
            folder = Path.Combine(AppContext.BaseDirectory, "data");
            source = "the subset shipped with this example (6,000 training and 1,000 test images)";
            AnsiConsole.MarkupLine($"[yellow]The full Fashion-MNIST set is not in {Markup.Escape(directory)}.[/] " +
                "Install it with [bold]sudo apt-get install dataset-fashion-mnist[/] (Debian/Ubuntu) or pass [bold]--data DIR[/] " +
                "with the four IDX files from https://github.com/zalandoresearch/fashion-mnist. Using the shipped subset for now.");
        }
        var train = IdxReader.LoadDataset(Path.Combine(folder, Files[0]), Path.Combine(folder, Files[1])).WithClassNames(classNames);
        var test = IdxReader.LoadDataset(Path.Combine(folder, Files[2]), Path.Combine(folder, Files[3])).WithClassNames(classNames);
        return (train, test, source);
    }
}
