using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Opentelemetry.Proto.Collector.Metrics.V1;
using Opentelemetry.Proto.Collector.Trace.V1;
using Opentelemetry.Proto.Metrics.V1;
using Opentelemetry.Proto.Resource.V1;
using Opentelemetry.Proto.Trace.V1;

namespace OrleansPigmm.Silo.Tests.Otlp;

/// <summary>
/// The smallest OTLP/HTTP collector: accepts <c>POST /v1/traces</c> and <c>POST /v1/metrics</c>
/// in http/protobuf on a free loopback port and keeps what arrives, as a collector would see it.
/// Apart from the shared support files: only this project compiles the OTLP messages.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private const string Protobuf = "application/x-protobuf";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<ExportTraceServiceRequest> traces = new();
    private readonly ConcurrentQueue<ExportMetricsServiceRequest> metrics = new();

    private OtlpReceiver(WebApplication app) => this.app = app;

    /// <summary>The base address to give exporters (OTEL_EXPORTER_OTLP_ENDPOINT).</summary>
    public Uri Endpoint => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Every span received, with the resource it came from.</summary>
    public IEnumerable<(Resource Resource, Span Span)> Spans =>
        traces.SelectMany(request => request.ResourceSpans.SelectMany(resource =>
            resource.ScopeSpans.SelectMany(scope => scope.Spans).Select(span => (resource.Resource, span))));

    /// <summary>Every metric received, with the resource it came from.</summary>
    public IEnumerable<(Resource Resource, Metric Metric)> Metrics =>
        metrics.SelectMany(request => request.ResourceMetrics.SelectMany(resource =>
            resource.ScopeMetrics.SelectMany(scope => scope.Metrics).Select(metric => (resource.Resource, metric))));

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRouting();
        var receiver = new OtlpReceiver(builder.Build());
        receiver.app.MapPost("/v1/traces", request => Accept(request, ExportTraceServiceRequest.Parser, receiver.traces, new ExportTraceServiceResponse()));
        receiver.app.MapPost("/v1/metrics", request => Accept(request, ExportMetricsServiceRequest.Parser, receiver.metrics, new ExportMetricsServiceResponse()));
        await receiver.app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private static async Task Accept<T>(HttpContext context, MessageParser<T> parser, ConcurrentQueue<T> received, IMessage response)
        where T : IMessage<T>
    {
        if (context.Request.ContentType != Protobuf)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        received.Enqueue(parser.ParseFrom(body.ToArray()));
        context.Response.ContentType = Protobuf;
        await context.Response.Body.WriteAsync(response.ToByteArray());
    }
}
