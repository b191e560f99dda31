using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansPigmm.Grains.Telemetry;

namespace OrleansPigmm.Silo.Telemetry;

/// <summary>Registers the OpenTelemetry SDK in a silo's or a console's host, when there is
/// anywhere to export to: one place for every process of the product.</summary>
public static class PigmmTelemetryHosting
{
    /// <summary>Orleans' activity sources: its grain calls, with <c>AddActivityPropagation()</c> on.</summary>
    public static readonly IReadOnlyList<string> OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>
    /// Traces our spans, Orleans' grain calls, ASP.NET Core's requests, HttpClient's and Npgsql's
    /// calls; meters ours, ASP.NET Core's, HttpClient's and the runtime's; and exports them over
    /// OTLP (http/protobuf) to <see cref="PigmmTelemetryOptions.OtlpEndpoint"/> and to the
    /// options' own exporters. Without any, adds nothing, so nothing listens and spans cost nothing.
    /// </summary>
    public static IServiceCollection AddPigmmTelemetry(this IServiceCollection services, PigmmTelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Exports)
        {
            return services;
        }
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName, serviceVersion: PigmmTelemetry.Version))
            .WithTracing(tracing =>
            {
                tracing.AddSource(PigmmTelemetry.Name).AddSource([.. OrleansSources])
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsql()
                    .AddProcessor(new CredentialScrubber());
                if (options.OtlpEndpoint is { } endpoint)
                {
                    tracing.AddOtlpExporter(otlp => Target(otlp, endpoint, "v1/traces"));
                }
                options.Tracing?.Invoke(tracing);
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PigmmTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (options.OtlpEndpoint is { } endpoint)
                {
                    metrics.AddOtlpExporter((otlp, reader) =>
                    {
                        Target(otlp, endpoint, "v1/metrics");
                        if (options.MetricInterval is { } interval)
                        {
                            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)interval.TotalMilliseconds;
                        }
                    });
                }
                options.Metrics?.Invoke(metrics);
            });
        return services;
    }

    /// <summary>An endpoint set in code is used as it is: the signal's path is appended here, as
    /// the exporter does for the environment variable.</summary>
    private static void Target(OtlpExporterOptions otlp, Uri endpoint, string path)
    {
        otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
        otlp.Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + path);
    }
}
