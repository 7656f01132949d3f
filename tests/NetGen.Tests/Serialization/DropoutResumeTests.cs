using System;
using System.IO;
using NetGen.Data;
using NetGen.Tests.Networks;

namespace NetGen.Tests.Serialization;

/// <summary>Resuming a generated network with dropout: the checkpoint carries the mask stream position, so stopping changes nothing.</summary>
public class DropoutResumeTests
{
    [Fact]
    public void ResumingFromACheckpointWithOptimizerStateMatchesNeverStoppingBitForBit()
    {
        var random = new DeterministicRandom(8);
        var inputs = new float[16 * 20];
        var labels = new int[16];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = random.NextSingle();
        for (int i = 0; i < labels.Length; i++) labels[i] = random.NextInt(4);

        var straight = new DropoutCrossEntropy(seed: 4);
        var straightAdam = new Adam(0.01f);
        for (int step = 0; step < 30; step++) { straight.TrainBatch(inputs, labels, 16); straightAdam.Step(straight); }

        string path = Path.Combine(Path.GetTempPath(), $"netgen-dropout-resume-{Environment.ProcessId}.ngck");
        try
        {
            var first = new DropoutCrossEntropy(seed: 4);
            var firstAdam = new Adam(0.01f);
            for (int step = 0; step < 12; step++) { first.TrainBatch(inputs, labels, 16); firstAdam.Step(first); }
            first.Save(path, firstAdam);

            // A fresh process would start here: the same seed (it keys the dropout masks), a fresh optimizer, TrainingStep 0.
            var resumed = new DropoutCrossEntropy(seed: 4);
            resumed.Parameters.Fill(0.5f);
            var resumedAdam = new Adam(0.5f);
            resumed.Load(path, resumedAdam);
            Assert.Equal(12UL, resumed.TrainingStep);
            for (int step = 12; step < 30; step++) { resumed.TrainBatch(inputs, labels, 16); resumedAdam.Step(resumed); }

            Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
        }
        finally { File.Delete(path); }
    }
}
