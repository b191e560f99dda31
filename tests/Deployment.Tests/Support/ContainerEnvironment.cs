using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrleansPigmm.Deployment.Tests.Support;

/// <summary>
/// What Kubernetes makes of a container's <c>env</c>, <c>command</c> and <c>args</c>: literal
/// values with their <c>$(NAME)</c> references to earlier variables expanded, downward API fields
/// and Secret keys filled in from what the test says the pod and its Secrets hold. A reference to
/// a variable not defined before it stays as written, as Kubernetes leaves it.
/// </summary>
internal static partial class ContainerEnvironment
{
    [GeneratedRegex(@"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex Reference();

    /// <summary>The container's variables, in order.</summary>
    /// <param name="container">The container's manifest.</param>
    /// <param name="field">The value of a downward API field path (metadata.name, status.podIP).</param>
    /// <param name="secret">The value of a Secret's key, given the Secret's name and the key.</param>
    public static IReadOnlyDictionary<string, string> Resolve(JsonObject container, Func<string, string> field, Func<string, string, string> secret)
    {
        var resolved = new Dictionary<string, string>();
        foreach (var variable in RenderedOverlay.Items(container["env"]))
        {
            string name = (string)variable["name"]!;
            resolved[name] = variable["valueFrom"] switch
            {
                JsonObject { } from when from["fieldRef"] is { } reference => field((string)reference["fieldPath"]!),
                JsonObject { } from when from["secretKeyRef"] is { } reference => secret((string)reference["name"]!, (string)reference["key"]!),
                JsonObject { } from => throw new InvalidDataException($"{name}: a valueFrom the tests do not know: {from.ToJsonString()}"),
                _ => Expand(variable["value"]?.ToString() ?? "", resolved),
            };
        }
        return resolved;
    }

    /// <summary>The container's command and arguments with their references expanded.</summary>
    public static IReadOnlyList<string> CommandLine(JsonObject container, IReadOnlyDictionary<string, string> environment) =>
        [.. Words(container).Select(word => Expand(word, environment))];

    /// <summary>The names <paramref name="text"/> refers to with <c>$(NAME)</c>.</summary>
    public static IEnumerable<string> References(string text) =>
        Reference().Matches(text).Where(match => match.Groups[1].Success).Select(match => match.Groups[1].Value);

    /// <summary>The container's command and arguments as written.</summary>
    public static IEnumerable<string> Words(JsonObject container) => RenderedOverlay.Texts(container["command"]).Concat(RenderedOverlay.Texts(container["args"]));

    private static string Expand(string text, IReadOnlyDictionary<string, string> defined) =>
        Reference().Replace(text, match => match.Value == "$$"
            ? "$"
            : defined.TryGetValue(match.Groups[1].Value, out var value) ? value : match.Value);
}
