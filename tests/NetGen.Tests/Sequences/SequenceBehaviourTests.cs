using System;
using System.Linq;
using NetGen.Data;

namespace NetGen.Tests.Sequences;

/// <summary>
/// How declared sequence networks treat their callers: bad token ids and label counts are refused with their position
/// and value at every entry point, nothing allocates per call once warm, a seed fixes everything, inference computes
/// what training computes, and Predict past its 256-sample chunk is the same as sample by sample.
/// </summary>
public class SequenceBehaviourTests
{
    const int Steps = 7, Vocabulary = 11, Classes = 11;

    static TinyNextToken Net() => new(21);

    static int[] Ids(int batch, int seed)
    {
        var random = new DeterministicRandom((ulong)seed);
        return Enumerable.Range(0, batch * Steps).Select(_ => random.NextInt(Vocabulary)).ToArray();
    }

    static float[] Floats(int[] ids) => ids.Select(v => (float)v).ToArray();

    public static TheoryData<string, float> BadIds() => new()
    {
        { "Forward(int)", -1 }, { "Forward(int)", Vocabulary }, { "Forward(float)", -1 }, { "Forward(float)", Vocabulary }, { "Forward(float)", 2.5f }, { "Forward(float)", float.NaN },
        { "Predict(int)", -1 }, { "Predict(int)", Vocabulary }, { "Predict(float)", Vocabulary }, { "Predict(float)", 0.5f }, { "Predict(float)", float.NaN },
        { "PredictLayer(int)", Vocabulary }, { "PredictLayer(float)", -3 }, { "PredictLayer(float)", 3.25f },
        { "TrainBatch(int, targets)", -1 }, { "TrainBatch(int, labels)", Vocabulary }, { "TrainBatch(float, targets)", Vocabulary },
        { "TrainBatch(float, targets)", 1.5f }, { "TrainBatch(float, labels)", -1 }, { "TrainBatch(float, labels)", 7.75f },
        { "TrainBatch(float, labels)", float.PositiveInfinity },
    };

    /// <summary>An id outside [0, vocabulary), or a float id that is not a whole number: ArgumentException naming its position and value; the network is untouched.</summary>
    [Theory]
    [MemberData(nameof(BadIds))]
    public void A_bad_token_id_is_refused_with_its_position_and_value_at_every_entry_point(string entry, float bad)
    {
        var net = Net();
        var before = net.Parameters.ToArray();
        const int batch = 2;
        int position = entry.StartsWith("Forward") ? 4 : Steps + 2; // the second sample's third step
        var ids = Ids(batch, 3);
        var floats = Floats(ids);
        floats[position] = bad;
        if (bad == Math.Floor(bad) && !float.IsInfinity(bad)) ids[position] = (int)bad;
        bool usesInts = entry.Contains("(int");
        Assert.True(!usesInts || ids[position] == (int)bad);
        var outputs = new float[batch * net.OutputSize];
        var targets = new float[batch * net.OutputSize];
        var labels = new int[batch * Steps];
        var layerOut = new float[batch * Steps * 6];
        Action call = entry switch
        {
            "Forward(int)" => () => net.Forward(ids.AsSpan(0, Steps), outputs.AsSpan(0, net.OutputSize)),
            "Forward(float)" => () => net.Forward(floats.AsSpan(0, Steps), outputs.AsSpan(0, net.OutputSize)),
            "Predict(int)" => () => net.Predict(ids, outputs, batch),
            "Predict(float)" => () => net.Predict(floats, outputs, batch),
            "PredictLayer(int)" => () => net.PredictLayer("LSTM2", ids, layerOut, batch),
            "PredictLayer(float)" => () => net.PredictLayer("LSTM2", floats, layerOut, batch),
            "TrainBatch(int, targets)" => () => net.TrainBatch(ids, targets, batch),
            "TrainBatch(int, labels)" => () => net.TrainBatch(ids, labels, batch),
            "TrainBatch(float, targets)" => () => net.TrainBatch(floats, targets, batch),
            "TrainBatch(float, labels)" => () => net.TrainBatch(floats, labels, batch),
            _ => throw new ArgumentException(entry),
        };
        var error = Assert.ThrowsAny<ArgumentException>(call);
        string value = usesInts ? ((int)bad).ToString() : bad.ToString();
        Assert.Contains($"[{position}] is {value}", error.Message);
        Assert.Contains($"[0, {Vocabulary - 1}]", error.Message);
        Assert.Equal(before, net.Parameters.ToArray());
        Assert.Equal(0UL, net.TrainingStep);

        // The refusal leaves the network usable.
        floats[position] = 1;
        net.Predict(floats, outputs, batch);
        Assert.All(outputs, v => Assert.True(float.IsFinite(v)));
    }

    /// <summary>A bad id in a later 256-sample chunk of Predict is named by its position in the whole input, not in its chunk.</summary>
    [Fact]
    public void A_bad_id_past_the_first_predict_chunk_is_named_by_its_position_in_the_whole_input()
    {
        var net = Net();
        const int batch = 300;
        var floats = Floats(Ids(batch, 9));
        int position = 280 * Steps + 3;
        floats[position] = 0.5f;
        var outputs = new float[batch * net.OutputSize];
        var error = Assert.ThrowsAny<ArgumentException>(() => net.Predict(floats, outputs, batch));
        Assert.Contains($"[{position}] is 0.5", error.Message);
        error = Assert.ThrowsAny<ArgumentException>(() => net.PredictLayer("LSTM2", floats, new float[batch * Steps * 6], batch));
        Assert.Contains($"[{position}] is 0.5", error.Message);
    }

    /// <summary>A per-step output takes batch × steps labels: one per sample, or one short, is refused naming the count it needs.</summary>
    [Theory]
    [InlineData(3)]      // one per sample
    [InlineData(3 * Steps - 1)]
    [InlineData(3 * Steps + 1)]
    public void Per_step_labels_must_number_batch_times_steps(int count)
    {
        var net = Net();
        var ids = Ids(3, 4);
        var labels = new int[count];
        var fromInts = Assert.ThrowsAny<ArgumentException>(() => net.TrainBatch(ids, labels, 3));
        var fromFloats = Assert.ThrowsAny<ArgumentException>(() => net.TrainBatch(Floats(ids), labels, 3));
        foreach (var error in new[] { fromInts, fromFloats })
        {
            Assert.Contains((3 * Steps).ToString(), error.Message);
            Assert.Contains(count.ToString(), error.Message);
        }
        Assert.Equal(0UL, net.TrainingStep);
    }

    [Fact]
    public void A_label_outside_the_classes_is_refused_with_its_position()
    {
        var net = Net();
        var labels = new int[3 * Steps];
        labels[17] = Classes;
        var error = Assert.ThrowsAny<ArgumentException>(() => net.TrainBatch(Ids(3, 5), labels, 3));
        Assert.Contains("17", error.Message);
        Assert.Contains(Classes.ToString(), error.Message);
    }

    /// <summary>Once warm, TrainBatch (every overload), Predict, Forward, PredictLayer and an optimizer step allocate nothing, stateful or not.</summary>
    [Fact]
    public void Nothing_allocates_per_call_once_warm()
    {
        const int batch = 4;
        var next = Net();
        var ids = Ids(batch, 6);
        var floats = Floats(ids);
        var labels = Ids(batch, 7);
        var targets = new float[batch * next.OutputSize];
        var outputs = new float[batch * next.OutputSize];
        var layerOut = new float[batch * Steps * 6];
        var adam = new Adam(0.01f);

        var two = new TwoLayerLstm(3);
        var x = Enumerable.Range(0, batch * two.InputSize).Select(i => MathF.Sin(i)).ToArray();
        var twoLabels = new int[batch];
        var twoOut = new float[batch * two.OutputSize];
        var sgd = new Sgd(0.1f, 0.9f);

        var stateful = new StreamStateful(3);
        var streamIds = new int[batch * PeriodicStream.Chunk];
        var streamOut = new float[streamIds.Length * PeriodicStream.Vocabulary];

        var calls = new (string Name, Action Call)[]
        {
            ("TrainBatch(int, labels)", () => next.TrainBatch(ids, labels, batch)),
            ("TrainBatch(float, labels)", () => next.TrainBatch(floats, labels, batch)),
            ("TrainBatch(int, targets)", () => next.TrainBatch(ids, targets, batch)),
            ("TrainBatch(float, targets)", () => next.TrainBatch(floats, targets, batch)),
            ("Adam.Step", () => adam.Step(next)),
            ("Predict(int)", () => next.Predict(ids, outputs, batch)),
            ("Predict(float)", () => next.Predict(floats, outputs, batch)),
            ("Forward(int)", () => next.Forward(ids.AsSpan(0, Steps), outputs.AsSpan(0, next.OutputSize))),
            ("Forward(float)", () => next.Forward(floats.AsSpan(0, Steps), outputs.AsSpan(0, next.OutputSize))),
            ("PredictLayer(int)", () => next.PredictLayer("LSTM2", ids, layerOut, batch)),
            ("two-layer LSTM TrainBatch", () => two.TrainBatch(x, twoLabels, batch)),
            ("Sgd.Step", () => sgd.Step(two)),
            ("two-layer LSTM Predict", () => two.Predict(x, twoOut, batch)),
            ("stateful TrainBatch", () => stateful.TrainBatch(streamIds, streamIds, batch)),
            ("stateful Predict", () => stateful.Predict(streamIds, streamOut, batch)),
            ("ResetState", () => stateful.ResetState()),
        };
        foreach (var (_, call) in calls) for (int i = 0; i < 3; i++) call();
        var allocating = new System.Collections.Generic.List<string>();
        foreach (var (name, call) in calls)
        {
            long best = long.MaxValue;
            for (int window = 0; window < 3 && best != 0; window++) // best of three: a one-off runtime allocation cannot fail it
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 10; i++) call();
                best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            if (best != 0) allocating.Add($"{name}: {best} bytes per 10 calls");
        }
        Assert.True(allocating.Count == 0, string.Join("; ", allocating));
    }

    /// <summary>Two networks built with the same seed and fed the same batches hold bit-identical parameters after training; another seed differs.</summary>
    [Fact]
    public void The_same_seed_gives_bit_identical_training()
    {
        float[] Run(int seed)
        {
            var net = new TokenStack(seed);
            var stateful = new StreamStateful(seed);
            var adam = new Adam(0.01f);
            var adam2 = new Adam(0.01f);
            var random = new DeterministicRandom(77);
            var ids = new int[5 * 6];
            var labels = new int[5];
            var streamIds = new int[4 * PeriodicStream.Chunk];
            for (int step = 0; step < 8; step++)
            {
                for (int i = 0; i < ids.Length; i++) ids[i] = random.NextInt(5);
                for (int i = 0; i < labels.Length; i++) labels[i] = random.NextInt(3);
                for (int i = 0; i < streamIds.Length; i++) streamIds[i] = random.NextInt(PeriodicStream.Vocabulary);
                net.TrainBatch(ids, labels, 5);
                adam.Step(net);
                stateful.TrainBatch(streamIds, streamIds, 4);
                adam2.Step(stateful);
            }
            return net.Parameters.ToArray().Concat(stateful.Parameters.ToArray()).ToArray();
        }
        var first = Run(12);
        Assert.Equal(first, Run(12));
        Assert.NotEqual(first, Run(13));
    }

    /// <summary>
    /// For every network of the gradient checks: the loss recomputed from Predict's outputs equals the loss TrainBatch
    /// computes from its own forward pass (inference shares arrays that training keeps apart; a buffer reused too early shows here).
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Inference_computes_what_the_training_forward_computes(string name)
    {
        var (create, reference) = SequenceGradientTests.Networks[name];
        var net = create();
        var random = new DeterministicRandom(31);
        const int batch = 5;
        var data = SequenceData.MakeBatch(net, reference, batch, ref random);
        var outputs = new float[batch * net.OutputSize];
        net.Predict(data.Inputs, outputs, batch);
        int classes = net.Layers[^1].OutputShape[^1], rows = outputs.Length / classes;
        double expected = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            double y = outputs[i], t = data.Targets[i];
            expected += net.Loss switch
            {
                Loss.MeanSquaredError => 0.5 * (y - t) * (y - t),
                Loss.CrossEntropy => t == 0 ? 0 : -t * Math.Log(y),
                _ => -(t * Math.Log(y) + (1 - t) * Math.Log(1 - y)),
            };
        }
        expected /= rows;
        float trained = data.Labels is null ? net.TrainBatch(data.Inputs, data.Targets, batch) : net.TrainBatch(data.Inputs, data.Labels, batch);
        Assert.Equal(expected, trained, 2e-6 * Math.Max(1, Math.Abs(expected)));
    }

    public static TheoryData<string> Names() => new(SequenceGradientTests.Networks.Keys);

    /// <summary>300 samples run as a chunk of 256 and one of 44: the same as each sample alone, for ids as ints and as floats.</summary>
    [Fact]
    public void Predict_past_its_256_sample_chunk_equals_sample_by_sample()
    {
        const int batch = 300;
        var net = Net();
        var ids = Ids(batch, 8);
        var floats = Floats(ids);
        var all = new float[batch * net.OutputSize];
        var allFromFloats = new float[all.Length];
        net.Predict(ids, all, batch);
        net.Predict(floats, allFromFloats, batch);
        Assert.Equal(all, allFromFloats);
        var one = new float[net.OutputSize];
        double worst = 0;
        for (int n = 0; n < batch; n++)
        {
            net.Forward(ids.AsSpan(n * Steps, Steps), one);
            for (int k = 0; k < one.Length; k++) worst = Math.Max(worst, Math.Abs(one[k] - all[n * net.OutputSize + k]));
        }
        Assert.True(worst < 1e-6, $"max |Predict − Forward| = {worst:E2}");

        var two = new TwoLayerLstm(4);
        var x = Enumerable.Range(0, batch * two.InputSize).Select(i => MathF.Cos(0.37f * i)).ToArray();
        var twoAll = new float[batch * two.OutputSize];
        two.Predict(x, twoAll, batch);
        var twoOne = new float[two.OutputSize];
        worst = 0;
        for (int n = 0; n < batch; n++)
        {
            two.Forward(x.AsSpan(n * two.InputSize, two.InputSize), twoOne);
            for (int k = 0; k < twoOne.Length; k++) worst = Math.Max(worst, Math.Abs(twoOne[k] - twoAll[n * two.OutputSize + k]));
        }
        Assert.True(worst < 1e-6, $"two-layer LSTM: max |Predict − Forward| = {worst:E2}");
    }

    /// <summary>
    /// A stateful network predicting 300 rows (more than one 256-sample chunk) carries every row's state into the next
    /// call, as it does for a small batch: the second call continues each of the 300 streams.
    /// </summary>
    [Fact]
    public void A_stateful_network_carries_every_rows_state_past_the_predict_chunk()
    {
        const int rows = 300, chunk = PeriodicStream.Chunk, vocabulary = PeriodicStream.Vocabulary;
        var stateful = new StreamStateful(6);
        var whole = new StreamWhole(6);
        stateful.Parameters.CopyTo(whole.Parameters);
        var random = new DeterministicRandom(9);
        var wholeIds = new int[rows * PeriodicStream.Length];
        for (int i = 0; i < wholeIds.Length; i++) wholeIds[i] = random.NextInt(vocabulary);
        var expected = new float[wholeIds.Length * vocabulary];
        whole.Predict(wholeIds, expected, rows);

        var piece = new int[rows * chunk];
        var got = new float[piece.Length * vocabulary];
        double worst = 0;
        for (int c = 0; c < 2; c++)
        {
            for (int r = 0; r < rows; r++) Array.Copy(wholeIds, r * PeriodicStream.Length + c * chunk, piece, r * chunk, chunk);
            stateful.Predict(piece, got, rows);
            for (int r = 0; r < rows; r++)
                for (int k = 0; k < chunk * vocabulary; k++)
                    worst = Math.Max(worst, Math.Abs(got[r * chunk * vocabulary + k] - expected[(r * PeriodicStream.Length + c * chunk) * vocabulary + k]));
        }
        Assert.True(worst < 1e-5, $"300 stateful rows, two calls: max |Δ| against the whole sequence {worst:E2}");
    }
}
