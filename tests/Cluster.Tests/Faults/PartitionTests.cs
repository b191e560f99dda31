using OrleansPigmm.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace OrleansPigmm.Cluster.Tests.Faults;

/// <summary>Proves that a silo cut off from the network past the membership timeout is declared
/// dead, its replicas go on elsewhere, and on its return it stops without double-counting or
/// corrupting anything: the run completes exactly as the local one.</summary>
[Collection(FaultCollection.Name)]
public sealed class PartitionTests(LocalReference reference, ITestOutputHelper output)
{
    [Fact(Timeout = 360_000)]
    public async Task ASiloCutOffPastTheMembershipTimeoutIsReplacedAndNothingIsCountedTwice()
    {
        // Each silo in a namespace of its own; the server listens on their bridge.
        await using var cluster = await ClusterHarness.StartAsync(output, count: 3, partitioned: true);

        await cluster.RunThroughASilentSiloAsync(reference, TimeSpan.FromSeconds(15),
            silence: silo => cluster.Network!.Cut(silo.Namespace!.Value),
            restore: silo => cluster.Network!.Restore(silo.Namespace!.Value));
    }
}
