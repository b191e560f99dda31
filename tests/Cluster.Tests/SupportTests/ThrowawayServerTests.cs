using OrleansPigmm.Cluster.Tests.Support;
using OrleansPigmm.Storage.Tests.Postgres;

namespace OrleansPigmm.Cluster.Tests.SupportTests;

/// <summary>The PostgreSQL server of the fault tests: reached from a network namespace through the
/// bridge address it also listens on, and surviving an abrupt restart with what was committed.</summary>
public sealed class ThrowawayServerTests
{
    [Fact(Timeout = 120_000)]
    public async Task ANamespaceReachesTheServerOnTheBridgeAddressAndIsTrusted()
    {
        using var network = NetworkNamespaces.Create(1);
        await using var server = await ThrowawayServer.StartAsync([network.BridgeAddress], network.Subnet);

        var fromInside = HostCommand.Run("ip", [.. network.Exec(0).Skip(1), HostCommand.Resolve("psql"), "-w", "-X", "-tA",
            "-d", server.Url("postgres", network.BridgeAddress), "-c", "SELECT host(inet_client_addr())"]);

        Assert.Equal(network.Address(0), fromInside.Trim());
        Assert.Equal(1, await ScalarAsync(server.Url("postgres"), "SELECT 1"));
    }

    [Fact(Timeout = 120_000)]
    public async Task AnAbruptRestartKeepsWhatWasCommitted()
    {
        await using var server = await ThrowawayServer.StartAsync();
        string url = server.Url("postgres");
        await ScalarAsync(url, "CREATE TABLE kept (value integer); INSERT INTO kept VALUES (7); SELECT 0");
        var before = await ScalarAsync(url, "SELECT pg_postmaster_start_time()::text");

        await server.RestartAsync();

        Assert.Equal(7, await ScalarAsync(url, "SELECT value FROM kept"));
        Assert.NotEqual(before, await ScalarAsync(url, "SELECT pg_postmaster_start_time()::text"));
    }

    private static Task<object?> ScalarAsync(string url, string sql) => StoreDatabase.ScalarAsync(url, sql);
}
