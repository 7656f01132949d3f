using System;
using System.Linq;
using NetGen.Data;
using NetGen.Training;
using Spectre.Console;

namespace FashionMnist;

/// <summary>What the example shows: progress while training, then the test results as tables and curves.</summary>
internal static class Report
{
    public static TrainingHistory Train(Trainer trainer, Dataset train, Dataset validation, int epochs)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Logs and CI: one line per epoch.
            trainer.EpochCompleted += (_, e) => Console.WriteLine(Line(e, epochs));
            return trainer.Fit(train, validation);
        }

        TrainingHistory history = null!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                trainer.BatchCompleted += (_, p) =>
                {
                    if (task is null || p.Epoch + 1 != (int)task.State.Get<double>("epoch"))
                    {
                        task = ctx.AddTask($"epoch {p.Epoch + 1,2}/{epochs}", maxValue: p.BatchesPerEpoch);
                        task.State.Update<double>("epoch", _ => p.Epoch + 1);
                    }
                    task.Value = p.Batch + 1;
                    if (p.Batch % 20 == 0 || p.Batch + 1 == p.BatchesPerEpoch)
                        task.Description = $"epoch {p.Epoch + 1,2}/{epochs}  loss {p.Loss:F4}  {p.SamplesPerSecond,9:N0} samples/s";
                };
                trainer.EpochCompleted += (_, e) =>
                {
                    if (task is not null) task.Description = Markup.Escape(Line(e, epochs));
                };
                history = trainer.Fit(train, validation);
            });
        return history;
    }

    static string Line(EpochRecord e, int epochs) =>
        $"epoch {e.Epoch + 1,2}/{epochs}  loss {e.TrainingLoss:F4}  acc {e.TrainingAccuracy:P2}  val loss {e.ValidationLoss:F4}  val acc {e.ValidationAccuracy:P2}  " +
        $"lr {e.LearningRate:G3}  {e.Elapsed.TotalSeconds:F1} s  {e.SamplesPerSecond:N0} samples/s";

    /// <summary>A whole percent at least one point below the lowest accuracy, so the worst epoch still shows a bar.</summary>
    internal static double AccuracyBaseline(double[] percents) => percents.Length == 0 ? 0 : Math.Max(0, Math.Floor(percents.Min()) - 1);

    public static void Test(EvaluationResult result, string[] classNames)
    {
        var summary = new Table().Title("[bold]Test set[/]").AddColumns("images", "loss", "accuracy");
        summary.AddRow(result.SampleCount.ToString("N0"), result.Loss.ToString("F4"), $"[bold]{result.Accuracy:P2}[/]");
        AnsiConsole.Write(summary);

        var matrix = result.ConfusionMatrix!;
        var perClass = new Table().Title("[bold]Per class[/]").AddColumns("class", "recall", "precision", "most often mistaken for");
        for (int c = 0; c < classNames.Length; c++)
        {
            int worst = Enumerable.Range(0, classNames.Length).Where(p => p != c).MaxBy(p => matrix[c, p]);
            string mistaken = matrix[c, worst] == 0 ? "-" : $"{classNames[worst]} ({matrix[c, worst]})";
            perClass.AddRow(classNames[c], matrix.Recall(c).ToString("P1"), matrix.Precision(c).ToString("P1"), Markup.Escape(mistaken));
        }
        AnsiConsole.Write(perClass);
    }

    /// <summary>
    /// The loss and accuracy curves, drawn in the terminal. Accuracy bars start at a stated baseline a little below the
    /// worst epoch, not at zero: from zero, 86 % and 91 % would be bars of nearly the same length.
    /// </summary>
    public static void Curves(TrainingHistory history)
    {
        var accuracies = history.Epochs.Select(e => 100 * (e.ValidationAccuracy ?? 0)).ToArray();
        double baseline = AccuracyBaseline(accuracies);
        var chart = new BarChart().Width(70).HideValues().CenterLabel()
            .Label($"[bold]validation accuracy by epoch[/] (bars start at {baseline:0} %)");
        foreach (var e in history.Epochs)
        {
            double accuracy = 100 * (e.ValidationAccuracy ?? 0);
            chart.AddItem($"epoch {e.Epoch + 1,2}  {accuracy,6:0.00} %", Math.Max(0, accuracy - baseline), Color.Green);
        }
        AnsiConsole.Write(chart);
        var loss = new BarChart().Width(70).Label("[bold]training loss by epoch[/]").CenterLabel();
        foreach (var e in history.Epochs) loss.AddItem($"epoch {e.Epoch + 1}", Math.Round(e.TrainingLoss, 4), Color.Blue);
        AnsiConsole.Write(loss);
    }
}
