using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;

namespace OrleansPigmm.Silo.Http;

/// <summary>
/// Hosts the HTTP API in the silo's process: a web application builder to configure Orleans on
/// (instead of the generic host), then the endpoints: <c>/api/experiments</c>,
/// <c>/healthz/live</c>, <c>/healthz/ready</c>, <c>/openapi/v1.json</c>, the web dashboard at
/// <c>/</c> and the Orleans Dashboard, read-only, under <c>/orleans</c>.
/// </summary>
internal static class HttpApiHosting
{
    private const string ReadyTag = "ready";

    /// <summary>Where the Orleans Dashboard is mounted.</summary>
    private const string OrleansDashboardPrefix = "/orleans";

    /// <summary>A builder with Kestrel on <paramref name="options"/>' endpoint and nothing of the
    /// web defaults (no configuration files, no other listeners), the API's services added.</summary>
    public static WebApplicationBuilder CreateBuilder(HttpApiOptions options)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Endpoint);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = HttpApiOptions.MaxDiscardedBodyBytes;
        });
        builder.Services.AddRouting();
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));
        builder.Services.AddHealthChecks().AddCheck<ReadinessCheck>("silo", tags: [ReadyTag]);
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(options);
        // Kestrel's own notes (a client that went away, a body too large) are for debugging only.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Error);
        return builder;
    }

    /// <summary>Builds the application and maps the API's endpoints.</summary>
    public static WebApplication Build(WebApplicationBuilder builder, HttpApiOptions options)
    {
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var access = new ApiAccess(options);
        app.Use((context, next) => GuardOrleansDashboard(context, next, access));
        app.MapExperimentEndpoints(access);
        // Probes need no token: they say nothing about the experiments.
        app.MapHealthChecks(HttpApiOptions.LivenessPath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(HttpApiOptions.ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapOpenApi();
        app.MapDashboardPages();
        app.MapOrleansDashboard(routePrefix: OrleansDashboardPrefix);
        return app;
    }

    /// <summary>Adds the Orleans Dashboard's grain and telemetry services to a silo that serves the API.</summary>
    public static void AddOrleansDashboard(ISiloBuilder silo) => silo.AddDashboard();

    /// <summary>
    /// Keeps the Orleans Dashboard read-only and under the API's rule for reads: only GET and
    /// HEAD reach it (anything else is 405, so nothing under its prefix changes the silo), and
    /// off loopback only with the bearer token.
    /// </summary>
    private static async Task GuardOrleansDashboard(HttpContext context, RequestDelegate next, ApiAccess access)
    {
        if (!context.Request.Path.StartsWithSegments(OrleansDashboardPrefix))
        {
            await next(context);
            return;
        }
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return;
        }
        if (access.Refusal(context) is { } refusal)
        {
            await refusal.ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    /// <summary>The address and port the API listens on (the port taken when 0 was asked).</summary>
    public static IPEndPoint BoundEndpoint(WebApplication app)
    {
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        return new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
    }
}
