using System.Text.Json.Nodes;
using OrleansPigmm.Cluster.Tests.Support;
using OrleansPigmm.Deployment.Tests.Support;

namespace OrleansPigmm.Deployment.Tests;

/// <summary>Every object every overlay renders is valid against the Kubernetes schemas (npm
/// kubernetes-models, through k8s/validate/validate.mjs), and the validator does refuse an invalid one.</summary>
public sealed class ManifestSchemaTests
{
    [Theory]
    [MemberData(nameof(RenderedOverlay.Names), MemberType = typeof(RenderedOverlay))]
    public void EveryRenderedObjectValidatesAgainstTheKubernetesSchemas(string overlay)
    {
        var rendered = RenderedOverlay.Render(overlay);
        var (code, lines) = Validate(rendered.Yaml);

        Assert.True(code == 0, $"{overlay}: the validator exited with {code}:\n{string.Join('\n', lines)}");
        var expected = rendered.Objects.Select(item => $"valid {item["kind"]}/{item["metadata"]!["name"]}").Order();
        Assert.Equal(expected, lines.Where(line => line.StartsWith("valid ", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void TheValidatorRefusesAWorkloadThatBreaksTheSchema()
    {
        var rendered = RenderedOverlay.Render("cpu");
        var silo = (JsonObject)rendered.Silo.DeepClone();
        silo["spec"]!["replicas"] = "two";

        var (code, lines) = Validate(silo.ToJsonString());

        Assert.Equal(1, code);
        Assert.Contains(lines, line => line.StartsWith("invalid Deployment/pigmm-silo", StringComparison.Ordinal) && line.Contains("replicas", StringComparison.Ordinal));
    }

    /// <summary>Runs the validator on <paramref name="yaml"/> (JSON is YAML too).</summary>
    private static (int Code, IReadOnlyList<string> Lines) Validate(string yaml)
    {
        string validator = Repository.Path("k8s", "validate", "validate.mjs");
        Assert.True(Directory.Exists(Repository.Path("k8s", "validate", "node_modules", "kubernetes-models")),
            "k8s/validate has no node_modules: run npm ci there (scripts/test.sh does).");
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, yaml);
            var result = HostCommand.TryFor(TimeSpan.FromMinutes(2), "node", validator, file);
            return (result.ExitCode, [.. (result.Output + result.Error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
