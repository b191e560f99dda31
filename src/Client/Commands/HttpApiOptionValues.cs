using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using OrleansPigmm.Silo.Http;

namespace OrleansPigmm.Client.Commands;

/// <summary>The options of a silo's HTTP API, shared by <c>pigmm silo</c> and <c>pigmm run</c>:
/// <c>--http ADDRESS:PORT</c> and <c>--api-token-file FILE</c>.</summary>
internal sealed class HttpApiOptionValues
{
    private readonly Option<string?> http = new("--http")
    {
        Description = $"Serve the HTTP API on ADDRESS:PORT, e.g. 127.0.0.1:8080 (any other address than loopback only when you mean it: reads need the token there too). Writes need the bearer token from {HttpApiOptions.TokenVariable} or --api-token-file.",
    };

    private readonly Option<string?> tokenFile = new("--api-token-file") { Description = $"A file whose first line is the HTTP API's bearer token (instead of {HttpApiOptions.TokenVariable})." };

    public void AddTo(Command command)
    {
        command.Options.Add(http);
        command.Options.Add(tokenFile);
    }

    /// <summary>The API's options, or null without <c>--http</c>. Listening beyond loopback
    /// without a token is allowed, with a warning on <paramref name="error"/>: only the health
    /// probes answer then.</summary>
    /// <exception cref="InputException">The address is malformed, its port taken, or the token file unreadable.</exception>
    public HttpApiOptions? Options(ParseResult parsed, TextWriter error)
    {
        string? file = parsed.GetValue(tokenFile);
        if (parsed.GetValue(http) is not { } given)
        {
            return file is null ? null : throw new InputException("--api-token-file needs --http ADDRESS:PORT: the token guards the HTTP API.");
        }
        var endpoint = Endpoint(given);
        string? token;
        try
        {
            token = HttpApiOptions.ReadToken(file);
        }
        catch (InvalidOperationException unreadable)
        {
            throw new InputException(unreadable.Message);
        }
        var options = new HttpApiOptions { Endpoint = endpoint, Token = token };
        if (!options.IsLoopback && token is null)
        {
            error.WriteLine($"pigmm: warning: the HTTP API listens on {endpoint} beyond loopback with no token configured, so it refuses every request but the health probes; set {HttpApiOptions.TokenVariable} or --api-token-file.");
        }
        return options;
    }

    /// <summary>ADDRESS:PORT ("localhost" is 127.0.0.1; an IPv6 address in brackets), its port free now.</summary>
    private static IPEndPoint Endpoint(string given)
    {
        string text = given.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" + given["localhost".Length..] : given;
        if (!IPEndPoint.TryParse(text, out var endpoint) || endpoint.Port is < 1 or > 65535 || !text.Contains(':', StringComparison.Ordinal) || text.EndsWith(']'))
        {
            throw new InputException($"--http must be ADDRESS:PORT with a port from 1 to 65535, e.g. 127.0.0.1:8080 or [::1]:8080; got '{given}'.");
        }
        try
        {
            using var listener = new TcpListener(endpoint);
            listener.Start();
        }
        catch (SocketException taken)
        {
            throw new InputException($"cannot serve the HTTP API on {endpoint}: {taken.Message}. Give another with --http.");
        }
        return endpoint;
    }
}
