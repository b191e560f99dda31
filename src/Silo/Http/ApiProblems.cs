using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansPigmm.Silo.Http;

/// <summary>The API's errors, as RFC 9457 problem details that say what was wrong and what to do.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult NoTokenConfigured(string what) => Problem(StatusCodes.Status403Forbidden, "No API token is configured",
        $"{Capital(what)} needs a bearer token, and this silo has none: start it with {HttpApiOptions.TokenVariable} set, or with --api-token-file FILE.");

    public static ProblemHttpResult Unauthorized(string what, bool missing) => Problem(StatusCodes.Status401Unauthorized,
        missing ? "A bearer token is needed" : "The bearer token is wrong",
        $"{Capital(what)} needs the header 'Authorization: Bearer TOKEN' with the silo's API token{(missing ? "" : "; the one given is not it")}.");

    public static ProblemHttpResult UnknownExperiment(string experimentId) => Problem(StatusCodes.Status404NotFound, "No such experiment",
        $"There is no experiment '{experimentId}' in this silo's store; GET /api/experiments lists them.");

    public static ProblemHttpResult NoSuchFit(string experimentId, int layer, int epoch) => Problem(StatusCodes.Status404NotFound, "No such fit",
        $"Experiment '{experimentId}' has no published fit of layer {layer} at epoch {epoch} (yet).");

    public static ProblemHttpResult BadRequest(string title, string detail) => Problem(StatusCodes.Status400BadRequest, title, detail);

    public static ProblemHttpResult BadJson(string detail) => BadRequest("The body is not valid JSON", detail);

    /// <summary>A spec that cannot run: every problem found, one per entry of <c>problems</c>.</summary>
    public static ProblemHttpResult BadSpec(IReadOnlyList<string> problems) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "The spec cannot be run",
        detail: string.Join("; ", problems),
        extensions: new Dictionary<string, object?> { ["problems"] = problems });

    public static ProblemHttpResult TooLarge() => Problem(StatusCodes.Status413PayloadTooLarge, "The body is too large",
        $"Request bodies are limited to {HttpApiOptions.MaxRequestBodyBytes / 1024} KB; a spec takes a few hundred bytes.");

    public static ProblemHttpResult Conflict(string title, string detail) => Problem(StatusCodes.Status409Conflict, title, detail);

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
