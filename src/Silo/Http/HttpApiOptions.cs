using System.Net;

namespace OrleansPigmm.Silo.Http;

/// <summary>
/// Where a silo serves its HTTP API and the bearer token that guards it. Writes always need the
/// token; reads need it too unless the API listens on a loopback address only, where the one
/// reaching it is already on this host.
/// </summary>
public sealed record HttpApiOptions
{
    /// <summary>The environment variable that holds the API token.</summary>
    public const string TokenVariable = "PIGMM_API_TOKEN";

    /// <summary>The liveness probe's path: 200 while the process serves HTTP at all.</summary>
    public const string LivenessPath = "/healthz/live";

    /// <summary>The readiness probe's path: 200 once the silo has joined its cluster, while it is
    /// not stopping and its store answers; 503 otherwise.</summary>
    public const string ReadinessPath = "/healthz/ready";

    /// <summary>The largest request body taken, in bytes (a spec is a few hundred).</summary>
    public const int MaxRequestBodyBytes = 64 * 1024;

    /// <summary>The largest body the server reads and discards after refusing one over
    /// <see cref="MaxRequestBodyBytes"/>, so that the client reads the refusal; past it the
    /// connection is cut instead.</summary>
    public const long MaxDiscardedBodyBytes = 1024 * 1024;

    /// <summary>The address and port to listen on; port 0 takes a free one.</summary>
    public required IPEndPoint Endpoint { get; init; }

    /// <summary>The bearer token writes (and reads off loopback) must present; null when none is
    /// configured, and then every write is refused.</summary>
    public string? Token { get; init; }

    /// <summary>Whether only this host can reach the API: reads need no token then.</summary>
    public bool IsLoopback => IPAddress.IsLoopback(Endpoint.Address);

    /// <summary>
    /// The token from the first line of <paramref name="tokenFile"/> when one is named, else from
    /// <see cref="TokenVariable"/>; null when neither gives one. Surrounding white space is
    /// dropped, so a file written by <c>echo</c> works.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file cannot be read or its first line is empty.</exception>
    public static string? ReadToken(string? tokenFile)
    {
        if (tokenFile is null)
        {
            return Environment.GetEnvironmentVariable(TokenVariable) is { } variable && variable.Trim() is { Length: > 0 } token ? token : null;
        }
        string? line;
        try
        {
            using var reader = new StreamReader(tokenFile);
            line = reader.ReadLine()?.Trim();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"the API token file '{tokenFile}' cannot be read ({error.GetType().Name}).", error);
        }
        return line is { Length: > 0 } ? line : throw new InvalidOperationException($"the API token file '{tokenFile}' holds no token on its first line.");
    }
}
