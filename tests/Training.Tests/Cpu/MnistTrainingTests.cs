using OrleansPigmm.Training.Tests.Support;

namespace OrleansPigmm.Training.Tests.Cpu;

public class MnistTrainingTests
{
    /// <summary>
    /// After one epoch the paper's 10-wide bottleneck nets spread widely: some replicas stall
    /// near 40-60 %. PyTorch's reference (torch 1.13, same data and settings) reached means of
    /// 76.3 % and 76.9 % and medians of 81 % over 16 and 32 replicas, so a mean above 80 % is not
    /// what PyTorch learns; the bounds below are what it does learn.
    /// </summary>
    [Fact]
    public void Eight_replicas_of_the_paper_net_learn_what_pytorch_learns_in_one_full_epoch()
    {
        var spec = new TrainingSpec { HiddenWidths = [10, 10, 10], Init = InitScheme.Gaussian };
        using var trainer = Trainers.Create(spec, TestData.Mnist, Enumerable.Range(0, 8).ToArray());

        trainer.TrainEpoch();

        var accuracy = trainer.EvaluateTestAccuracy();
        var sorted = accuracy.Order().ToArray();
        double median = (sorted[3] + sorted[4]) / 2;
        string detail = $"mean {accuracy.Average():P2}, median {median:P2} (per replica: {string.Join(", ", accuracy.Select(a => a.ToString("P1")))})";
        Assert.All(Enumerable.Range(0, 8), slot => Assert.Equal(600, trainer.Status(slot).Steps));
        Assert.True(accuracy.Average() > 0.72, detail);
        Assert.True(median > 0.78, detail);
        Assert.True(sorted[^1] > 0.83, detail);
    }
}
