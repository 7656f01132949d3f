using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using NetGen;
using NetGen.Data;
using NetGen.Training;

// Transfer learning and greedy layer-wise pre-training on Fashion-MNIST, the course's two ways to do well with few
// labels. Classes 0–4 (T-shirt, trouser, pullover, dress, coat) are the source task with every label; classes 5–9
// (sandal, shirt, sneaker, bag, ankle boot) are the target task with only --labels images per class. Three classifiers
// of the same shape (784-256-128-5) learn the target task from those few labels:
//   scratch   : random weights, every layer trained;
//   transfer  : both hidden layers copied from the source-task network (CopyLayerFrom) and frozen (SetTrainable),
//               only the new head trained; and the same start with every layer fine-tuned;
//   pretrained: both hidden layers pre-trained greedily, one autoencoder per layer, on the target task's images
//               *without* labels, then every layer fine-tuned on the few labels.
//
//   dotnet run -c Release --project examples/Transfer -- [--labels 100] [--epochs 10] [--seed 1] [--data DIR]
var options = new Dictionary<string, string>();
for (int i = 0; i + 1 < args.Length; i += 2) options[args[i].TrimStart('-')] = args[i + 1];
int perClass = int.Parse(options.GetValueOrDefault("labels", "100"), CultureInfo.InvariantCulture);
int epochs = int.Parse(options.GetValueOrDefault("epochs", "10"), CultureInfo.InvariantCulture);
int seed = int.Parse(options.GetValueOrDefault("seed", "1"), CultureInfo.InvariantCulture);
string data = options.GetValueOrDefault("data", Directory.Exists("/usr/share/datasets/fashion-mnist")
    ? "/usr/share/datasets/fashion-mnist"
    : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "FashionMnist", "data"));

var train = IdxReader.LoadDataset(Path.Combine(data, "train-images-idx3-ubyte.gz"), Path.Combine(data, "train-labels-idx1-ubyte.gz"));
var test = IdxReader.LoadDataset(Path.Combine(data, "t10k-images-idx3-ubyte.gz"), Path.Combine(data, "t10k-labels-idx1-ubyte.gz"));
Console.WriteLine($"Fashion-MNIST from {Path.GetFullPath(data)}: {train.Count:N0} training and {test.Count:N0} test images");

var sourceTrain = Classes(train, 0, int.MaxValue).Shuffle(seed);
var sourceTest = Classes(test, 0, int.MaxValue);
var targetFew = Classes(train, 5, perClass).Shuffle(seed);
var targetUnlabeled = Classes(train, 5, int.MaxValue); // the same classes' images, labels unused
var targetTest = Classes(test, 5, int.MaxValue);
Console.WriteLine($"source task (classes 0–4): {sourceTrain.Count:N0} labeled images; target task (classes 5–9): {targetFew.Count} labeled, " +
    $"{targetUnlabeled.Count:N0} unlabeled; tests {sourceTest.Count:N0} and {targetTest.Count:N0} images");
var clock = Stopwatch.StartNew();

// The source network, on every source label.
var source = new Classifier(seed);
Fit(source, sourceTrain, 5, 64, new Adam(1e-3f));
Console.WriteLine($"source network on classes 0–4: test accuracy {Accuracy(source, sourceTest):P2} ({clock.Elapsed.TotalSeconds:F0} s)");

// 1. From scratch on the few labels.
var scratch = new Classifier(seed + 1);
Fit(scratch, targetFew, epochs * 10, 32, new Adam(1e-3f));

// 2. Transfer: the source's features, frozen; a new head (Classifier's own random "head") trained on the few labels.
var transfer = new Classifier(seed + 1);
transfer.CopyLayerFrom(source, "features1");
transfer.CopyLayerFrom(source, "features2");
transfer.SetTrainable("features1", false);
transfer.SetTrainable("features2", false);
Fit(transfer, targetFew, epochs * 10, 32, new Adam(1e-3f));

// 2b. Transfer, then fine-tuning: the source's features as the starting point, every layer trained.
var transferTuned = new Classifier(seed + 1);
transferTuned.CopyLayerFrom(source, "features1");
transferTuned.CopyLayerFrom(source, "features2");
Fit(transferTuned, targetFew, epochs * 10, 32, new Adam(1e-3f));

// 3. Greedy layer-wise pre-training on the unlabeled target images: each hidden layer learns to reconstruct its input.
var first = new FirstLayerAutoencoder(seed + 2);
Fit(first, Reconstruction(targetUnlabeled.Features.ToArray(), 784), epochs, 64, new Adam(1e-3f));
var codes = new float[targetUnlabeled.Count * 256];
first.PredictLayer("features1", targetUnlabeled.Features, codes, targetUnlabeled.Count);
var second = new SecondLayerAutoencoder(seed + 3);
Fit(second, Reconstruction(codes, 256), epochs, 64, new Adam(1e-3f));
var pretrained = new Classifier(seed + 1);
pretrained.CopyLayerFrom(first, "features1");
pretrained.CopyLayerFrom(second, "features2");
Fit(pretrained, targetFew, epochs * 10, 32, new Adam(1e-3f));

Console.WriteLine();
Console.WriteLine($"Target task (classes 5–9), {perClass} labels per class, test accuracy on {targetTest.Count:N0} images:");
Console.WriteLine($"  from scratch                              {Accuracy(scratch, targetTest):P2}");
Console.WriteLine($"  transfer (source features frozen)         {Accuracy(transfer, targetTest):P2}");
Console.WriteLine($"  transfer, then fine-tuning every layer    {Accuracy(transferTuned, targetTest):P2}");
Console.WriteLine($"  greedy pre-training, then fine-tuning     {Accuracy(pretrained, targetTest):P2}");
Console.WriteLine($"({clock.Elapsed.TotalSeconds:F0} s in all; seed {seed})");
return 0;

// The images of the five classes starting at `first`, at most `perClass` of each, labels shifted to 0–4.
static Dataset Classes(Dataset all, int first, int perClass)
{
    var indices = new List<int>();
    var taken = new int[5];
    for (int i = 0; i < all.Count; i++)
    {
        int c = all.GetLabel(i) - first;
        if (c is >= 0 and < 5 && taken[c] < perClass) { indices.Add(i); taken[c]++; }
    }
    var subset = all.Subset(indices.ToArray());
    var labels = subset.Labels.ToArray();
    for (int i = 0; i < labels.Length; i++) labels[i] -= first;
    return Dataset.FromLabels(subset.Features.ToArray(), 784, labels, 5);
}

static Dataset Reconstruction(float[] features, int size) => Dataset.FromTargets(features, size, features, size);

static void Fit(INetwork net, Dataset data, int epochs, int batch, Optimizer optimizer)
{
    for (int epoch = 0; epoch < epochs; epoch++)
    {
        var shuffled = data.Shuffle(epoch + 17);
        for (int start = 0; start + batch <= shuffled.Count; start += batch)
        {
            var inputs = shuffled.Features.Slice(start * shuffled.FeatureSize, batch * shuffled.FeatureSize);
            if (shuffled.HasLabels) net.TrainBatch(inputs, shuffled.Labels.Slice(start, batch), batch);
            else net.TrainBatch(inputs, shuffled.Targets.Slice(start * shuffled.TargetSize, batch * shuffled.TargetSize), batch);
            optimizer.Step(net);
        }
    }
}

static double Accuracy(INetwork net, Dataset data) => Evaluator.Evaluate(net, data).Accuracy ?? double.NaN;

[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU, Name = "features1")]
[Dense(128, Activation.ReLU, Name = "features2")]
[Dense(5, Activation.Softmax, Name = "head")]
public partial class Classifier { }

// 784 → 256 → 784: the first hidden layer, learning to reconstruct the image it sees (pixels in [0, 1]).
[Network(Loss.BinaryCrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU, Name = "features1")]
[Dense(784, Activation.Sigmoid, Name = "decoder1")]
public partial class FirstLayerAutoencoder { }

// 256 → 128 → 256 on the first layer's codes (ReLU outputs, unbounded: squared error).
[Network(Loss.MeanSquaredError)]
[Input(256)]
[Dense(128, Activation.ReLU, Name = "features2")]
[Dense(256, Activation.Identity, Name = "decoder2")]
public partial class SecondLayerAutoencoder { }
