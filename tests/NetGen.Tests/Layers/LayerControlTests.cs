using System;
using System.Linq;

namespace NetGen.Tests.Layers;

// Networks for run-time freezing and per-layer outputs: the hidden layers are wide enough (24 × 16 = 384 weights) that
// one goes through the SIMD kernels and the others are unrolled, so both emission paths are covered.

[Network(Loss.CrossEntropy)]
[Input(6)]
[Dense(16, Activation.Tanh, Name = "hidden1")]
[Dense(24, Activation.ReLU, Name = "hidden2")]
[Dropout(0.3, Name = "drop")]
[Dense(3, Activation.Softmax, Name = "out")]
public partial class FreezableMlp { }

[Network(Loss.CrossEntropy)]
[Input(1, 6, 6)]
[Conv2D(3, 3, Activation = Activation.ReLU, Name = "conv")]
[Flatten(Name = "flat")]
[Dense(4, Activation.Softmax, Name = "head")]
public partial class FreezableConv { }

[Network(Loss.MeanSquaredError)]
[Input(3)]
[Dense(4, Activation.Tanh, Trainable = false, Name = "fixed")]
[Dense(2, Name = "top")]
public partial class DeclaredFrozen { }

/// <summary>SetTrainable, PredictLayer, Summary and LayerInfo's text.</summary>
public class LayerControlTests
{
    static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = 2f * random.NextSingle() - 1f;
        return values;
    }

    static float[] Slice(INetwork net, string layer, bool gradients = false)
    {
        var info = net.Layers.Single(l => l.Name == layer);
        return (gradients ? net.Gradients : net.Parameters).Slice(info.ParameterOffset, info.ParameterCount).ToArray();
    }

    public static readonly TheoryData<string> Optimizers = new() { "Sgd", "SgdNesterov", "AdaGrad", "RmsProp", "Adam", "AdamW" };

    // Every one with state and weight decay: the hand-zeroed gradients drifted under momentum, decay and Adam.
    static Optimizer Make(string kind) => kind switch
    {
        "Sgd" => new Sgd(0.05f, momentum: 0.9f) { WeightDecay = 0.01f },
        "SgdNesterov" => new Sgd(0.05f, momentum: 0.9f, nesterov: true) { WeightDecay = 0.01f },
        "AdaGrad" => new AdaGrad(0.05f) { WeightDecay = 0.01f },
        "RmsProp" => new RmsProp(0.01f) { WeightDecay = 0.01f },
        "Adam" => new Adam(0.01f) { WeightDecay = 0.01f },
        _ => new AdamW(0.01f, 0.05f),
    };

    [Theory, MemberData(nameof(Optimizers))]
    public void Frozen_layer_stays_bit_identical_under_every_optimizer(string kind)
    {
        var net = new FreezableMlp(3);
        var optimizer = Make(kind);
        float[] inputs = Random(8 * 6, 1);
        int[] labels = { 0, 1, 2, 0, 1, 2, 1, 0 };
        for (int step = 0; step < 3; step++) { net.TrainBatch(inputs, labels, 8); optimizer.Step(net); } // momentum and moments are non-zero

        net.SetTrainable("hidden2", false);
        Assert.False(net.Layers[1].Trainable);
        float[] frozen = Slice(net, "hidden2"), below = Slice(net, "hidden1"), above = Slice(net, "out");
        for (int step = 0; step < 5; step++)
        {
            net.TrainBatch(inputs, labels, 8);
            Assert.All(Slice(net, "hidden2", gradients: true), g => Assert.Equal(0f, g));
            optimizer.Step(net);
        }
        Assert.Equal(frozen, Slice(net, "hidden2")); // bit for bit
        Assert.NotEqual(below, Slice(net, "hidden1")); // the input gradient flowed through the frozen layer
        Assert.NotEqual(above, Slice(net, "out"));

        net.SetTrainable("hidden2", true);
        net.TrainBatch(inputs, labels, 8);
        optimizer.Step(net);
        Assert.NotEqual(frozen, Slice(net, "hidden2"));
    }

    [Fact]
    public void Freezing_changes_no_other_gradient()
    {
        float[] inputs = Random(5 * 6, 2);
        int[] labels = { 2, 1, 0, 0, 1 };
        var reference = new FreezableMlp(4);
        reference.TrainBatch(inputs, labels, 5);
        var frozen = new FreezableMlp(4);
        frozen.SetTrainable("out", false);
        frozen.SetTrainable("hidden2", false);
        frozen.TrainBatch(inputs, labels, 5);
        Assert.Equal(Slice(reference, "hidden1", gradients: true), Slice(frozen, "hidden1", gradients: true));
        Assert.All(Slice(frozen, "out", gradients: true), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Frozen_convolution_passes_the_gradient_to_nothing_and_keeps_its_weights()
    {
        float[] inputs = Random(4 * 36, 3);
        int[] labels = { 0, 1, 2, 3 };
        var reference = new FreezableConv(5);
        reference.TrainBatch(inputs, labels, 4);
        var net = new FreezableConv(5);
        net.SetTrainable("conv", false);
        net.TrainBatch(inputs, labels, 4);
        Assert.All(Slice(net, "conv", gradients: true), g => Assert.Equal(0f, g));
        Assert.Equal(Slice(reference, "head", gradients: true), Slice(net, "head", gradients: true));

        var optimizer = new Adam(0.01f) { WeightDecay = 0.1f };
        float[] conv = Slice(net, "conv");
        for (int i = 0; i < 3; i++) { net.TrainBatch(inputs, labels, 4); optimizer.Step(net); }
        Assert.Equal(conv, Slice(net, "conv"));

        // Frozen above, trainable below: the conv layer still learns through the frozen head.
        var headFrozen = new FreezableConv(5);
        headFrozen.SetTrainable("head", false);
        headFrozen.TrainBatch(inputs, labels, 4);
        var allTrainable = new FreezableConv(5);
        allTrainable.TrainBatch(inputs, labels, 4);
        Assert.Equal(Slice(allTrainable, "conv", gradients: true), Slice(headFrozen, "conv", gradients: true));
    }

    [Fact]
    public void SetTrainable_says_what_is_wrong()
    {
        var net = new FreezableMlp(1);
        var unknown = Assert.Throws<ArgumentException>(() => net.SetTrainable("hidden3", false));
        Assert.Contains("'hidden3'", unknown.Message);
        Assert.Contains("hidden1, hidden2, drop, out", unknown.Message);
        var dropout = Assert.Throws<ArgumentException>(() => net.SetTrainable("drop", false));
        Assert.Contains("no parameters", dropout.Message);

        var declared = new DeclaredFrozen(1);
        Assert.False(declared.Layers[0].Trainable);
        declared.SetTrainable("fixed", false); // already frozen: nothing to do
        var thaw = Assert.Throws<ArgumentException>(() => declared.SetTrainable("fixed", true));
        Assert.Contains("Trainable = false", thaw.Message);

        net.Concurrency.EnterExclusive("test");
        try { Assert.Throws<InvalidOperationException>(() => net.SetTrainable("hidden1", false)); }
        finally { net.Concurrency.ExitExclusive(); }
        Assert.True(net.Layers[0].Trainable);
    }

    [Fact]
    public void Frozen_state_is_per_instance()
    {
        var a = new FreezableMlp(1);
        var b = new FreezableMlp(1);
        a.SetTrainable("hidden1", false);
        Assert.False(a.Layers[0].Trainable);
        Assert.True(b.Layers[0].Trainable);
    }

    [Fact]
    public void PredictLayer_returns_each_layers_inference_output()
    {
        var net = new FreezableMlp(7);
        const int batch = 300; // more than one 256-sample chunk
        float[] inputs = Random(batch * 6, 4);

        float[] hidden1 = new float[batch * 16];
        net.PredictLayer("hidden1", inputs, hidden1, batch);
        var p = net.Parameters;
        for (int n = 0; n < batch; n += 37)
            for (int j = 0; j < 16; j++)
            {
                double z = p[16 * 6 + j];
                for (int i = 0; i < 6; i++) z += p[j * 6 + i] * inputs[n * 6 + i];
                Assert.Equal(Math.Tanh(z), hidden1[n * 16 + j], 5);
            }

        float[] hidden2 = new float[batch * 24], dropped = new float[batch * 24];
        net.PredictLayer("hidden2", inputs, hidden2, batch);
        net.PredictLayer("drop", inputs, dropped, batch);
        Assert.Equal(hidden2, dropped); // dropout is the identity at inference

        float[] last = new float[batch * 3], predicted = new float[batch * 3];
        net.PredictLayer("out", inputs, last, batch);
        net.Predict(inputs, predicted, batch);
        Assert.Equal(predicted, last);
    }

    [Fact]
    public void PredictLayer_on_images_gives_the_layers_shape()
    {
        var net = new FreezableConv(2);
        float[] inputs = Random(3 * 36, 5);
        Assert.Equal(new[] { 3, 4, 4 }, net.Layers[0].OutputShape);
        Assert.Equal(new[] { 1, 6, 6 }, net.Layers[0].InputShape);
        float[] conv = new float[3 * 48], flat = new float[3 * 48];
        net.PredictLayer("conv", inputs, conv, 3);
        net.PredictLayer("flat", inputs, flat, 3);
        Assert.Equal(conv, flat);
        Assert.Contains(conv, v => v > 0f);
        Assert.All(conv, v => Assert.True(v >= 0f)); // ReLU
    }

    [Fact]
    public void PredictLayer_says_what_is_wrong()
    {
        var net = new FreezableMlp(1);
        float[] inputs = new float[2 * 6];
        var unknown = Assert.Throws<ArgumentException>(() => net.PredictLayer("encoder", inputs, new float[32], 2));
        Assert.Contains("'encoder'", unknown.Message);
        Assert.Contains("hidden1, hidden2, drop, out", unknown.Message);
        var length = Assert.Throws<ArgumentException>(() => net.PredictLayer("hidden1", inputs, new float[2 * 24], 2));
        Assert.Contains("'hidden1'", length.Message);
        Assert.Contains("32 floats", length.Message);
        Assert.Contains("holds 48", length.Message);
        Assert.Throws<ArgumentException>(() => net.PredictLayer("hidden1", new float[7], new float[16], 1));
    }

    [Fact]
    public void Summary_and_LayerInfo_read_well()
    {
        var net = new FreezableConv(1);
        string summary = net.Summary();
        Assert.Contains("1 Conv2D(3, 3, ReLU)", summary);
        Assert.Contains("3×4×4", summary);
        Assert.Contains("total", summary);
        Assert.StartsWith("layer", summary);
        Assert.Equal("conv (Conv2D): 1×6×6 → 3×4×4, 30 parameters at 0", net.Layers[0].ToString());
        Assert.Equal("flat (Flatten): 3×4×4 → 48", net.Layers[1].ToString());
        net.SetTrainable("head", false);
        Assert.Equal("head (Dense): 48 → 4, 196 parameters at 30, frozen", net.Layers[2].ToString());
        Assert.DoesNotContain("ReadOnlyCollection", net.Layers[2].ToString());
    }
}
