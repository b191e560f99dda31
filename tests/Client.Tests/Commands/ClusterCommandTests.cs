using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using OrleansPigmm.Client.Tests.Support;
using OrleansPigmm.Storage.Tests.Postgres;

namespace OrleansPigmm.Client.Tests.Commands;

/// <summary>A throwaway PostgreSQL server and two <c>pigmm silo</c> processes clustered through
/// it (one training thread each), shared by the tests of a class.</summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    private readonly List<SiloProcess> silos = [];
    private ThrowawayServer server = null!;

    /// <summary>A cluster id of the fixture's own, so that nothing else ever joins its cluster.</summary>
    public string ClusterId { get; } = $"test-{Guid.NewGuid():N}"[..17];

    public string Url => server.Url("postgres");

    internal IReadOnlyList<SiloProcess> Silos => silos;

    internal IReadOnlyList<int> SiloPorts { get; private set; } = [];

    internal IReadOnlyList<int> GatewayPorts { get; private set; } = [];

    public async Task InitializeAsync()
    {
        server = await ThrowawayServer.StartAsync();
        var (siloPorts, gatewayPorts) = (new List<int>(), new List<int>());
        for (int i = 0; i < 2; i++)
        {
            silos.Add(StartSilo(out int siloPort, out int gatewayPort));
            siloPorts.Add(siloPort);
            gatewayPorts.Add(gatewayPort);
        }
        (SiloPorts, GatewayPorts) = (siloPorts, gatewayPorts);
    }

    /// <summary>Starts one more silo of the cluster.</summary>
    internal SiloProcess StartSilo(out int siloPort, out int gatewayPort) =>
        SiloProcess.Start(Url, out siloPort, out gatewayPort, "--device", "cpu:1", "--advertise", "127.0.0.1", "--cluster-id", ClusterId);

    /// <summary>The cluster options every console command of the fixture's cluster takes.</summary>
    public string[] Cluster => ["--cluster", Url, "--cluster-id", ClusterId];

    /// <summary>The membership status Orleans recorded for the silo on <paramref name="siloPort"/> (3 active, 6 dead).</summary>
    public async Task<int> MembershipStatusAsync(int siloPort)
    {
        await using var source = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={server.Port};Username=postgres;Database=postgres");
        await using var command = source.CreateCommand("SELECT status FROM pigmm.orleans_members WHERE deployment_id = $1 AND port = $2 ORDER BY generation DESC LIMIT 1");
        command.Parameters.AddWithValue(ClusterId);
        command.Parameters.AddWithValue(siloPort);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in silos)
        {
            silo.Dispose();
        }
        await server.DisposeAsync();
    }
}

/// <summary>Cluster mode end to end: silos on PostgreSQL found through their membership, the
/// console's commands against them, graceful leave, and bad input said in one line.</summary>
public sealed class ClusterCommandTests(PostgresClusterFixture cluster) : IClassFixture<PostgresClusterFixture>
{
    private static readonly string[] Spec = ["--preset", "quick", "--replicas", "6", "--epochs", "2", "--seed", "41"];

    [Fact(Timeout = 240_000)]
    public async Task A_console_finds_the_silos_through_the_database_and_the_fits_equal_local_modes()
    {
        Assert.All(cluster.Silos, silo => Assert.Contains($", cluster {cluster.ClusterId}, store postgres://postgres@127.0.0.1:", silo.ReadyLine));

        var submitted = await Task.Run(() => Cli.Run(["submit", .. cluster.Cluster, .. Spec, "--wait"]));

        Assert.True(submitted.ExitCode == 0, submitted.Error);
        var line = Assert.Single(submitted.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        string id = line.Split(' ')[1];
        Assert.Equal($"Experiment {id} complete: 6 replicas x 2 epochs.", line);
        Assert.StartsWith($"Experiment {id}: complete, 18 of 18 replica-epochs committed", Cli.Run(["status", .. cluster.Cluster, id]).Output);
        string gateway = $"127.0.0.1:{cluster.GatewayPorts[1].ToString(CultureInfo.InvariantCulture)}";
        Assert.StartsWith($"Experiment {id}: complete", Cli.Run("status", "--gateway", gateway, "--cluster-id", cluster.ClusterId, id).Output);
        var watched = await Task.Run(() => Cli.Run(["watch", .. cluster.Cluster, id]));
        Assert.True(watched.ExitCode == 0, watched.Error);
        Assert.Contains("18/18 replica-epochs", watched.Output);

        using var directory = new TemporaryDirectory();
        Assert.Equal(0, Cli.Run(["fits", .. cluster.Cluster, id, "--out", directory.File("cluster")]).ExitCode);
        Assert.Equal(0, await Task.Run(() => Cli.Run(["run", "--store", directory.File("local.db"), "--out", directory.File("local"), "--device", "cpu:2", .. Spec]).ExitCode));
        Assert.Equal(File.ReadAllBytes(directory.File("local/fits.json")), File.ReadAllBytes(directory.File("cluster/fits.json")));
    }

    [Fact(Timeout = 120_000)]
    public async Task Sigterm_makes_a_silo_leave_the_cluster_at_once_and_exit_zero()
    {
        using var leaving = cluster.StartSilo(out int siloPort, out _);
        Assert.Equal(3, await cluster.MembershipStatusAsync(siloPort));

        using (var kill = Process.Start("kill", ["-TERM", leaving.Process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await leaving.Process.WaitForExitAsync(limit.Token);

        Assert.Equal(0, leaving.Process.ExitCode);
        Assert.Contains("pigmm silo: stopping; leaving the cluster.", leaving.Output);
        Assert.Equal(6, await cluster.MembershipStatusAsync(siloPort));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_cluster_with_no_running_silo_is_one_line_within_seconds()
    {
        var clock = Stopwatch.StartNew();

        var line = (await Task.Run(() => Cli.Run("status", "--cluster", cluster.Url, "--cluster-id", "nobody-here", "0000000000000000"))).AssertBadInput("status");

        Assert.StartsWith($"pigmm status: cannot reach the cluster at {cluster.Url} (cluster nobody-here): ", line);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void An_unreachable_database_is_one_line_for_silo_and_console()
    {
        string url = $"postgres://postgres@127.0.0.1:{ClosedPort().ToString(CultureInfo.InvariantCulture)}/postgres";

        Assert.Contains("nothing answers at 127.0.0.1:", Cli.Run("silo", "--store", url, "--silo-port", Free(), "--gateway-port", Free()).AssertBadInput("silo"));
        Assert.Contains("nothing answers at 127.0.0.1:", Cli.Run("status", "--cluster", url, "0000000000000000").AssertBadInput("status"));
    }

    [Fact]
    public void A_wrong_password_is_one_line_that_does_not_repeat_it()
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.File("password"), "not-the-password\n");
        // The throwaway server trusts every login, so the password is refused by a role that has none.
        string url = cluster.Url.Replace("postgres@", "nobody@", StringComparison.Ordinal);

        var line = Cli.Run("silo", "--store", url, "--password-file", directory.File("password"), "--silo-port", Free(), "--gateway-port", Free()).AssertBadInput("silo");

        Assert.Contains("nobody", line);
        Assert.DoesNotContain("not-the-password", line);
    }

    [Theory]
    [InlineData("--advertise", "not-an-address", "--advertise must be an IP address")]
    [InlineData("--advertise", "0.0.0.0", "--advertise must be an IP address")]
    [InlineData("--cluster-id", "no spaces", "--cluster-id must be")]
    public void Bad_cluster_options_of_a_silo_are_one_line(string option, string value, string expected)
    {
        Assert.Contains(expected, Cli.Run("silo", "--store", cluster.Url, option, value, "--silo-port", Free(), "--gateway-port", Free()).AssertBadInput("silo"));
    }

    [Fact]
    public void A_silo_on_a_file_store_cannot_advertise_an_address()
    {
        using var directory = new TemporaryDirectory();

        var line = Cli.Run("silo", "--store", directory.File("s.db"), "--advertise", "10.0.0.5", "--silo-port", Free(), "--gateway-port", Free()).AssertBadInput("silo");

        Assert.Contains("--advertise needs a PostgreSQL store", line);
    }

    [Fact]
    public void The_console_needs_exactly_one_of_cluster_and_gateway()
    {
        Assert.Contains("not both", Cli.Run("status", "--cluster", cluster.Url, "--gateway", "127.0.0.1:1", "x").AssertBadInput("status"));
        Assert.Contains("give --cluster", Cli.Run("cancel", "x").AssertBadInput("cancel"));
        Assert.Contains("not both", Cli.Run("fits", "--cluster", cluster.Url, "--store", "x.db", "--out", "y").AssertBadInput("fits"));
    }

    private static string Free() => SiloProcess.FreePort().ToString(CultureInfo.InvariantCulture);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
