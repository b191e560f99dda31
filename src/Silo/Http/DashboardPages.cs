using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace OrleansPigmm.Silo.Http;

/// <summary>
/// The web dashboard: one page at <c>/</c> (the experiment list) and <c>/experiments/{id}</c>
/// (one experiment's live plots), and its scripts, style sheet and plotting library under
/// <c>/dashboard/</c>. The files are embedded in this assembly at build time, so the page works
/// with no internet and no folder beside the silo. It reads the API like any client: reads are
/// open on loopback, and beyond it the browser would need the token, so the dashboard is for
/// silos listening on loopback.
/// </summary>
internal static class DashboardPages
{
    private const string ResourcePrefix = "dashboard/";

    private static readonly Assembly Files = typeof(DashboardPages).Assembly;

    private static readonly IReadOnlyDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    public static void MapDashboardPages(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", () => File("index.html")).ExcludeFromDescription();
        routes.MapGet("/experiments/{id}", () => File("index.html")).ExcludeFromDescription();
        routes.MapGet("/dashboard/{name}", (string name) => File(name)).ExcludeFromDescription();
    }

    private static IResult File(string name)
    {
        if (!ContentTypes.TryGetValue(Path.GetExtension(name), out string? contentType)
            || Files.GetManifestResourceStream(ResourcePrefix + name) is not { } stream)
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Stream(stream, contentType);
    }
}
