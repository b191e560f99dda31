using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrleansPigmm.Client;
using OrleansPigmm.Deployment.Tests.Support;
using OrleansPigmm.Silo.Hosting;
using OrleansPigmm.Silo.Http;
using OrleansPigmm.Silo.Telemetry;
using OrleansPigmm.Storage.Postgres;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Deployment.Tests;

/// <summary>
/// What the rendered manifests of every overlay must say for the silo to start, be reached and
/// be kept safe: checked against the silo's own command-line parser, the variables its code reads,
/// the paths it serves and the image the Dockerfile builds.
/// </summary>
public sealed partial class ManifestTests
{
    /// <summary>Downward API fields of the pod the checks imagine.</summary>
    private static readonly Dictionary<string, string> PodFields = new()
    {
        ["metadata.name"] = "pigmm-silo-7d9f8-abcde",
        ["metadata.namespace"] = "pigmm",
        ["status.podIP"] = "10.244.1.7",
    };

    /// <summary>Every environment variable the silo reads at start in a pod.</summary>
    private static readonly string[] SiloVariables =
    [
        .. KubernetesPod.Variables,
        PostgresStore.PasswordVariable,
        HttpApiOptions.TokenVariable,
        PigmmTelemetryOptions.EndpointVariable,
        DatasetCatalog.DataDirectoryVariable,
    ];

    [GeneratedRegex(@"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")]
    private static partial Regex PasswordInAddress();

    [GeneratedRegex("PASSWORD|TOKEN|SECRET|CREDENTIAL", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void EverySiloPodContainerRunsACommandLinePigmmAccepts(string overlay)
    {
        var rendered = RenderedOverlay.Render(overlay);
        foreach (var container in RenderedOverlay.Containers(rendered.Silo))
        {
            var defined = new HashSet<string>();
            foreach (var variable in RenderedOverlay.Items(container["env"]))
            {
                string value = variable["value"]?.ToString() ?? "";
                Assert.All(ContainerEnvironment.References(value), reference => Assert.Contains(reference, defined));
                defined.Add((string)variable["name"]!);
            }
            Assert.All(ContainerEnvironment.Words(container).SelectMany(ContainerEnvironment.References), reference => Assert.Contains(reference, defined));

            var commandLine = CommandLine(container);
            Assert.Equal(Dockerfile.Entrypoint, commandLine[0]);
            var parsed = PigmmCommandLine.Build(TextWriter.Null, TextWriter.Null).Parse(commandLine.Skip(1).ToArray());
            Assert.True(parsed.Errors.Count == 0, $"{overlay}, container {container["name"]}: {string.Join("; ", parsed.Errors.Select(error => error.Message))}");
        }
    }

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void TheSiloGetsEveryVariableItReadsAndItsIdsAgree(string overlay)
    {
        var rendered = RenderedOverlay.Render(overlay);
        var container = rendered.SiloContainer;
        var environment = Environment(container);
        Assert.All(SiloVariables, name => Assert.True(environment.ContainsKey(name), $"{overlay}: the silo container does not set {name}"));

        var fields = RenderedOverlay.Items(container["env"])
            .Where(variable => variable["valueFrom"]?["fieldRef"] is not null)
            .ToDictionary(variable => (string)variable["name"]!, variable => (string)variable["valueFrom"]!["fieldRef"]!["fieldPath"]!);
        Assert.Equal("metadata.name", fields["POD_NAME"]);
        Assert.Equal("metadata.namespace", fields["POD_NAMESPACE"]);
        Assert.Equal("status.podIP", fields["POD_IP"]);

        var silo = Options(CommandLine(container));
        Assert.Equal(PigmmCluster.ServiceId, environment["ORLEANS_SERVICE_ID"]);
        Assert.Equal(environment["ORLEANS_CLUSTER_ID"], silo["--cluster-id"]);
        Assert.Equal(PodFields["status.podIP"], silo["--advertise"]);
        var labels = RenderedOverlay.PodLabels(rendered.Silo);
        Assert.Equal(PigmmCluster.ServiceId, labels["orleans/serviceId"]);
        Assert.Equal(silo["--cluster-id"], labels["orleans/clusterId"]);
        Assert.Equal(Dockerfile.DataDirectory, environment[DatasetCatalog.DataDirectoryVariable]);

        // The schema migration reaches the same store with the same credentials.
        var migrate = RenderedOverlay.Container(rendered.Silo, "migrate");
        Assert.Equal(["db", "migrate"], CommandLine(migrate).Skip(1).Take(2));
        foreach (string name in new[] { "PIGMM_STORE", PostgresStore.PasswordVariable })
        {
            Assert.True(JsonNode.DeepEquals(Variable(container, name), Variable(migrate, name)), $"{overlay}: {name} differs between the migrate and silo containers");
        }
        Assert.Equal(environment["PIGMM_STORE"], Options(CommandLine(migrate))["--store"]);
    }

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void TheContainerPortsAreThePortsTheSiloListensOn(string overlay)
    {
        var container = RenderedOverlay.Render(overlay).SiloContainer;
        var silo = Options(CommandLine(container));
        var ports = Ports(container);

        Assert.Equal(int.Parse(silo["--silo-port"]), ports["silo"]);
        Assert.Equal(int.Parse(silo["--gateway-port"]), ports["gateway"]);
        Assert.Equal(HttpPort(silo), ports["http"]);
        Assert.Equal(3, ports.Count);
    }

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void ServicesBudgetsAndPoliciesSelectPodsThatServeTheirPorts(string overlay)
    {
        var rendered = RenderedOverlay.Render(overlay);
        foreach (var service in rendered.OfKind("Service"))
        {
            var selector = RenderedOverlay.Strings(service["spec"]!["selector"]);
            Assert.NotEmpty(selector);
            var pods = rendered.Selected(selector);
            Assert.True(pods.Count > 0, $"{overlay}: Service {service["metadata"]!["name"]} selects no pods");
            foreach (var port in RenderedOverlay.Items(service["spec"]!["ports"]))
            {
                Assert.All(pods, pod => AssertServes(pod, port["targetPort"] ?? port["port"]));
            }
        }
        var budget = Assert.Single(rendered.OfKind("PodDisruptionBudget"));
        Assert.Equal([rendered.Silo], rendered.Selected(RenderedOverlay.Strings(budget["spec"]!["selector"]!["matchLabels"])));

        foreach (var policy in rendered.OfKind("NetworkPolicy"))
        {
            var selector = RenderedOverlay.Strings(policy["spec"]!["podSelector"]!["matchLabels"]);
            var pods = selector.Count == 0 ? rendered.Workloads.ToList() : rendered.Selected(selector);
            Assert.True(pods.Count > 0, $"{overlay}: NetworkPolicy {policy["metadata"]!["name"]} selects no pods");
            foreach (var rule in RenderedOverlay.Items(policy["spec"]!["ingress"]))
            {
                Assert.All(RenderedOverlay.Items(rule["from"]), peer =>
                    Assert.NotEmpty(rendered.Selected(RenderedOverlay.Strings(peer["podSelector"]?["matchLabels"]))));
                Assert.All(RenderedOverlay.Items(rule["ports"]), port => Assert.All(pods, pod => AssertServes(pod, port["port"])));
            }
        }
    }

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void TheProbesAskThePathsTheSiloServesOnItsHttpPort(string overlay)
    {
        var container = RenderedOverlay.Render(overlay).SiloContainer;
        var ports = Ports(container);
        int http = HttpPort(Options(CommandLine(container)));
        var expected = new Dictionary<string, string>
        {
            ["startupProbe"] = HttpApiOptions.LivenessPath,
            ["livenessProbe"] = HttpApiOptions.LivenessPath,
            ["readinessProbe"] = HttpApiOptions.ReadinessPath,
        };
        foreach (var (probe, path) in expected)
        {
            var get = container[probe]?["httpGet"] ?? throw new Xunit.Sdk.XunitException($"{overlay}: the silo has no {probe} over HTTP");
            Assert.Equal(path, (string?)get["path"]);
            var port = get["port"]!;
            Assert.Equal(http, port.GetValueKind() == System.Text.Json.JsonValueKind.Number ? (int)port : ports[(string)port!]);
        }
    }

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void TheSilosServiceAccountMayDoWhatOrleansKubernetesHostingDoes(string overlay)
    {
        var rendered = RenderedOverlay.Render(overlay);
        var pod = RenderedOverlay.PodSpec(rendered.Silo);
        string account = (string)pod["serviceAccountName"]!;
        Assert.NotEqual(false, (bool?)pod["automountServiceAccountToken"]);
        rendered.Single("ServiceAccount", account);

        var binding = Assert.Single(rendered.OfKind("RoleBinding"), binding =>
            RenderedOverlay.Items(binding["subjects"]).Any(subject => (string?)subject["kind"] == "ServiceAccount" && (string?)subject["name"] == account));
        Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
        var role = rendered.Single("Role", (string)binding["roleRef"]!["name"]!);
        // Kubernetes hosting reads and labels its own pod, and lists and watches the cluster's pods.
        var granted = RenderedOverlay.Items(role["rules"])
            .Where(rule => RenderedOverlay.Texts(rule["apiGroups"]).Contains("") && RenderedOverlay.Texts(rule["resources"]).Contains("pods"))
            .SelectMany(rule => RenderedOverlay.Texts(rule["verbs"]))
            .ToHashSet();
        Assert.Superset(granted, new HashSet<string> { "get", "watch", "list", "patch" }.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void NoSecretValueIsWrittenInline(string overlay)
    {
        var rendered = RenderedOverlay.Render(overlay);
        Assert.Empty(rendered.OfKind("Secret"));
        Assert.DoesNotMatch(PasswordInAddress(), rendered.Yaml);
        foreach (var container in rendered.Workloads.SelectMany(RenderedOverlay.Containers))
        {
            foreach (var variable in RenderedOverlay.Items(container["env"]).Where(variable => SecretName().IsMatch((string)variable["name"]!)))
            {
                Assert.True(variable["valueFrom"]?["secretKeyRef"] is not null && variable["value"] is null,
                    $"{overlay}: {container["name"]} sets {variable["name"]} other than from a Secret");
            }
        }
    }

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void OnlyTheGpuOverlayRequestsAGpuAndTrainsOnIt(string overlay)
    {
        var rendered = RenderedOverlay.Render(overlay);
        var container = rendered.SiloContainer;
        string device = Options(CommandLine(container))["--device"];
        if (overlay == "gpu")
        {
            Assert.Equal(1, (int?)container["resources"]!["limits"]!["nvidia.com/gpu"]);
            Assert.Equal("gpu:0", device);
            Assert.Contains(RenderedOverlay.Items(RenderedOverlay.PodSpec(rendered.Silo)["tolerations"]), toleration => (string?)toleration["key"] == "nvidia.com/gpu");
            Assert.NotEmpty(RenderedOverlay.Strings(RenderedOverlay.PodSpec(rendered.Silo)["nodeSelector"]));
        }
        else
        {
            Assert.DoesNotContain("nvidia.com/gpu", rendered.Yaml, StringComparison.Ordinal);
            Assert.Equal("cpu", device);
        }
    }

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void TheStoreIsTheInClusterDatabaseOrComesFromASecret(string overlay)
    {
        var rendered = RenderedOverlay.Render(overlay);
        var silo = rendered.SiloContainer;
        if (overlay == "managed-postgres")
        {
            Assert.Empty(rendered.OfKind("StatefulSet"));
            foreach (string name in new[] { "PIGMM_STORE", PostgresStore.PasswordVariable })
            {
                Assert.Equal("pigmm-database", (string?)Variable(silo, name)["valueFrom"]?["secretKeyRef"]?["name"]);
            }
            return;
        }
        var store = new Uri(Environment(silo)["PIGMM_STORE"]);
        var database = rendered.Single("StatefulSet", "postgres");
        var postgres = RenderedOverlay.Container(database, "postgres");
        var server = Environment(postgres);
        Assert.Equal(store.UserInfo, server["POSTGRES_USER"]);
        Assert.Equal(store.AbsolutePath.TrimStart('/'), server["POSTGRES_DB"]);
        Assert.True(JsonNode.DeepEquals(Variable(postgres, "POSTGRES_PASSWORD")["valueFrom"], Variable(silo, PostgresStore.PasswordVariable)["valueFrom"]));
        var service = rendered.Single("Service", store.Host);
        Assert.Contains(RenderedOverlay.Items(service["spec"]!["ports"]), port => (int?)port["port"] == store.Port);
        Assert.Equal([database], rendered.Selected(RenderedOverlay.Strings(service["spec"]!["selector"])));
    }

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void OnlyTheApiIsOpenBeyondTheNamespaceAndOnlySilosReachTheDatabase(string overlay)
    {
        var rendered = RenderedOverlay.Render(overlay);
        var policies = rendered.OfKind("NetworkPolicy").ToList();
        Assert.Contains(policies, policy =>
            RenderedOverlay.Strings(policy["spec"]!["podSelector"]!["matchLabels"]).Count == 0
            && RenderedOverlay.Texts(policy["spec"]!["policyTypes"]).Contains("Ingress")
            && !RenderedOverlay.Items(policy["spec"]!["ingress"]).Any());
        int api = Ports(rendered.SiloContainer)["http"];
        var siloLabels = RenderedOverlay.PodLabels(rendered.Silo);
        foreach (var policy in policies)
        {
            var selected = rendered.Selected(RenderedOverlay.Strings(policy["spec"]!["podSelector"]!["matchLabels"]));
            foreach (var rule in RenderedOverlay.Items(policy["spec"]!["ingress"]))
            {
                var peers = RenderedOverlay.Items(rule["from"]).ToList();
                if (peers.Count == 0)
                {
                    // Open to any source: only the silos' API port.
                    Assert.Equal([rendered.Silo], selected);
                    Assert.Equal([api], RenderedOverlay.Items(rule["ports"]).Select(port => (int)port["port"]!));
                }
                Assert.All(peers, peer => Assert.Null(peer["namespaceSelector"] ?? peer["ipBlock"]));
            }
            if (selected.Any(workload => (string?)workload["kind"] == "StatefulSet"))
            {
                Assert.All(RenderedOverlay.Items(policy["spec"]!["ingress"]).SelectMany(rule => RenderedOverlay.Items(rule["from"])), peer =>
                    Assert.Equal([rendered.Silo], rendered.Selected(RenderedOverlay.Strings(peer["podSelector"]?["matchLabels"]))));
            }
        }
        Assert.All(rendered.OfKind("Service"), service => Assert.Contains((string?)service["spec"]!["type"], new string?[] { null, "ClusterIP" }));
    }

    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void EveryContainerRunsAsNonRootOnAReadOnlyRootWithAPinnedImage(string overlay)
    {
        var rendered = RenderedOverlay.Render(overlay);
        foreach (var workload in rendered.Workloads)
        {
            var pod = RenderedOverlay.PodSpec(workload);
            foreach (var container in RenderedOverlay.Containers(workload))
            {
                string where = $"{overlay}: {workload["metadata"]!["name"]}/{container["name"]}";
                var security = container["securityContext"] ?? throw new Xunit.Sdk.XunitException($"{where} has no securityContext");
                Assert.True((bool?)(security["runAsNonRoot"] ?? pod["securityContext"]?["runAsNonRoot"]) == true, $"{where} may run as root");
                Assert.True((bool?)security["readOnlyRootFilesystem"] == true, $"{where} can write its root filesystem");
                Assert.True((bool?)security["allowPrivilegeEscalation"] == false, $"{where} may escalate privileges");
                string image = (string)container["image"]!;
                string tag = image[(image.LastIndexOf('/') + 1)..];
                Assert.True(tag.Contains(':', StringComparison.Ordinal) && !tag.EndsWith(":latest", StringComparison.Ordinal), $"{where}: image {image} is not pinned");
            }
        }
        var silo = RenderedOverlay.PodSpec(rendered.Silo);
        Assert.NotNull(rendered.SiloContainer["lifecycle"]?["preStop"]);
        Assert.True((int?)silo["terminationGracePeriodSeconds"] >= 30, $"{overlay}: too short a grace period to hand replicas back");
    }

    /// <summary>The container's command line in the imagined pod, with placeholder Secrets.</summary>
    private static IReadOnlyList<string> CommandLine(JsonObject container) => ContainerEnvironment.CommandLine(container, Environment(container));

    private static IReadOnlyDictionary<string, string> Environment(JsonObject container) =>
        ContainerEnvironment.Resolve(container, field => PodFields[field], (secret, key) => $"{secret}-{key}-value");

    private static JsonObject Variable(JsonObject container, string name) =>
        Assert.Single(RenderedOverlay.Items(container["env"]), variable => (string?)variable["name"] == name);

    /// <summary>The options of a command line, each with the word after it.</summary>
    private static Dictionary<string, string> Options(IReadOnlyList<string> commandLine) =>
        Enumerable.Range(0, commandLine.Count - 1)
            .Where(index => commandLine[index].StartsWith("--", StringComparison.Ordinal))
            .ToDictionary(index => commandLine[index], index => commandLine[index + 1]);

    private static int HttpPort(Dictionary<string, string> silo) => int.Parse(silo["--http"].Split(':')[^1]);

    private static Dictionary<string, int> Ports(JsonObject container) =>
        RenderedOverlay.Items(container["ports"]).ToDictionary(port => (string)port["name"]!, port => (int)port["containerPort"]!);

    /// <summary>Asserts that a container of <paramref name="workload"/> listens on <paramref name="port"/> (a number or a port's name).</summary>
    private static void AssertServes(JsonObject workload, JsonNode? port)
    {
        var ports = RenderedOverlay.Containers(workload).SelectMany(container => RenderedOverlay.Items(container["ports"])).ToList();
        bool served = port!.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? ports.Any(candidate => (int)candidate["containerPort"]! == (int)port)
            : ports.Any(candidate => (string?)candidate["name"] == (string)port!);
        Assert.True(served, $"{workload["metadata"]!["name"]} serves no port {port}");
    }
}
