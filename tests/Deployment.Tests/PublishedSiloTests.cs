using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Npgsql;
using OrleansPigmm.Cluster.Tests.Support;
using OrleansPigmm.Deployment.Tests.Support;
using OrleansPigmm.Silo.Http;
using OrleansPigmm.Storage.Tests.Postgres;

namespace OrleansPigmm.Deployment.Tests;

/// <summary>
/// The published artefact (scripts/publish.sh, the image's /app) run as a silo: alone on an
/// embedded store, and as the cpu overlay's pod runs it: its migrate step and then its silo with
/// exactly the command lines and environment the manifests give them, in a network namespace of
/// its own whose hosts file names the Services (postgres, otel-collector) as the cluster's DNS
/// would. No API server exists here, so Kubernetes hosting stays off, as it does outside a pod.
/// </summary>
[Collection(PublishedCollection.Name)]
public sealed class PublishedSiloTests(PublishedArtefact artefact)
{
    private const string Password = "manifest-test-password";
    private const string Token = "manifest-test-token";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(4);

    /// <summary>The experiment submitted: small enough to finish in seconds on two cores.</summary>
    private static readonly string[] Experiment = ["--preset", "quick", "--replicas", "4", "--epochs", "2", "--seed", "3", "--wait"];

    [Fact]
    public async Task ThePublishedArtefactRunsALocalSiloThatTrains()
    {
        string folder = Directory.CreateTempSubdirectory("pigmm-local-silo-").FullName;
        try
        {
            string gateway = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
            var environment = ImageEnvironment();
            using var silo = PigmmProcess.Launch("published silo", [artefact.Program],
                ["silo", "--store", Path.Combine(folder, "pigmm.db"), "--silo-port", FreePorts.Next().ToString(CultureInfo.InvariantCulture), "--gateway-port", gateway, "--device", "cpu:2"],
                environment);
            await silo.WaitForLineAsync(line => line.StartsWith("pigmm silo: listening", StringComparison.Ordinal), StartLimit);

            using var submit = PigmmProcess.Launch("published submit", [artefact.Program], ["submit", "--gateway", $"127.0.0.1:{gateway}", .. Experiment], environment);
            await submit.AssertSucceedsAsync(RunLimit);
            Assert.Matches("^Experiment .+ complete: 4 replicas x 2 epochs\\.$", submit.Output[^1]);
            Assert.Equal(0, await silo.StopAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ThePublishedArtefactTrainsWithTheGpuKernelsOnTheEmulatedAccelerator()
    {
        // The trimmed single file keeps what ILGPU compiles kernels from: the GPU path runs.
        string folder = Directory.CreateTempSubdirectory("pigmm-published-gpu-").FullName;
        try
        {
            var environment = ImageEnvironment();
            using var train = PigmmProcess.Launch("published train", [artefact.Program],
                ["train", "--device", "gpu-emulated", "--n-train", "200", "--replicas", "2", "--epochs", "1", "--output", Path.Combine(folder, "snapshots.npy")], environment);
            await train.AssertSucceedsAsync(RunLimit);
            Assert.True(File.Exists(Path.Combine(folder, "snapshots.npy")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ASiloWithExactlyTheManifestsEnvironmentJoinsTheClusterServesItsProbesAndTrains()
    {
        await using var pod = await ManifestPod.StartAsync(artefact);
        await pod.MigrateAsync();
        using var silo = pod.StartSilo();
        await silo.WaitForLineAsync(line => line.StartsWith("pigmm silo: listening", StringComparison.Ordinal), StartLimit);

        using var http = new HttpClient { BaseAddress = new Uri($"http://{pod.Address}:{pod.HttpPort}"), Timeout = TimeSpan.FromSeconds(10) };
        foreach (string probe in pod.ProbePaths)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(probe)).StatusCode);
        }
        // Off the pod's loopback the API wants the token the manifest gives from its Secret.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/experiments")).StatusCode);

        using var submit = PigmmProcess.Start("console", ["submit", "--gateway", $"{pod.Address}:{pod.GatewayPort}", .. Experiment]);
        await submit.AssertSucceedsAsync(RunLimit);
        string experiment = submit.Output[^1].Split(' ')[1];
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/experiments/{experiment}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var answer = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("\"complete\"", await answer.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        Assert.Equal(0, await silo.StopAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task ASiloThatTakesItselfToBeInAPodButHasNoServiceAccountSaysSoAndExits()
    {
        await using var pod = await ManifestPod.StartAsync(artefact);
        await pod.MigrateAsync();
        using var silo = pod.StartSilo(new Dictionary<string, string>
        {
            ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
            ["KUBERNETES_SERVICE_PORT"] = "443",
        });

        Assert.Equal(2, await silo.WaitForExitAsync(StartLimit));
        Assert.Contains(silo.Errors, line => line.StartsWith("pigmm silo: cannot start Orleans' Kubernetes hosting in pod pigmm/", StringComparison.Ordinal));
    }

    /// <summary>This process's environment and, as the image sets it, the data folder.</summary>
    private Dictionary<string, string> ImageEnvironment()
    {
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(entry => (string)entry.Key, entry => (string)entry.Value!);
        environment["PIGMM_DATA_DIR"] = artefact.Local(Dockerfile.DataDirectory);
        return environment;
    }

    /// <summary>
    /// The cpu overlay's silo pod, imagined here: its network namespace (the pod's IP), a hosts
    /// file naming the Services, a throwaway PostgreSQL behind postgres:5432 with the user,
    /// database and password the manifests and their Secrets name, and the containers' command
    /// lines and environments as Kubernetes would make them.
    /// </summary>
    private sealed class ManifestPod : IAsyncDisposable
    {
        private readonly PublishedArtefact artefact;
        private readonly ThrowawayServer server;
        private readonly NetworkNamespaces network;
        private readonly TcpForwarder database;
        private readonly IDisposable owedHosts;
        private readonly RenderedOverlay overlay = RenderedOverlay.Render("cpu");

        private ManifestPod(PublishedArtefact artefact, ThrowawayServer server, NetworkNamespaces network, TcpForwarder database, IDisposable owedHosts)
        {
            (this.artefact, this.server, this.network, this.database, this.owedHosts) = (artefact, server, network, database, owedHosts);
        }

        /// <summary>The pod's IP.</summary>
        public string Address => network.Address(0);

        public int HttpPort => Port("http");

        public int GatewayPort => Port("gateway");

        /// <summary>The paths of the silo container's probes.</summary>
        public IEnumerable<string> ProbePaths =>
            new[] { "startupProbe", "livenessProbe", "readinessProbe" }.Select(probe => (string)overlay.SiloContainer[probe]!["httpGet"]!["path"]!);

        private string HostsFolder => Path.Combine("/etc/netns", network.Name(0));

        public static async Task<ManifestPod> StartAsync(PublishedArtefact artefact)
        {
            var server = await ThrowawayServer.StartAsync();
            NetworkNamespaces? network = null;
            try
            {
                await using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={server.Port};Username=postgres;Database=postgres;Pooling=false"))
                {
                    await connection.OpenAsync();
                    foreach (string statement in new[] { $"CREATE ROLE pigmm LOGIN PASSWORD '{Password}'", "CREATE DATABASE pigmm OWNER pigmm" })
                    {
                        await using var command = new NpgsqlCommand(statement, connection);
                        await command.ExecuteNonQueryAsync();
                    }
                }
                await server.RequirePasswordAsync("pigmm");
                network = NetworkNamespaces.Create(1);
                // ip netns exec mounts /etc/netns/NAME/hosts over /etc/hosts: the Services' names.
                string hosts = Path.Combine("/etc/netns", network.Name(0));
                Directory.CreateDirectory(hosts);
                var owedHosts = LeftBehind.Register($"rm -rf {LeftBehind.Quote(hosts)}");
                await File.WriteAllTextAsync(Path.Combine(hosts, "hosts"), $"127.0.0.1 localhost\n{network.BridgeAddress} postgres otel-collector\n");
                var database = new TcpForwarder(new IPEndPoint(IPAddress.Parse(network.BridgeAddress), 5432), new IPEndPoint(IPAddress.Loopback, server.Port));
                return new ManifestPod(artefact, server, network, database, owedHosts);
            }
            catch
            {
                network?.Dispose();
                await server.DisposeAsync();
                throw;
            }
        }

        /// <summary>Runs the migrate init container to completion.</summary>
        public async Task MigrateAsync()
        {
            using var migrate = Start("migrate", extra: null);
            await migrate.AssertSucceedsAsync(StartLimit);
        }

        /// <summary>Starts the silo container, with <paramref name="extra"/> variables besides the manifest's.</summary>
        public PigmmProcess StartSilo(IReadOnlyDictionary<string, string>? extra = null) => Start("silo", extra);

        public async ValueTask DisposeAsync()
        {
            database.Dispose();
            network.Dispose();
            Directory.Delete(HostsFolder, recursive: true);
            owedHosts.Dispose();
            await server.DisposeAsync();
        }

        private PigmmProcess Start(string name, IReadOnlyDictionary<string, string>? extra)
        {
            var container = RenderedOverlay.Container(overlay.Silo, name);
            var fields = new Dictionary<string, string>
            {
                ["metadata.name"] = "pigmm-silo-test",
                ["metadata.namespace"] = "pigmm",
                ["status.podIP"] = Address,
            };
            var secrets = new Dictionary<(string, string), string>
            {
                [("pigmm-postgres", "password")] = Password,
                [("pigmm-api", "token")] = Token,
            };
            var manifest = ContainerEnvironment.Resolve(container, field => fields[field], (secret, key) => secrets[(secret, key)]);
            // The manifest's variables with the image's paths as they lie here, and what the image
            // itself sets besides them (a search path and a home).
            var environment = manifest.ToDictionary(variable => variable.Key, variable => artefact.Local(variable.Value));
            environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
            environment["HOME"] = Path.GetTempPath();
            foreach (var (variable, value) in extra ?? new Dictionary<string, string>())
            {
                environment[variable] = value;
            }
            var commandLine = ContainerEnvironment.CommandLine(container, manifest);
            return PigmmProcess.Launch($"pod container {name}", [.. network.Exec(0), artefact.Local(commandLine[0])], commandLine.Skip(1), environment);
        }

        private int Port(string name) =>
            (int)RenderedOverlay.Items(overlay.SiloContainer["ports"]).Single(port => (string?)port["name"] == name)["containerPort"]!;
    }
}
