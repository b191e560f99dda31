using System.Diagnostics;
using OpenTelemetry;

namespace OrleansPigmm.Silo.Telemetry;

/// <summary>
/// Drops span attributes that could carry a credential before any exporter sees them: Npgsql
/// records its data source (the connection string, which could hold a password were one ever
/// put in it), and any value that mentions a password is dropped whatever its key.
/// </summary>
internal sealed class CredentialScrubber : BaseProcessor<Activity>
{
    private const string NpgsqlDataSource = "db.npgsql.data_source";

    /// <inheritdoc />
    public override void OnEnd(Activity data)
    {
        List<string>? dropped = null;
        foreach (var (key, value) in data.TagObjects)
        {
            if (key == NpgsqlDataSource || (value is string text && text.Contains("password", StringComparison.OrdinalIgnoreCase)))
            {
                (dropped ??= []).Add(key);
            }
        }
        foreach (var key in dropped ?? [])
        {
            data.SetTag(key, null);
        }
    }
}
