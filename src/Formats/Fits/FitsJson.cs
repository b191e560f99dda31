using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansPigmm.Formats.Fits;

/// <summary>The JSON conventions of every document this system writes: snake_case names,
/// indented, shortest round-trip numbers, non-finite numbers refused (they become null upstream).</summary>
public static class FitsJson
{
    /// <summary>Serializer options shared by writers and readers.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };
}
