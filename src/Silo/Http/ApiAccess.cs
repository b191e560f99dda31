using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OrleansPigmm.Silo.Http;

/// <summary>
/// Guards the API's endpoints (and the Orleans Dashboard's) with the bearer token: a write (any
/// method but GET and HEAD) needs it always, a read only when the API listens beyond loopback.
/// With no token configured, what needs one is refused (403, saying how to set one); a missing or
/// wrong token is 401. A read may present the token in the cookie <see cref="ReadCookie"/> instead
/// of the Authorization header.
/// </summary>
internal sealed class ApiAccess(HttpApiOptions options) : IEndpointFilter
{
    /// <summary>The cookie the web dashboard keeps the token in: a page's event stream cannot send
    /// an Authorization header. Writes never take it, so another site cannot make a browser write
    /// with it.</summary>
    public const string ReadCookie = "pigmm_api_token";

    // Tokens are compared as SHA-256 digests, so the comparison takes the same time whatever
    // the presented token's length and content.
    private readonly byte[]? expected = options.Token is null ? null : Digest(options.Token);

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Refusal(context.HttpContext) ?? await next(context);

    /// <summary>The answer refusing this request, or null when it may go on.</summary>
    public IResult? Refusal(HttpContext context)
    {
        var request = context.Request;
        bool write = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method);
        if (!write && options.IsLoopback)
        {
            return null;
        }
        string what = write ? "writing" : "reading off loopback";
        if (expected is null)
        {
            return ApiProblems.NoTokenConfigured(what);
        }
        if (!Presented(request, cookieTaken: !write, out string? token) || !CryptographicOperations.FixedTimeEquals(Digest(token), expected))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiProblems.Unauthorized(what, token is null);
        }
        return null;
    }

    private static bool Presented(HttpRequest request, bool cookieTaken, [NotNullWhen(true)] out string? token)
    {
        const string scheme = "Bearer ";
        string header = request.Headers.Authorization.ToString();
        token = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim()
            : cookieTaken && request.Cookies.TryGetValue(ReadCookie, out string? cookie) ? cookie.Trim()
            : null;
        return token is not null;
    }

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
