using System;
using NetGen.Tests.Support;

namespace NetGen.Tests.Optimizers;

/// <summary>Each optimizer against a double-precision scalar transcription of PyTorch's update rule.</summary>
public class OptimizerTests
{
    public static readonly TheoryData<int> Lengths = new() { 1, 7, 8, 9, 33, 1000 };

    /// <summary>PyTorch's formulas, one parameter at a time, in double (torch.optim.SGD, Adagrad, RMSprop, Adam, AdamW).</summary>
    sealed class Reference(string kind, int length)
    {
        public double Lr, Wd, Momentum, Beta1 = 0.9f, Beta2 = 0.999f, Alpha = 0.99f, Eps;
        public bool Nesterov, Decoupled;
        readonly double[] _s1 = new double[length], _s2 = new double[length];
        int _t;

        public void Step(double[] p, ReadOnlySpan<float> grad, Func<int, bool>? trainable = null)
        {
            _t++;
            for (int i = 0; i < p.Length; i++)
            {
                if (trainable != null && !trainable(i)) continue;
                double g = grad[i];
                if (Decoupled) p[i] *= 1 - Lr * Wd;
                else g += Wd * p[i];
                switch (kind)
                {
                    case "Sgd":
                        if (Momentum != 0)
                        {
                            _s1[i] = _t == 1 ? g : Momentum * _s1[i] + g;
                            g = Nesterov ? g + Momentum * _s1[i] : _s1[i];
                        }
                        p[i] -= Lr * g;
                        break;
                    case "AdaGrad":
                        _s1[i] += g * g;
                        p[i] -= Lr * g / (Math.Sqrt(_s1[i]) + Eps);
                        break;
                    case "RmsProp":
                        _s1[i] = Alpha * _s1[i] + (1 - Alpha) * g * g;
                        p[i] -= Lr * g / (Math.Sqrt(_s1[i]) + Eps);
                        break;
                    case "Adam":
                        _s1[i] = Beta1 * _s1[i] + (1 - Beta1) * g;
                        _s2[i] = Beta2 * _s2[i] + (1 - Beta2) * g * g;
                        double mHat = _s1[i] / (1 - Math.Pow(Beta1, _t)), vHat = _s2[i] / (1 - Math.Pow(Beta2, _t));
                        p[i] -= Lr * mHat / (Math.Sqrt(vHat) + Eps);
                        break;
                    default: throw new ArgumentException(kind);
                }
            }
        }
    }

    static (Optimizer Optimizer, Reference Reference) Make(string kind, int length, float lr, float wd = 0f, float momentum = 0f, bool nesterov = false, bool decoupled = false)
    {
        Optimizer optimizer = kind switch
        {
            "Sgd" => new Sgd(lr, momentum, nesterov),
            "AdaGrad" => new AdaGrad(lr),
            "RmsProp" => new RmsProp(lr),
            "Adam" => decoupled ? new AdamW(lr, wd) : new Adam(lr),
            _ => throw new ArgumentException(kind),
        };
        optimizer.WeightDecay = wd;
        var reference = new Reference(kind, length)
        {
            Lr = lr, Wd = wd, Momentum = momentum, Nesterov = nesterov, Decoupled = decoupled,
            Eps = kind switch { "AdaGrad" => 1e-10f, _ => 1e-8f },
        };
        return (optimizer, reference);
    }

    static void Fill(Span<float> span, Random random, float scale = 1f)
    {
        for (int i = 0; i < span.Length; i++) span[i] = (2f * random.NextSingle() - 1f) * scale;
    }

    static void AssertClose(double[] expected, ReadOnlySpan<float> actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-5 * Math.Abs(expected[i]) + 1e-6;
            if (Math.Abs(actual[i] - expected[i]) > tolerance)
                Assert.Fail($"{what}: parameter {i} is {actual[i]:R}, reference {expected[i]:R} (tolerance {tolerance:G3}).");
        }
    }

    static void RunAgainstReference(string kind, int length, float lr, float wd = 0f, float momentum = 0f, bool nesterov = false, bool decoupled = false, int steps = 5)
    {
        var net = FakeNetwork.Blocks((length, true));
        var random = new Random(length * 31 + kind.Length);
        Fill(net.Parameters, random);
        double[] expected = Array.ConvertAll(net.Parameters.ToArray(), x => (double)x);
        var (optimizer, reference) = Make(kind, length, lr, wd, momentum, nesterov, decoupled);
        for (int step = 1; step <= steps; step++)
        {
            Fill(net.Gradients, random);
            reference.Step(expected, net.Gradients);
            optimizer.Step(net);
            AssertClose(expected, net.Parameters, $"{kind} length {length} step {step}");
        }
        Assert.Equal(steps, optimizer.StepCount);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void SgdMatchesReference(int length) => RunAgainstReference("Sgd", length, 0.1f);

    [Theory, MemberData(nameof(Lengths))]
    public void SgdMomentumMatchesReference(int length) => RunAgainstReference("Sgd", length, 0.05f, momentum: 0.9f);

    [Theory, MemberData(nameof(Lengths))]
    public void SgdNesterovWithWeightDecayMatchesReference(int length) => RunAgainstReference("Sgd", length, 0.05f, wd: 0.01f, momentum: 0.9f, nesterov: true);

    [Theory, MemberData(nameof(Lengths))]
    public void AdaGradMatchesReference(int length) => RunAgainstReference("AdaGrad", length, 0.1f);

    [Theory, MemberData(nameof(Lengths))]
    public void AdaGradWithWeightDecayMatchesReference(int length) => RunAgainstReference("AdaGrad", length, 0.1f, wd: 0.05f);

    [Theory, MemberData(nameof(Lengths))]
    public void RmsPropMatchesReference(int length) => RunAgainstReference("RmsProp", length, 0.01f);

    [Theory, MemberData(nameof(Lengths))]
    public void RmsPropWithWeightDecayMatchesReference(int length) => RunAgainstReference("RmsProp", length, 0.01f, wd: 0.1f);

    [Theory, MemberData(nameof(Lengths))]
    public void AdamMatchesReference(int length) => RunAgainstReference("Adam", length, 0.01f);

    [Theory, MemberData(nameof(Lengths))]
    public void AdamWithL2WeightDecayMatchesReference(int length) => RunAgainstReference("Adam", length, 0.01f, wd: 0.1f);

    [Theory, MemberData(nameof(Lengths))]
    public void AdamWMatchesReference(int length) => RunAgainstReference("Adam", length, 0.01f, wd: 0.1f, decoupled: true);

    [Fact]
    public void AdamIsAdamWWhenDecoupled()
    {
        var adam = new Adam(0.01f) { Decoupled = true, WeightDecay = 0.1f };
        var adamW = new AdamW(0.01f, 0.1f);
        var a = FakeNetwork.Blocks((37, true));
        var b = FakeNetwork.Blocks((37, true));
        var random = new Random(5);
        Fill(a.Parameters, random);
        a.Parameters.CopyTo(b.Parameters);
        for (int step = 0; step < 3; step++)
        {
            Fill(a.Gradients, random);
            a.Gradients.CopyTo(b.Gradients);
            adam.Step(a);
            adamW.Step(b);
        }
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.Equal(0.01f, new AdamW(1f).WeightDecay);
    }

    [Theory]
    [InlineData("Sgd")]
    [InlineData("AdaGrad")]
    [InlineData("RmsProp")]
    [InlineData("Adam")]
    public void FrozenLayersAndTheirStateAreUntouched(string kind)
    {
        var net = FakeNetwork.Blocks((7, true), (9, false), (33, true), (5, false), (1, true), (16, true));
        bool Trainable(int i) => i < 7 || (i >= 16 && i < 49) || i >= 54;
        var random = new Random(11);
        Fill(net.Parameters, random);
        float[] before = net.Parameters.ToArray();
        double[] expected = Array.ConvertAll(before, x => (double)x);
        var (optimizer, reference) = Make(kind, net.ParameterCount, 0.05f, wd: 0.01f, momentum: kind == "Sgd" ? 0.9f : 0f);
        for (int step = 0; step < 4; step++)
        {
            Fill(net.Gradients, random); // frozen gradients nonzero on purpose: they must still be ignored
            reference.Step(expected, net.Gradients, Trainable);
            optimizer.Step(net);
        }
        AssertClose(expected, net.Parameters, kind);
        for (int i = 0; i < before.Length; i++)
        {
            if (Trainable(i)) continue;
            Assert.Equal(before[i], net.Parameters[i]);
            foreach (float[] state in optimizer.StateBuffers) Assert.Equal(0f, state[i]);
        }
    }

    [Theory]
    [InlineData("Sgd")]
    [InlineData("AdaGrad")]
    [InlineData("RmsProp")]
    [InlineData("Adam")]
    public void LearningRateChangesTakeEffectOnTheNextStep(string kind)
    {
        var net = FakeNetwork.Blocks((33, true));
        var random = new Random(3);
        Fill(net.Parameters, random);
        double[] expected = Array.ConvertAll(net.Parameters.ToArray(), x => (double)x);
        var (optimizer, reference) = Make(kind, net.ParameterCount, 0.1f, momentum: kind == "Sgd" ? 0.5f : 0f);
        foreach (float lr in new[] { 0.1f, 0.1f, 0.01f, 0.3f, 0f })
        {
            optimizer.LearningRate = lr;
            reference.Lr = lr;
            Fill(net.Gradients, random);
            reference.Step(expected, net.Gradients);
            optimizer.Step(net);
            AssertClose(expected, net.Parameters, $"{kind} lr {lr}");
        }
    }

    [Theory]
    [InlineData("Sgd")]
    [InlineData("AdaGrad")]
    [InlineData("RmsProp")]
    [InlineData("Adam")]
    [InlineData("AdamW")]
    public void StepDoesNotAllocateAfterTheFirst(string kind)
    {
        Optimizer optimizer = kind switch
        {
            "Sgd" => new Sgd(0.1f, 0.9f, nesterov: true) { WeightDecay = 0.01f },
            "AdaGrad" => new AdaGrad(0.1f),
            "RmsProp" => new RmsProp(0.1f),
            "Adam" => new Adam(0.1f),
            _ => new AdamW(0.1f),
        };
        var net = FakeNetwork.Blocks((100, true), (3, false), (1001, true));
        Fill(net.Gradients, new Random(1));
        optimizer.Step(net);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) optimizer.Step(net);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void StateBuffersAreFlatAndLazilyAllocated()
    {
        var net = FakeNetwork.Blocks((10, true), (5, false));
        var adam = new Adam(0.1f);
        Assert.All(adam.StateBuffers, b => Assert.Empty(b));
        adam.Step(net);
        Assert.Equal(2, adam.StateBuffers.Count);
        Assert.All(adam.StateBuffers, b => Assert.Equal(15, b.Length));

        var sgd = new Sgd(0.1f);
        sgd.Step(net);
        Assert.Empty(sgd.StateBuffers[0]); // no momentum, no state
        sgd.Momentum = 0.9f;
        sgd.Step(net);
        Assert.Equal(15, sgd.StateBuffers[0].Length);
    }

    [Fact]
    public void SteppingAnotherArchitectureThrowsUntilReset()
    {
        var adam = new Adam(0.1f);
        adam.Step(FakeNetwork.Blocks((10, true)));
        adam.Step(FakeNetwork.Blocks((10, true))); // same architecture, another instance: keeps state
        Assert.Equal(2, adam.StepCount);

        var other = FakeNetwork.Blocks((12, true));
        var error = Assert.Throws<InvalidOperationException>(() => adam.Step(other));
        Assert.Contains("Reset()", error.Message);
        Assert.Contains("12 parameters", error.Message);

        adam.Reset();
        Assert.Equal(0, adam.StepCount);
        adam.Step(other);
        Assert.Equal(1, adam.StepCount);
        Assert.Equal(12, adam.StateBuffers[0].Length);
    }

    [Theory]
    [InlineData("Sgd")]
    [InlineData("AdaGrad")]
    [InlineData("RmsProp")]
    [InlineData("Adam")]
    public void TrainsTheFakeNetwork(string kind)
    {
        // y = 2x₀ − x₁ + 0.5 through a two-layer linear network.
        var net = new FakeNetwork(2, 4, 1);
        Optimizer optimizer = kind switch
        {
            "Sgd" => new Sgd(0.05f, 0.9f),
            "AdaGrad" => new AdaGrad(0.1f),
            "RmsProp" => new RmsProp(0.01f),
            _ => new Adam(0.02f),
        };
        var random = new Random(2);
        float[] x = new float[32 * 2], t = new float[32];
        float first = 0, last = 0;
        for (int step = 0; step < 300; step++)
        {
            for (int b = 0; b < 32; b++)
            {
                x[2 * b] = 2f * random.NextSingle() - 1f;
                x[2 * b + 1] = 2f * random.NextSingle() - 1f;
                t[b] = 2f * x[2 * b] - x[2 * b + 1] + 0.5f;
            }
            last = net.TrainBatch(x, t, 32);
            if (step == 0) first = last;
            optimizer.Step(net);
        }
        Assert.True(last < first * 0.01f, $"{kind}: loss {first} -> {last}");
    }
}
