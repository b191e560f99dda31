using OrleansPigmm.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace OrleansPigmm.Cluster.Tests.Faults;

/// <summary>Proves that consoles are only onlookers: one killed while watching and another
/// attaching mid-run change nothing, and the second one's watch ends with 0 at completion.</summary>
[Collection(FaultCollection.Name)]
public sealed class ConsoleTests(LocalReference reference, ITestOutputHelper output)
{
    [Fact(Timeout = 360_000)]
    public async Task AWatchKilledMidRunAndAnotherAttachedMidRunChangeNothing()
    {
        await using var cluster = await ClusterHarness.StartAsync(output, count: 3);
        string experiment = reference.ExperimentId;
        var submit = cluster.Submit(wait: false);
        await submit.AssertSucceedsAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([$"Experiment {experiment} submitted ({FaultExperiment.Replicas} replicas x {FaultExperiment.Epochs} epochs)."], submit.Output);

        var first = cluster.StartConsole("watch", experiment);
        await first.WaitForLineAsync(_ => true, TimeSpan.FromSeconds(60));
        await cluster.WaitForCommittedAsync(experiment, FaultExperiment.Between(cluster.Random, 0.20, 0.35), first);
        first.Kill();
        cluster.Log("killed the first watch");
        Assert.Equal(128 + 9, first.ExitCode);

        await cluster.WaitForCommittedAsync(experiment, FaultExperiment.Between(cluster.Random, 0.45, 0.60));
        var second = cluster.StartConsole("watch", experiment);
        await second.AssertSucceedsAsync(ClusterHarness.RunLimit);
        cluster.Log("the second watch exited with 0");

        Assert.NotEmpty(second.Output);
        // The watch ended because the run is complete (the counts assert it), not before.
        await cluster.AssertSameAsReferenceAsync(experiment, reference);
    }
}
