using OrleansPigmm.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace OrleansPigmm.Cluster.Tests.Faults;

/// <summary>Proves that a silo frozen (SIGSTOP) past the detection time is declared dead, its
/// replicas go on elsewhere, and once thawed (SIGCONT) it stops without double-counting or
/// corrupting anything: the run completes exactly as the local one.</summary>
[Collection(FaultCollection.Name)]
public sealed class FreezeTests(LocalReference reference, ITestOutputHelper output)
{
    [Fact(Timeout = 360_000)]
    public async Task ASiloFrozenPastTheDetectionTimeIsReplacedAndNothingIsCountedTwice()
    {
        await using var cluster = await ClusterHarness.StartAsync(output, count: 3);

        await cluster.RunThroughASilentSiloAsync(reference, TimeSpan.FromSeconds(15),
            silence: silo => silo.Process.Freeze(),
            restore: silo => silo.Process.Thaw());
    }
}
