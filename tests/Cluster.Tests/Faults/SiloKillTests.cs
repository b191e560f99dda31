using OrleansPigmm.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace OrleansPigmm.Cluster.Tests.Faults;

/// <summary>Proves that a run survives three silos killed with SIGKILL mid-run, each declared dead
/// and replaced, with every replica-epoch committed and folded exactly once and the local run's fits.</summary>
[Collection(FaultCollection.Name)]
public sealed class SiloKillTests(LocalReference reference, ITestOutputHelper output)
{
    [Fact(Timeout = 360_000)]
    public async Task ThreeSilosKilledAtRandomMomentsLeaveTheRunExactlyAsTheLocalOne()
    {
        await using var cluster = await ClusterHarness.StartAsync(output, count: 3);
        string experiment = reference.ExperimentId;
        var submit = cluster.Submit(wait: true);

        foreach (var (from, to) in new[] { (0.10, 0.25), (0.30, 0.45), (0.50, 0.65) })
        {
            await cluster.WaitForCommittedAsync(experiment, FaultExperiment.Between(cluster.Random, from, to), submit);
            var running = cluster.Running;
            var victim = running[cluster.Random.Next(running.Count)];
            cluster.Kill(victim);
            var replacement = cluster.StartSiloAsync();
            // Declared dead within about 5 s as tuned; the bound allows for two loaded cores.
            await cluster.AssertDeclaredDeadAsync(victim, TimeSpan.FromSeconds(20));
            await replacement;
        }

        await cluster.AssertSubmitCompletesAsync(submit, experiment);
        await cluster.AssertSameAsReferenceAsync(experiment, reference);
    }
}
