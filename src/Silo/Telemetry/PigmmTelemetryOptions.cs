using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OrleansPigmm.Silo.Telemetry;

/// <summary>Where a process's spans and metrics go: an OTLP collector when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names one, otherwise nowhere (no listener is even added).</summary>
public sealed class PigmmTelemetryOptions
{
    /// <summary>The environment variable OpenTelemetry's exporters read the collector's base address from.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The collector's OTLP/HTTP base address (traces go to <c>v1/traces</c> under it,
    /// metrics to <c>v1/metrics</c>); null exports nothing. Defaults to <see cref="EndpointVariable"/>.</summary>
    public Uri? OtlpEndpoint { get; init; } = FromEnvironment();

    /// <summary>The <c>service.name</c> of the resource every span and metric carries.</summary>
    public string ServiceName { get; init; } = "pigmm";

    /// <summary>How often metrics are exported; the SDK's default (a minute) when null.</summary>
    public TimeSpan? MetricInterval { get; init; }

    /// <summary>More exporters of spans (tests collect them in memory).</summary>
    public Action<TracerProviderBuilder>? Tracing { get; init; }

    /// <summary>More readers of metrics (tests collect them in memory).</summary>
    public Action<MeterProviderBuilder>? Metrics { get; init; }

    /// <summary>Whether anything is to be exported at all.</summary>
    public bool Exports => OtlpEndpoint is not null || Tracing is not null || Metrics is not null;

    private static Uri? FromEnvironment() =>
        Uri.TryCreate(Environment.GetEnvironmentVariable(EndpointVariable), UriKind.Absolute, out var endpoint) ? endpoint : null;
}
