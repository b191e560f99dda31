using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansPigmm.Silo.Http;

/// <summary>The JSON of the API's own documents (statuses, events): camelCase names, phases as
/// lower-case words. The fit documents keep the snake_case of fits.json.</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Gives <paramref name="options"/> the API's conventions (the framework's own options too).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }
}
