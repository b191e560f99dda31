using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansPigmm.Silo.Http;
using OrleansPigmm.Silo.Telemetry;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Postgres;

namespace OrleansPigmm.Silo.Hosting;

/// <summary>
/// One Orleans silo in this process, with the grain factory to talk to it as a client. Local dev
/// mode runs it as a cluster of one on free loopback ports over the embedded store; <c>pigmm
/// silo</c> on given ports, either alone on the embedded store or as one of many silos whose
/// membership the PostgreSQL store's database keeps. Experiments run the same in every mode.
/// </summary>
public sealed class PigmmSiloHost : IAsyncDisposable
{
    private readonly IHost host;

    private PigmmSiloHost(IHost host, IPEndPoint siloEndpoint, IPEndPoint gatewayEndpoint, IPEndPoint? httpEndpoint)
    {
        this.host = host;
        SiloEndpoint = siloEndpoint;
        GatewayEndpoint = gatewayEndpoint;
        HttpEndpoint = httpEndpoint;
    }

    /// <summary>The advertised address and port silos talk to this one on.</summary>
    public IPEndPoint SiloEndpoint { get; }

    /// <summary>The advertised address and port consoles connect to this silo on.</summary>
    public IPEndPoint GatewayEndpoint { get; }

    /// <summary>The address and port the HTTP API listens on; null without one.</summary>
    public IPEndPoint? HttpEndpoint { get; }

    /// <summary>The silo's services (its store, training device and group commit among them).</summary>
    public IServiceProvider Services => host.Services;

    /// <summary>Grains of this silo's cluster.</summary>
    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's store.</summary>
    public IPigmmStore Store => host.Services.GetRequiredService<IPigmmStore>();

    /// <summary>Cancelled when the silo stops of its own accord (the cluster declared it dead) or is stopped.</summary>
    public CancellationToken Stopping => host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    /// <summary>Starts a cluster of one made of <paramref name="options"/> on free loopback ports.</summary>
    public static Task<PigmmSiloHost> StartAsync(PigmmSiloOptions options, CancellationToken cancellationToken = default) =>
        StartAsync(options, new SiloNetwork(), cancellationToken);

    /// <summary>Starts a silo made of <paramref name="options"/> in the cluster <paramref name="network"/>
    /// names, with its HTTP API when the network names an endpoint for it; warnings and errors go
    /// to standard error. Returns once the silo has joined and the API listens.</summary>
    public static async Task<PigmmSiloHost> StartAsync(PigmmSiloOptions options, SiloNetwork network, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(network);
        int siloPort = network.SiloPort ?? FreePort(), gatewayPort = network.GatewayPort ?? FreePort();
        // The web host only when there is an API to serve: a silo without one opens no other port.
        IHostApplicationBuilder builder = network.HttpApi is { } api
            ? HttpApiHosting.CreateBuilder(api)
            : Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddPigmmTelemetry(options.Telemetry);
        IPAddress advertised;
        if (network.MembershipConnectionString is { } membership)
        {
            advertised = network.AdvertisedAddress;
            // The silo's own warnings are start-up notes on garbage collector settings, chosen on purpose here.
            builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error);
            builder.UseOrleans(silo =>
            {
                if (network.Pod is not null)
                {
                    // Before the cluster options below, which therefore win over the ones it reads
                    // from the pod's variables (KubernetesPod has checked that the two agree).
                    silo.UseKubernetesHosting();
                }
                silo.Configure<ClusterOptions>(cluster => (cluster.ClusterId, cluster.ServiceId) = (network.ClusterId, PigmmCluster.ServiceId));
                silo.UseAdoNetClustering(clustering => (clustering.Invariant, clustering.ConnectionString) = (PostgresMembership.Invariant, membership));
                silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: true);
                silo.Configure<ClusterMembershipOptions>(PigmmCluster.TuneFailureDetection);
                silo.AddPigmm(options);
                AddOrleansDashboard(silo, network);
                // This process is the silo: when the cluster declares it dead, the process ends.
                silo.Services.AddSingleton<IFatalErrorHandler, DeclaredDeadExit>();
            });
        }
        else
        {
            advertised = IPAddress.Loopback;
            // Orleans reports the comings and goings of a one-silo cluster as warnings; only its errors matter here.
            builder.Logging.AddFilter("Orleans", LogLevel.Error);
            builder.UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: PigmmCluster.ServiceId, clusterId: network.ClusterId);
                silo.AddPigmm(options);
                AddOrleansDashboard(silo, network);
            });
        }
        IHost host = builder is WebApplicationBuilder web ? HttpApiHosting.Build(web, network.HttpApi!) : ((HostApplicationBuilder)builder).Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        var http = host is WebApplication app ? HttpApiHosting.BoundEndpoint(app) : null;
        return new PigmmSiloHost(host, new IPEndPoint(advertised, siloPort), new IPEndPoint(advertised, gatewayPort), http);
    }

    /// <summary>Stops the silo gracefully: it leaves the cluster's membership, its replicas abandon
    /// the epochs in flight and hand themselves back to their experiments (committed epochs stay),
    /// and queued commits are written.</summary>
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

    /// <summary>Whether <paramref name="port"/> can be listened on at every address of the host now.</summary>
    public static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The Orleans Dashboard's services, only on a silo whose HTTP API serves its pages.</summary>
    private static void AddOrleansDashboard(ISiloBuilder silo, SiloNetwork network)
    {
        if (network.HttpApi is not null)
        {
            HttpApiHosting.AddOrleansDashboard(silo);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
