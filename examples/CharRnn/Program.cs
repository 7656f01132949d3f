using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NetGen;
using NetGen.Kernels;

// A character-level LSTM language model on Debian's fortunes: the model, data, split and optimizer of
// benchmarks/peer/pytorch_charrnn.py, so the two report comparable validation bits per character; then text sampled
// at a temperature from a stateful copy that reads one character at a time.
//
//   dotnet run -c Release --project examples/CharRnn -- [--text FILE] [--epochs N] [--seed S] [--threads T]
//                                                       [--temperature X] [--sample CHARS]
//
// Text: the file's bytes (default: data/fortunes-subset.txt, six whole fortune files; data/make_subset.py rebuilds
// it). The first 90% trains, the last 10% validates. Vocabulary: id 0 for a byte the training text never holds, ids
// 1.. for its distinct bytes sorted by value. Pieces of 64 inputs and the 64 next bytes as targets, cut without
// overlap in order; 32 pieces to a batch, in order, no shuffling, a last short batch dropped; every piece starts from
// a zero state. Embedding(V, 32) → LSTM(128) over every step → Dense(V, Softmax) at every step; cross-entropy
// averaged over batch and steps; Adam 2e-3.
var options = Options.Parse(args);
if (options is null) return 2;
Parallelism.MaxDegreeOfParallelism = options.Threads;

byte[] data = File.ReadAllBytes(options.Text);
int cut = data.Length * 9 / 10;
var trainBytes = data.AsSpan(0, cut).ToArray();
var validationBytes = data.AsSpan(cut).ToArray();
byte[] alphabet = trainBytes.Distinct().Order().ToArray();
if (alphabet.Length + 1 > CharRnnModel.Vocabulary)
{
    Console.Error.WriteLine($"{options.Text}: the training text holds {alphabet.Length} distinct bytes, but the model is compiled for " +
        $"{CharRnnModel.Vocabulary - 1} (CharRnnModel.Vocabulary = {CharRnnModel.Vocabulary}, id 0 reserved); raise it in Program.cs");
    return 1;
}
var ids = new int[256];
for (int k = 0; k < alphabet.Length; k++) ids[alphabet[k]] = k + 1;
int[] train = Array.ConvertAll(trainBytes, b => ids[b]), validation = Array.ConvertAll(validationBytes, b => ids[b]);
int trainPieces = (train.Length - 1) / CharRnnModel.Steps, validationPieces = (validation.Length - 1) / CharRnnModel.Steps;
int batches = trainPieces / CharRnnModel.Batch;
if (batches < 1 || validationPieces < 1)
{
    Console.Error.WriteLine($"{options.Text}: {data.Length} bytes give {trainPieces} training and {validationPieces} validation pieces of {CharRnnModel.Steps} steps; need {CharRnnModel.Batch} and 1");
    return 1;
}
Console.WriteLine($"# {options.Text}: {data.Length:N0} bytes, {train.Length:N0} train / {validation.Length:N0} validation; V = {CharRnnModel.Vocabulary} " +
    $"({alphabet.Length} characters + id 0{(alphabet.Length + 1 < CharRnnModel.Vocabulary ? $", {CharRnnModel.Vocabulary - alphabet.Length - 1} ids unused" : "")}; " +
    $"{validation.Count(id => id == 0)} validation bytes unknown); {batches} batches of {CharRnnModel.Batch} x {CharRnnModel.Steps} per epoch; " +
    $"seed {options.Seed}, threads {Parallelism.MaxDegreeOfParallelism}");

var net = new CharRnnModel(options.Seed);
var adam = new Adam(2e-3f);
var tokens = new int[CharRnnModel.Batch * CharRnnModel.Steps];
var labels = new int[tokens.Length];
var probabilities = new float[tokens.Length * CharRnnModel.Vocabulary];

// Pieces [first, first + count) of a part into tokens and labels: piece k's inputs are ids [64k, 64k + 64), its
// targets the next ids.
void Fill(int[] part, int first, int count)
{
    for (int p = 0; p < count; p++)
    {
        int start = (first + p) * CharRnnModel.Steps;
        part.AsSpan(start, CharRnnModel.Steps).CopyTo(tokens.AsSpan(p * CharRnnModel.Steps));
        part.AsSpan(start + 1, CharRnnModel.Steps).CopyTo(labels.AsSpan(p * CharRnnModel.Steps));
    }
}

double ValidationBitsPerCharacter()
{
    double total = 0;
    long count = 0;
    for (int first = 0; first < validationPieces; first += CharRnnModel.Batch)
    {
        int pieces = Math.Min(CharRnnModel.Batch, validationPieces - first), n = pieces * CharRnnModel.Steps;
        Fill(validation, first, pieces);
        net.Predict(tokens.AsSpan(0, n), probabilities.AsSpan(0, n * CharRnnModel.Vocabulary), pieces);
        for (int k = 0; k < n; k++) total -= Math.Log(Math.Max(probabilities[k * CharRnnModel.Vocabulary + labels[k]], 1e-30f));
        count += n;
    }
    return total / count / Math.Log(2);
}

for (int epoch = 1; epoch <= options.Epochs; epoch++)
{
    var clock = Stopwatch.StartNew();
    double loss = 0;
    for (int b = 0; b < batches; b++)
    {
        Fill(train, b * CharRnnModel.Batch, CharRnnModel.Batch);
        loss += net.TrainBatch(tokens, labels, CharRnnModel.Batch);
        adam.Step(net);
    }
    double seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(FormattableString.Invariant($"epoch {epoch} train_bpc {loss / batches / Math.Log(2):F4} val_bpc {ValidationBitsPerCharacter():F4} seconds {seconds:F1}"));
}

// Sampling: a copy that takes one character per call and carries (h, c) from call to call. Same layers, so the same
// parameters; primed with a fortune separator, then each drawn character is fed back.
var sampler = new CharRnnSampler(options.Seed);
net.Parameters.CopyTo(sampler.Parameters);
sampler.ResetState();
var random = new SplitMix((ulong)options.Seed);
var next = new float[CharRnnModel.Vocabulary];
var text = new System.Text.StringBuilder();
foreach (char c in "%\n") sampler.Predict(new[] { ids[c] }, next, 1);
for (int i = 0; i < options.SampleLength; i++)
{
    // p^(1/T), renormalized: T < 1 sharpens towards the likeliest characters, T > 1 flattens.
    double sum = 0;
    for (int k = 1; k < next.Length; k++) sum += Math.Pow(next[k], 1 / options.Temperature);
    double u = random.NextFloat() * sum;
    int pick = next.Length - 1;
    for (int k = 1; k < next.Length; k++)
    {
        u -= Math.Pow(next[k], 1 / options.Temperature);
        if (u <= 0) { pick = k; break; }
    }
    if (pick > alphabet.Length) pick = alphabet.Length; // an unused id (a vocabulary larger than the text's): never drawn in practice
    text.Append((char)alphabet[pick - 1]);
    sampler.Predict(new[] { pick }, next, 1);
}
Console.WriteLine($"# sample, temperature {options.Temperature.ToString(CultureInfo.InvariantCulture)}:");
Console.WriteLine(text.ToString());
return 0;

/// <summary>
/// The trained model: 64 steps of ids → 64 distributions over the next byte. Initialized as close to PyTorch's
/// defaults as the declarations go: the LSTM's U[±1/√128] is PyTorch's; the Dense weights' U[±1/√128] (FanIn) is
/// nn.Linear's, whose biases start at U[±1/√128] where these start at zero; the embedding's U[±√3] has nn.Embedding's
/// unit variance, not its normal shape.
/// </summary>
[Network(Loss.CrossEntropy)]
[Input(CharRnnModel.Steps)]
[Embedding(CharRnnModel.Vocabulary, 32)]
[LSTM(128, ReturnSequences = true)]
[Dense(CharRnnModel.Vocabulary, Activation.Softmax, Init = Init.FanIn)]
public partial class CharRnnModel
{
    /// <summary>Ids: 0 for unknown, then the distinct bytes of the shipped subset's training part (89 of them).</summary>
    public const int Vocabulary = 90;
    public const int Steps = 64, Batch = 32;
}

/// <summary>The same layers one step at a time, carrying the LSTM's state from call to call.</summary>
[Network(Loss.CrossEntropy)]
[Input(1)]
[Embedding(CharRnnModel.Vocabulary, 32)]
[LSTM(128, ReturnSequences = true, Stateful = true)]
[Dense(CharRnnModel.Vocabulary, Activation.Softmax, Init = Init.FanIn)]
public partial class CharRnnSampler { }

sealed record Options(string Text, int Epochs, int Seed, int Threads, double Temperature, int SampleLength)
{
    public static Options? Parse(string[] args)
    {
        var o = new Options(Path.Combine(AppContext.BaseDirectory, "data", "fortunes-subset.txt"), 5, 1, Environment.ProcessorCount, 0.8, 600);
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                o = args[i] switch
                {
                    "--text" => o with { Text = Next() },
                    "--epochs" => o with { Epochs = Positive("--epochs", Next()) },
                    "--seed" => o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--threads" => o with { Threads = Positive("--threads", Next()) },
                    "--temperature" => o with { Temperature = double.Parse(Next(), CultureInfo.InvariantCulture) is > 0 and var t ? t : throw new ArgumentException("--temperature must be positive") },
                    "--sample" => o with { SampleLength = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    _ => throw new ArgumentException($"unknown option {args[i]}"),
                };
            }
            if (!File.Exists(o.Text)) throw new ArgumentException($"no text file at {o.Text}");
            return o;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"{e.Message}\nusage: CharRnn [--text FILE] [--epochs N] [--seed S] [--threads T] [--temperature X] [--sample CHARS]");
            return null;
        }
    }

    static int Positive(string name, string value)
        => int.Parse(value, CultureInfo.InvariantCulture) is >= 1 and var v ? v : throw new ArgumentException($"{name} must be at least 1, but was {value}");
}
