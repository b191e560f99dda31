using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using OrleansPigmm.Silo.Hosting;
using OrleansPigmm.Silo.Telemetry;
using OrleansPigmm.Storage.Postgres;

namespace OrleansPigmm.Client.Cluster;

/// <summary>A console's connection to a running cluster, as an Orleans client: through the
/// gateways its membership table lists (kept up to date while connected, so the console follows
/// silos that come and go), or through one given gateway; and a clear failure instead of a long
/// hang when the cluster is not there.</summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    /// <summary>How long a grain call may take before it fails.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long connecting may take.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly IHost host;

    private ClusterConnection(IHost host, string description)
    {
        this.host = host;
        Description = description;
    }

    /// <summary>The cluster, for messages: its database or its gateway.</summary>
    public string Description { get; }

    /// <summary>The cluster's grains.</summary>
    public IGrainFactory Grains => host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects to the cluster <paramref name="clusterId"/> whose membership the database
    /// at <paramref name="databaseUrl"/> keeps, through <paramref name="membershipConnectionString"/>.</summary>
    /// <exception cref="InputException">The database or every gateway cannot be reached.</exception>
    public static Task<ClusterConnection> ConnectThroughMembershipAsync(string databaseUrl, string membershipConnectionString, string clusterId, CancellationToken cancellationToken) =>
        ConnectAsync($"{PostgresLocation.Parse(databaseUrl).Description} (cluster {clusterId})", clusterId, client =>
        {
            client.UseAdoNetClustering(clustering => (clustering.Invariant, clustering.ConnectionString) = (PostgresMembership.Invariant, membershipConnectionString));
            client.Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = PigmmCluster.GatewayListRefresh);
        }, cancellationToken, databaseUrl);

    /// <summary>Connects to the cluster through the gateway <paramref name="gateway"/> (HOST:PORT).</summary>
    /// <exception cref="InputException">The gateway is malformed or cannot be reached.</exception>
    public static async Task<ClusterConnection> ConnectThroughGatewayAsync(string gateway, string clusterId, CancellationToken cancellationToken)
    {
        var endpoint = Endpoint(gateway);
        await ProbeAsync(gateway, endpoint, cancellationToken).ConfigureAwait(false);
        return await ConnectAsync(gateway, clusterId, client => client.UseStaticClustering(endpoint), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ClusterConnection> ConnectAsync(string description, string clusterId, Action<IClientBuilder> clustering, CancellationToken cancellationToken, string? database = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPigmmTelemetry(new PigmmTelemetryOptions { ServiceName = "pigmm-console" });
        builder.UseOrleansClient(client =>
        {
            client.AddActivityPropagation();
            clustering(client);
            client.Configure<ClusterOptions>(cluster => (cluster.ClusterId, cluster.ServiceId) = (clusterId, PigmmCluster.ServiceId));
            client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = ResponseTimeout);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).WaitAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            host.Dispose();
            throw new InputException($"cannot reach the cluster at {description}: {Reason(failure, database)}");
        }
        return new ClusterConnection(host, description);
    }

    /// <summary>Why connecting failed, in the user's terms.</summary>
    private static string Reason(Exception failure, string? database) => failure switch
    {
        TimeoutException => $"no answer from an Orleans gateway within {ConnectTimeout.TotalSeconds:0} s",
        SiloUnavailableException => "no silo of the cluster is running (its membership lists no live gateway); start one with pigmm silo",
        Orleans.Runtime.Messaging.ConnectionFailedException => $"no silo of the cluster answers ({failure.Message})",
        Npgsql.PostgresException { SqlState: "42P01" } => "the database holds no cluster membership yet; start a silo on it with pigmm silo --store URL",
        Npgsql.NpgsqlException error when database is not null => PostgresMembership.Problem(database, error),
        _ when failure.InnerException is { } inner => Reason(inner, database),
        _ => failure.Message,
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.StopAsync().WaitAsync(ResponseTimeout).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is TimeoutException or OrleansException)
        {
            // The gateway went away; nothing is left to close gracefully.
        }
        finally
        {
            host.Dispose();
        }
    }

    /// <summary>Opens and closes a plain TCP connection to the gateway, so that a closed port or an
    /// unreachable host is reported at once, in the words of the network.</summary>
    private static async Task ProbeAsync(string gateway, IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var probe = new TcpClient(endpoint.AddressFamily);
        try
        {
            await probe.ConnectAsync(endpoint, cancellationToken).AsTask().WaitAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException failure)
        {
            throw new InputException($"cannot reach the cluster at {gateway}: {failure.Message}");
        }
        catch (TimeoutException)
        {
            throw new InputException($"cannot reach the cluster at {gateway}: no connection within {ConnectTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>The endpoint of HOST:PORT (a name is resolved, IPv4 first).</summary>
    private static IPEndPoint Endpoint(string gateway)
    {
        int colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new InputException($"--gateway must be HOST:PORT, e.g. 127.0.0.1:{PigmmCluster.DefaultGatewayPort}; got '{gateway}'.");
        }
        string hostName = gateway[..colon].Trim('[', ']');
        if (IPAddress.TryParse(hostName, out var address))
        {
            return new IPEndPoint(address, port);
        }
        try
        {
            var addresses = Dns.GetHostAddresses(hostName);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new InputException($"cannot reach the cluster at {gateway}: '{hostName}' has no address.");
            return new IPEndPoint(chosen, port);
        }
        catch (SocketException failure)
        {
            throw new InputException($"cannot reach the cluster at {gateway}: {failure.Message}");
        }
    }
}
