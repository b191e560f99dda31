using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo.Hosting;

/// <summary>
/// One Orleans silo in this process (localhost clustering, the silo its own primary, no server to
/// install) over the embedded store, and the grain factory to talk to it as a client. Local dev
/// mode runs it on free loopback ports; <c>pigmm silo</c> on given ports, with consoles connecting
/// through its gateway. Experiments on it run exactly as on a cluster.
/// </summary>
public sealed class LocalSilo : IAsyncDisposable
{
    private readonly IHost host;

    private LocalSilo(IHost host, int siloPort, int gatewayPort)
    {
        this.host = host;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    /// <summary>The loopback port silos talk to this one on.</summary>
    public int SiloPort { get; }

    /// <summary>The loopback port consoles connect to this silo on.</summary>
    public int GatewayPort { get; }

    /// <summary>The silo's services (its store, training device and group commit among them).</summary>
    public IServiceProvider Services => host.Services;

    /// <summary>Grains of this silo.</summary>
    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's store.</summary>
    public IPigmmStore Store => host.Services.GetRequiredService<IPigmmStore>();

    /// <summary>Starts a silo made of <paramref name="options"/> on free loopback ports; warnings
    /// and errors go to standard error.</summary>
    public static Task<LocalSilo> StartAsync(PigmmSiloOptions options, CancellationToken cancellationToken = default) =>
        StartAsync(options, siloPort: null, gatewayPort: null, cancellationToken);

    /// <summary>Starts a silo made of <paramref name="options"/> on the given loopback ports (a free
    /// one for each that is null); warnings and errors go to standard error.</summary>
    public static async Task<LocalSilo> StartAsync(PigmmSiloOptions options, int? siloPort, int? gatewayPort, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        int siloEndpoint = siloPort ?? FreePort(), gatewayEndpoint = gatewayPort ?? FreePort();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Orleans reports the comings and goings of a one-silo cluster as warnings; only its errors matter here.
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloEndpoint, gatewayEndpoint, serviceId: PigmmCluster.ServiceId, clusterId: PigmmCluster.ClusterId);
            silo.AddPigmm(options);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new LocalSilo(host, siloEndpoint, gatewayEndpoint);
    }

    /// <summary>Stops the silo: replicas abandon the epochs in flight (committed ones stay), queued commits are written.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            host.Dispose();
        }
    }

    /// <summary>Whether <paramref name="port"/> can be listened on at the loopback address now.</summary>
    public static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
