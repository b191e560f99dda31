using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansPigmm.Grains.Abstractions.Experiments;

namespace OrleansPigmm.Silo.Http;

/// <summary>
/// Reads the body of <c>POST /api/experiments</c>: a spec as spec files hold it (snake_case
/// fields over the paper-gaussian preset), or <c>{"preset": NAME, ...overrides}</c>, whose
/// fields override that preset. Validation is the spec parser's, so the API and the console
/// refuse the same specs with the same messages.
/// </summary>
internal static class SubmissionBody
{
    private const string PresetField = "preset";

    private static readonly JsonDocumentOptions Reading = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>The spec in the body, or the problem that keeps it from being one.</summary>
    public static async Task<(ExperimentSpec? Spec, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > HttpApiOptions.MaxRequestBodyBytes)
        {
            return (null, ApiProblems.TooLarge());
        }
        // Read one byte past the limit, no more: a body that reaches it is too large, and the
        // server discards the rest of it instead of holding it.
        var buffer = new byte[HttpApiOptions.MaxRequestBodyBytes + 1];
        int length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            length = buffer.Length;
        }
        if (length > HttpApiOptions.MaxRequestBodyBytes)
        {
            return (null, ApiProblems.TooLarge());
        }
        string text = Encoding.UTF8.GetString(buffer, 0, length);
        JsonObject body;
        try
        {
            if (JsonNode.Parse(text, documentOptions: Reading) is not JsonObject root)
            {
                return (null, ApiProblems.BadRequest("The body is not a spec", "The body must be a JSON object: a spec's fields, or {\"preset\": NAME} with fields to override."));
            }
            body = root;
        }
        catch (JsonException error)
        {
            return (null, ApiProblems.BadJson($"line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1}: {error.Message}"));
        }
        var defaults = ExperimentPresets.PaperGaussian;
        if (body.TryGetPropertyValue(PresetField, out var preset))
        {
            string? name = preset?.GetValueKind() == JsonValueKind.String ? preset.GetValue<string>() : null;
            if (name is null || ExperimentPresets.Find(name) is not { } found)
            {
                return (null, ApiProblems.BadSpec([$"spec.preset: {(name is null ? "expected a preset name" : $"'{name}' is not a preset")}; the presets are {string.Join(", ", ExperimentPresets.Names)}"]));
            }
            defaults = found;
            body.Remove(PresetField);
        }
        try
        {
            return (ExperimentSpecParser.Parse(body.ToJsonString(), defaults), null);
        }
        catch (SpecException invalid)
        {
            return (null, ApiProblems.BadSpec(invalid.Problems));
        }
    }
}
