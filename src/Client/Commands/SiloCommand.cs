using System.CommandLine;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using OrleansPigmm.Grains.Training;
using OrleansPigmm.Silo.Hosting;
using OrleansPigmm.Silo.Training;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Postgres;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Client.Commands;

/// <summary>
/// <c>pigmm silo</c>: one long-lived Orleans silo, training every experiment submitted to its
/// cluster until stopped. On a PostgreSQL store it joins the cluster whose membership that
/// database keeps (any number of silos, on any hosts); on a SQLite store it is a cluster of one on
/// the loopback address. Consoles reach it through its gateway (<c>pigmm submit</c>, <c>status</c>,
/// <c>watch</c>, <c>cancel</c>). SIGTERM or Ctrl+C stops it gracefully: it leaves the membership,
/// its replicas abandon the epochs in flight and hand themselves back (committed epochs stay).
/// </summary>
internal static class SiloCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var storeLocation = new Option<string>("--store")
        {
            Description = "The store: postgres://USER@HOST:PORT/DB for a cluster of any number of silos (password from PGPASSWORD or --password-file), or a SQLite file (created if missing) for a cluster of one.",
            Required = true,
        };
        var siloPort = new Option<int>("--silo-port") { Description = $"The port silos talk to each other on; default {PigmmCluster.DefaultSiloPort}.", DefaultValueFactory = _ => PigmmCluster.DefaultSiloPort };
        var gatewayPort = new Option<int>("--gateway-port") { Description = $"The port consoles connect to; default {PigmmCluster.DefaultGatewayPort}.", DefaultValueFactory = _ => PigmmCluster.DefaultGatewayPort };
        var advertise = new Option<string?>("--advertise") { Description = "The IP address other silos and consoles reach this silo at (a PostgreSQL store only); default: this host's first non-loopback IPv4 address." };
        var clusterId = new Option<string>("--cluster-id") { Description = $"The cluster to join (silos and consoles with one id form one cluster); default {PigmmCluster.ClusterId}.", DefaultValueFactory = _ => PigmmCluster.ClusterId };
        var common = new CommonTrainingOptions();
        var httpApi = new HttpApiOptionValues();
        var command = new Command("silo", "Run one long-lived silo, training every experiment submitted to its cluster (pigmm submit), until SIGTERM or Ctrl+C.")
        {
            storeLocation, siloPort, gatewayPort, advertise, clusterId,
        };
        var storeOptions = new StoreOptions().AddTo(command);
        common.AddTo(command, withDataset: false, asDevice: true);
        httpApi.AddTo(command);
        command.SetAction((parsed, cancellationToken) => Task.FromResult(CommandFailure.Guard("silo", error, () =>
        {
            var device = common.Device(parsed);
            var width = common.Width(parsed);
            string? dataDirectory = common.DataDirectory(parsed);
            var (silo, gateway) = (parsed.GetValue(siloPort), parsed.GetValue(gatewayPort));
            CheckPorts(silo, gateway);
            string location = parsed.GetValue(storeLocation)!;
            var postgres = storeOptions.Postgres(parsed);
            bool clustered = PigmmStores.IsPostgres(location);
            if (!clustered && parsed.GetValue(advertise) is not null)
            {
                throw new InputException("--advertise needs a PostgreSQL store: a silo on a SQLite file is a cluster of one on 127.0.0.1.");
            }
            string cluster = OptionValues.ClusterId(parsed.GetValue(clusterId)!);
            var advertised = clustered ? AdvertisedAddress(parsed.GetValue(advertise)) : IPAddress.Loopback;
            var network = new SiloNetwork
            {
                ClusterId = cluster,
                SiloPort = silo,
                GatewayPort = gateway,
                AdvertisedAddress = advertised,
                MembershipConnectionString = clustered ? PostgresMembership.ConnectionString(location, postgres) : null,
                Pod = clustered ? Pod(cluster, advertised) : null,
                HttpApi = httpApi.Options(parsed, error),
            };
            // Each experiment's data is loaded on its first epoch here, once. A GPU is opened now:
            // a machine without the one named is told so before anything else starts.
            var trainingDevice = device.SiloDevice(width, name => DatasetCatalog.Load(name, dataDirectory));
            // Opening the store migrates its schema, the membership tables included, before the silo joins.
            var store = StoreOptions.Open(location, postgres);
            var options = new PigmmSiloOptions
            {
                Store = () => store,
                Device = trainingDevice,
                Datasets = name => DatasetCatalog.TryDimensions(name, dataDirectory),
            };
            return RunAsync(options, network, output, cancellationToken).GetAwaiter().GetResult();
        })));
        return command;
    }

    private static void CheckPorts(int silo, int gateway)
    {
        foreach (var (port, name) in new[] { (silo, "--silo-port"), (gateway, "--gateway-port") })
        {
            if (port is < 1 or > 65535)
            {
                throw new InputException($"{name} must be a port from 1 to 65535; got {port}.");
            }
            if (!PigmmSiloHost.IsPortFree(port))
            {
                throw new InputException($"port {port} ({name}) is already in use; is another silo running? Give another with {name}.");
            }
        }
        if (silo == gateway)
        {
            throw new InputException($"--silo-port and --gateway-port must differ; both are {silo}.");
        }
    }

    /// <summary>The Kubernetes pod this silo runs in, or null outside one.</summary>
    private static KubernetesPod? Pod(string clusterId, IPAddress advertised)
    {
        try
        {
            return KubernetesPod.FromEnvironment(Environment.GetEnvironmentVariable, clusterId, advertised);
        }
        catch (InvalidOperationException mismatch)
        {
            throw new InputException(mismatch.Message);
        }
    }

    /// <summary>The address given, or this host's first non-loopback IPv4 address (loopback when it has none).</summary>
    private static IPAddress AdvertisedAddress(string? given)
    {
        if (given is not null)
        {
            return IPAddress.TryParse(given, out var address) && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any)
                ? address
                : throw new InputException($"--advertise must be an IP address other silos can reach this one at, e.g. 10.0.0.5; got '{given}'.");
        }
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(network => network.OperationalStatus == OperationalStatus.Up && network.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(network => network.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork)
            ?? IPAddress.Loopback;
    }

    private static async Task<int> RunAsync(PigmmSiloOptions options, SiloNetwork network, TextWriter output, CancellationToken cancellationToken)
    {
        using var interruption = new Interruption(cancellationToken);
        using var terminated = CancellationTokenSource.CreateLinkedTokenSource(interruption.Token);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            terminated.Cancel();
        });
        PigmmSiloHost silo;
        try
        {
            silo = await PigmmSiloHost.StartAsync(options, network, terminated.Token);
        }
        catch (Exception failure) when (InUse(failure) is { } inUse)
        {
            string http = network.HttpApi is { } api ? $", or the HTTP API's {api.Endpoint}" : "";
            throw new InputException($"cannot listen on port {network.SiloPort} or {network.GatewayPort}{http}: {inUse.Message}");
        }
        catch (Exception failure) when (StoreFailure(failure) is { } unavailable)
        {
            throw new InputException($"cannot join the cluster: {unavailable.Message}");
        }
        catch (Exception failure) when (network.Pod is { } pod && KubernetesFailure(failure) is { } kubernetes)
        {
            throw new InputException(
                $"cannot start Orleans' Kubernetes hosting in pod {pod.Namespace}/{pod.Name}: {kubernetes.Message} (a process with {KubernetesPod.ServiceHostVariable} takes itself to run in a pod, and needs its service account's token).");
        }
        await using (silo)
        {
            var device = silo.Services.GetRequiredService<ITrainingDevice>();
            string cluster = network.MembershipConnectionString is null ? "a cluster of one" : $"cluster {network.ClusterId}";
            string http = silo.HttpEndpoint is { } api ? $", HTTP API http://{api}" : "";
            string pod = network.Pod is { } inPod ? $", pod {inPod.Namespace}/{inPod.Name}" : "";
            output.WriteLine($"pigmm silo: listening on gateway {silo.GatewayEndpoint} (silo {silo.SiloEndpoint}){http}, {cluster}{pod}, store {silo.Store.Description}, device {device.Description}");
            output.Flush();
            using var stopped = CancellationTokenSource.CreateLinkedTokenSource(terminated.Token, silo.Stopping);
            try
            {
                await Task.Delay(Timeout.Infinite, stopped.Token);
            }
            catch (OperationCanceledException)
            {
            }
            output.WriteLine("pigmm silo: stopping; leaving the cluster.");
            output.Flush();
        }
        return 0;
    }

    /// <summary>The database failure behind a silo that could not join (wrong password, server
    /// gone, tables missing), wherever it lies among the causes of <paramref name="failure"/>.</summary>
    private static Exception? StoreFailure(Exception failure) =>
        Cause(failure, cause => cause is Npgsql.NpgsqlException or StoreUnavailableException);

    /// <summary>The socket failure of a port that is taken, wherever it lies among the causes of <paramref name="failure"/>.</summary>
    private static SocketException? InUse(Exception failure) =>
        (SocketException?)Cause(failure, cause => cause is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse });

    /// <summary>The Kubernetes client's refusal to start without its pod's configuration (the
    /// service account's token, the API server's address), wherever it lies among the causes of
    /// <paramref name="failure"/>.</summary>
    private static Exception? KubernetesFailure(Exception failure) =>
        Cause(failure, cause => cause is k8s.Exceptions.KubeConfigException);

    /// <summary>The first of <paramref name="failure"/> and its causes (inner and aggregated) that <paramref name="matches"/>.</summary>
    private static Exception? Cause(Exception? failure, Func<Exception, bool> matches) => failure switch
    {
        null => null,
        _ when matches(failure) => failure,
        AggregateException aggregate => aggregate.InnerExceptions.Select(inner => Cause(inner, matches)).FirstOrDefault(found => found is not null),
        _ => Cause(failure.InnerException, matches),
    };
}
