using System.Globalization;
using System.Text.Json.Nodes;
using OrleansPigmm.Cluster.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace OrleansPigmm.Deployment.Tests.Support;

/// <summary>
/// One overlay of k8s/ as <c>kubectl kustomize</c> renders it: its YAML, and its objects as JSON
/// (plain scalars that read as integers or booleans become numbers and booleans, as Kubernetes
/// reads them), with the questions the tests ask of them.
/// </summary>
internal sealed class RenderedOverlay
{
    /// <summary>The overlays a user applies.</summary>
    public static TheoryData<string> Names { get; } = ["cpu", "gpu", "managed-postgres"];

    private RenderedOverlay(string name, string yaml, IReadOnlyList<JsonObject> objects)
    {
        Name = name;
        Yaml = yaml;
        Objects = objects;
    }

    public string Name { get; }

    /// <summary>The rendered stream, as kubectl printed it.</summary>
    public string Yaml { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    /// <summary>The silo workload.</summary>
    public JsonObject Silo => Single("Deployment", "pigmm-silo");

    /// <summary>The silo's container.</summary>
    public JsonObject SiloContainer => Container(Silo, "silo");

    /// <summary>Renders k8s/overlays/<paramref name="name"/>.</summary>
    public static RenderedOverlay Render(string name)
    {
        var result = HostCommand.TryFor(TimeSpan.FromMinutes(2), "kubectl", "kustomize", Repository.Path("k8s", "overlays", name));
        Assert.True(result.ExitCode == 0, $"kubectl kustomize k8s/overlays/{name} failed ({result.ExitCode}): {result.Error}");
        return new RenderedOverlay(name, result.Output, Parse(result.Output));
    }

    /// <summary>The objects of a multi-document YAML stream.</summary>
    public static IReadOnlyList<JsonObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(document => (JsonObject)ToJson(document.RootNode)!)];
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(item => (string?)item["kind"] == kind);

    public JsonObject Single(string kind, string name) =>
        Assert.Single(OfKind(kind), item => (string?)item["metadata"]!["name"] == name);

    /// <summary>The workloads: everything with a pod template.</summary>
    public IEnumerable<JsonObject> Workloads => Objects.Where(item => PodTemplate(item) is not null);

    /// <summary>The pod template of a Deployment, StatefulSet or Job; null for other kinds.</summary>
    public static JsonObject? PodTemplate(JsonObject workload) => workload["spec"]?["template"] as JsonObject;

    /// <summary>The pod spec of a workload.</summary>
    public static JsonObject PodSpec(JsonObject workload) => (JsonObject)PodTemplate(workload)!["spec"]!;

    /// <summary>Every container of a workload, init containers first.</summary>
    public static IEnumerable<JsonObject> Containers(JsonObject workload)
    {
        var spec = PodSpec(workload);
        return Items(spec["initContainers"]).Concat(Items(spec["containers"]));
    }

    public static JsonObject Container(JsonObject workload, string name) =>
        Assert.Single(Containers(workload), container => (string?)container["name"] == name);

    /// <summary>The labels of a workload's pods.</summary>
    public static IReadOnlyDictionary<string, string> PodLabels(JsonObject workload) => Strings(PodTemplate(workload)!["metadata"]?["labels"]);

    /// <summary>The members of a JSON object of strings (labels, selectors).</summary>
    public static IReadOnlyDictionary<string, string> Strings(JsonNode? map) =>
        map is JsonObject members ? members.ToDictionary(member => member.Key, member => member.Value!.ToString()) : new Dictionary<string, string>();

    /// <summary>The elements of a JSON array of strings, none for a missing one.</summary>
    public static IEnumerable<string> Texts(JsonNode? array) => array is JsonArray items ? items.Select(item => item!.ToString()) : [];

    /// <summary>The elements of a JSON array, none for a missing one.</summary>
    public static IEnumerable<JsonObject> Items(JsonNode? array) => array is JsonArray items ? items.Cast<JsonObject>() : [];

    /// <summary>The workloads whose pods carry every label of <paramref name="selector"/>.</summary>
    public IReadOnlyList<JsonObject> Selected(IReadOnlyDictionary<string, string> selector) =>
        [.. Workloads.Where(workload => selector.All(label => PodLabels(workload).TryGetValue(label.Key, out var value) && value == label.Value))];

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(child =>
            KeyValuePair.Create(((YamlScalarNode)child.Key).Value!, ToJson(child.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidDataException($"Unexpected YAML node {node.NodeType}."),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        string value = scalar.Value ?? "";
        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }
        if (value is "null" or "~" or "")
        {
            return null;
        }
        if (value is "true" or "false")
        {
            return JsonValue.Create(value == "true");
        }
        // Kubernetes' integers here (ports, counts, seconds) all fit an int.
        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number)
            ? JsonValue.Create(number)
            : JsonValue.Create(value);
    }
}

/// <summary>Paths in this repository.</summary>
internal static class Repository
{
    /// <summary>The repository's root: the nearest folder above the tests holding OrleansPigmm.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "OrleansPigmm.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No OrleansPigmm.sln above {AppContext.BaseDirectory}.");
    }
}
