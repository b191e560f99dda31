using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo.Hosting;

/// <summary>
/// Local dev mode: one Orleans silo in this process (localhost clustering on free loopback ports,
/// no server to install) over the embedded store, and the grain factory to talk to it as a client.
/// Experiments on it run exactly as on a cluster.
/// </summary>
public sealed class LocalSilo : IAsyncDisposable
{
    private readonly IHost host;

    private LocalSilo(IHost host) => this.host = host;

    /// <summary>The silo's services (its store, training device and group commit among them).</summary>
    public IServiceProvider Services => host.Services;

    /// <summary>Grains of this silo.</summary>
    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's store.</summary>
    public IPigmmStore Store => host.Services.GetRequiredService<IPigmmStore>();

    /// <summary>Starts a silo made of <paramref name="options"/>; warnings and errors go to standard error.</summary>
    public static async Task<LocalSilo> StartAsync(PigmmSiloOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Orleans reports the comings and goings of a one-silo cluster as warnings; only its errors matter here.
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "orleanspigmm", clusterId: $"pigmm-local-{Environment.ProcessId}");
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
        return new LocalSilo(host);
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
