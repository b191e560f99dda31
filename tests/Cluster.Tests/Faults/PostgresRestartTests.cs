using OrleansPigmm.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace OrleansPigmm.Cluster.Tests.Faults;

/// <summary>Proves that silos and a waiting console ride out an abrupt restart of the PostgreSQL
/// server mid-run: no silo dies, and the run completes exactly as the local one.</summary>
[Collection(FaultCollection.Name)]
public sealed class PostgresRestartTests(LocalReference reference, ITestOutputHelper output)
{
    [Fact(Timeout = 360_000)]
    public async Task AnImmediateRestartOfTheServerMidRunChangesNothing()
    {
        await using var cluster = await ClusterHarness.StartAsync(output, count: 3);
        string experiment = reference.ExperimentId;
        var submit = cluster.Submit(wait: true);

        long before = await cluster.WaitForCommittedAsync(experiment, FaultExperiment.Between(cluster.Random, 0.30, 0.50), submit);
        await cluster.Server.RestartAsync();
        cluster.Log("restarted the PostgreSQL server (immediate mode)");

        // The run goes on after the restart, on the same silos.
        await cluster.WaitForCommittedAsync(experiment, before + FaultExperiment.Replicas, submit);
        await cluster.AssertSubmitCompletesAsync(submit, experiment);
        Assert.All(cluster.Silos, silo => Assert.True(silo.IsRunning, $"{silo} ended: {silo.Process.Describe()}"));
        await cluster.AssertSameAsReferenceAsync(experiment, reference);
    }
}
