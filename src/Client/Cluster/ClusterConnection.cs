using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using OrleansPigmm.Silo.Hosting;

namespace OrleansPigmm.Client.Cluster;

/// <summary>A console's connection to a running cluster through one silo's gateway, as an Orleans
/// client: the cluster's grains, and a clear failure instead of a long hang when the gateway is
/// not there.</summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    /// <summary>How long a grain call may take before it fails.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long connecting may take.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly IHost host;

    private ClusterConnection(IHost host) => this.host = host;

    /// <summary>The cluster's grains.</summary>
    public IGrainFactory Grains => host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects to the gateway <paramref name="gateway"/> (HOST:PORT).</summary>
    /// <exception cref="InputException">The gateway is malformed or cannot be reached.</exception>
    public static async Task<ClusterConnection> ConnectAsync(string gateway, CancellationToken cancellationToken)
    {
        var endpoint = Endpoint(gateway);
        await ProbeAsync(gateway, endpoint, cancellationToken).ConfigureAwait(false);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(endpoint);
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = PigmmCluster.ClusterId;
                cluster.ServiceId = PigmmCluster.ServiceId;
            });
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
            string reason = failure is TimeoutException ? $"no answer from an Orleans gateway within {ConnectTimeout.TotalSeconds:0} s" : failure.Message;
            throw new InputException($"cannot reach the cluster at {gateway}: {reason}");
        }
        return new ClusterConnection(host);
    }

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
