using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Opentelemetry.Proto.Common.V1;
using OpenTelemetry.Trace;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Grains.Telemetry;
using OrleansPigmm.Silo.Telemetry;
using OrleansPigmm.Silo.Tests.Otlp;
using OrleansPigmm.Silo.Tests.Support;

namespace OrleansPigmm.Silo.Tests;

/// <summary>
/// What a submission leaves in traces and metrics: its trace reaches the experiment grain and
/// every silo its replicas land on; every replica-epoch is a span of its own (train and commit
/// under it, the aggregators' folds below) linked to the submission; and a silo pointed at an
/// OTLP collector delivers spans and metrics over the wire.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private const int TestTimeout = 5 * 60 * 1000;

    private readonly string folder = Directory.CreateTempSubdirectory("pigmm-telemetry-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact(Timeout = TestTimeout)]
    public async Task A_submission_is_traced_across_two_silos()
    {
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        var spec = ExperimentPresets.PaperGaussian with { Replicas = 4, Epochs = 2, Seed = 4101 };
        // Silos of a test cluster share this process, and listeners are process-wide: one SDK sees them all.
        using (var telemetry = new ServiceCollection().AddPigmmTelemetry(new PigmmTelemetryOptions
        {
            OtlpEndpoint = null,
            Tracing = tracing => tracing.AddInMemoryExporter(spans),
            Metrics = meters => meters.AddInMemoryExporter(metrics),
        }).BuildServiceProvider())
        {
            _ = telemetry.GetRequiredService<TracerProvider>();
            _ = telemetry.GetRequiredService<MeterProvider>();
            await using (var cluster = await InProcessCluster.StartAsync(2, Path.Combine(folder, "pigmm.db")))
            {
                await cluster.SubmitAsync(spec);
                await cluster.WaitForCompletionAsync(spec.Id, Limit);
            }
        }
        string names = string.Join(", ", spans.Select(s => $"{s.Source.Name}:{s.DisplayName}").Distinct());

        var submit = Assert.Single(spans, s => s.DisplayName == "pigmm.submit" && Tag(s, "pigmm.experiment") == spec.Id);
        var trace = spans.Where(s => s.TraceId == submit.TraceId).ToList();
        // submit → the client's grain call → the experiment grain's side of it.
        var calls = trace.Where(s => s.ParentSpanId == submit.SpanId && s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)).ToList();
        Assert.True(calls.Count > 0, names);
        Assert.Contains(trace, s => calls.Any(c => c.SpanId == s.ParentSpanId) && s.DisplayName.Contains("ExperimentGrain", StringComparison.Ordinal));
        // Waking the replicas (at every look that finds some idle) is part of the submission's
        // trace, and so are their Start calls.
        var wakes = trace.Where(s => s.DisplayName == "pigmm.experiment.wake").Select(s => s.SpanId).ToList();
        Assert.NotEmpty(wakes);
        Assert.Contains(trace, s => wakes.Contains(s.ParentSpanId) && s.DisplayName.Contains("IReplicaGrain", StringComparison.Ordinal));

        var epochs = spans.Where(s => s.DisplayName == "pigmm.replica.epoch" && Tag(s, "pigmm.experiment") == spec.Id).ToList();
        var expected = from r in Enumerable.Range(0, spec.Replicas) from e in Enumerable.Range(0, spec.Epochs + 1) select $"{r}/{e}";
        Assert.Equal(expected.Order(), epochs.Select(s => $"{Tag(s, "pigmm.replica")}/{Tag(s, "pigmm.epoch")}").Distinct().Order());
        foreach (var epoch in epochs)
        {
            Assert.NotEqual(submit.TraceId, epoch.TraceId);
            Assert.Contains(epoch.Links, link => link.Context.TraceId == submit.TraceId);
            var children = spans.Where(s => s.ParentSpanId == epoch.SpanId).Select(s => s.DisplayName).ToList();
            Assert.Contains("pigmm.replica.train", children);
            Assert.Contains("pigmm.replica.commit", children);
            // The folds of the epoch run on the aggregators' silos, in the epoch's trace.
            var inTrace = spans.Where(s => s.TraceId == epoch.TraceId).Select(s => $"{s.DisplayName}<{s.ParentSpanId}>{s.SpanId}").ToList();
            Assert.True(inTrace.Any(s => s.StartsWith("pigmm.aggregator.fold", StringComparison.Ordinal)), $"{Tag(epoch, "pigmm.replica")}/{Tag(epoch, "pigmm.epoch")} {epoch.SpanId}: {string.Join(", ", inTrace)}");
        }
        var refits = spans.Where(s => s.DisplayName == "pigmm.aggregator.refit" && Tag(s, "pigmm.ensemble")!.StartsWith(spec.Id + "/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(refits);
        var silos = epochs.Concat(refits).Concat(spans.Where(s => s.DisplayName == "pigmm.aggregator.fold" && epochs.Any(e => e.TraceId == s.TraceId)))
            .Select(s => Tag(s, "pigmm.silo")).Distinct().ToList();
        Assert.Equal(2, silos.Count);

        var replicaEpochs = metrics.Where(m => m.Name == "pigmm.replica_epochs").ToList();
        Assert.NotEmpty(replicaEpochs);
        Assert.All(replicaEpochs, m => Assert.Equal("{replica-epoch}", m.Unit));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_silo_exports_spans_and_metrics_to_an_otlp_collector()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        const string token = "telemetry-token-0123456789";
        string id;
        await using (var api = await ApiSilo.StartAsync(IPAddress.Loopback, token, telemetry: new PigmmTelemetryOptions
        {
            OtlpEndpoint = receiver.Endpoint,
            MetricInterval = TimeSpan.FromMilliseconds(500),
        }))
        {
            id = await api.SubmitAsync("""{"preset": "quick", "replicas": 2, "epochs": 1, "seed": 4102}""");
            await api.WaitForPhaseAsync(id, "complete", Limit);
        }
        // The silo is gone: what it had not exported yet was flushed as it stopped.
        var spans = receiver.Spans.ToList();
        Assert.NotEmpty(spans);
        Assert.All(spans, s => Assert.Equal("pigmm", Attribute(s.Resource.Attributes, "service.name")));
        // Other tests' silos share this process and its listeners: this experiment's spans are told by its id.
        var epochs = spans.Where(s => s.Span.Name == "pigmm.replica.epoch" && Attribute(s.Span.Attributes, "pigmm.experiment") == id).ToList();
        Assert.Equal(2 * 2, epochs.Count);
        var submission = Assert.Single(epochs[0].Span.Links).TraceId;
        Assert.All(epochs, e => Assert.Contains(e.Span.Links, link => link.TraceId == submission));
        var trace = spans.Where(s => s.Span.TraceId == submission).ToList();
        Assert.Contains(trace, s => s.Span.Kind == Opentelemetry.Proto.Trace.V1.Span.Types.SpanKind.Server
            && Attribute(s.Span.Attributes, "url.path") == "/api/experiments");
        Assert.Contains(trace, s => s.Span.Name == "pigmm.experiment.wake");
        foreach (string name in new[] { "pigmm.replica.train", "pigmm.replica.commit", "pigmm.aggregator.fold", "pigmm.aggregator.refit" })
        {
            Assert.Contains(spans, s => s.Span.Name == name);
        }
        // The bearer token never leaves the process.
        Assert.DoesNotContain(spans, s => s.Span.Attributes.Any(a => a.Value.StringValue.Contains(token, StringComparison.Ordinal)));

        var units = receiver.Metrics.GroupBy(m => m.Metric.Name).ToDictionary(g => g.Key, g => g.First().Metric.Unit);
        Assert.Equal("{replica-epoch}", units["pigmm.replica_epochs"]);
        Assert.Equal("s", units["pigmm.commit.duration"]);
        Assert.Equal("s", units["pigmm.fold.lag"]);
        Assert.Equal("s", units["pigmm.refit.duration"]);
        Assert.Equal("{replica}", units["pigmm.replicas.active"]);
        Assert.All(receiver.Metrics, m => Assert.Equal("pigmm", Attribute(m.Resource.Attributes, "service.name")));
    }

    [Fact]
    public void Without_a_collector_nothing_listens()
    {
        using var services = new ServiceCollection().AddPigmmTelemetry(new PigmmTelemetryOptions { OtlpEndpoint = null }).BuildServiceProvider();
        Assert.Null(services.GetService<TracerProvider>());
        Assert.Null(services.GetService<MeterProvider>());
    }

    [Fact]
    public void Credentials_are_dropped_from_spans()
    {
        using var span = new Activity("query")
            .SetTag("db.npgsql.data_source", "Host=db;Username=pigmm")
            .SetTag("db.query.text", "SELECT 1")
            .SetTag("note", "Password=hunter2");
        new CredentialScrubber().OnEnd(span);
        Assert.Equal(["db.query.text"], span.TagObjects.Select(tag => tag.Key));
    }

    private static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();

    private static string? Attribute(IEnumerable<KeyValue> attributes, string key) =>
        attributes.FirstOrDefault(a => a.Key == key)?.Value.StringValue;
}
