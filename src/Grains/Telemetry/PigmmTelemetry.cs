using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace OrleansPigmm.Grains.Telemetry;

/// <summary>
/// The product's one activity source and one meter, and the instruments on it. Plain
/// System.Diagnostics, so that grains emit spans and measurements without depending on the
/// OpenTelemetry SDK: with no listener (no exporter configured) they cost next to nothing.
/// </summary>
public static class PigmmTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "OrleansPigmm";

    /// <summary>The product's version, as its assemblies are stamped.</summary>
    public static readonly string Version =
        typeof(PigmmTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Spans of submissions, replica epochs (train, commit), folds and refits.</summary>
    public static readonly ActivitySource Source = new(Name, Version);

    /// <summary>The meter of every instrument below.</summary>
    public static readonly Meter Meter = new(Name, Version);

    /// <summary>Replica-epochs committed (backends derive the rate).</summary>
    public static readonly Counter<long> ReplicaEpochs =
        Meter.CreateCounter<long>("pigmm.replica_epochs", "{replica-epoch}", "Replica-epochs committed");

    /// <summary>From handing an epoch to the group commit to its being durable.</summary>
    public static readonly Histogram<double> CommitLatency =
        Meter.CreateHistogram<double>("pigmm.commit.duration", "s", "Time from handing a replica-epoch to the group commit to its being durable");

    /// <summary>From an epoch's commit to every aggregator of the epoch having folded it.</summary>
    public static readonly Histogram<double> FoldLag =
        Meter.CreateHistogram<double>("pigmm.fold.lag", "s", "Time from a replica-epoch's commit to its fold by every aggregator of the epoch");

    /// <summary>One refit and publication of an ensemble's fit.</summary>
    public static readonly Histogram<double> RefitTime =
        Meter.CreateHistogram<double>("pigmm.refit.duration", "s", "Time to refit an ensemble and publish its fit");

    /// <summary>Replica-epochs committed diverged.</summary>
    public static readonly Counter<long> DivergedReplicas =
        Meter.CreateCounter<long>("pigmm.replicas.diverged", "{replica}", "Replica-epochs committed diverged");

    /// <summary>Store operations that failed, by kind (<see cref="StoreErrorKind"/>).</summary>
    public static readonly Counter<long> StoreErrors =
        Meter.CreateCounter<long>("pigmm.store.errors", "{error}", "Store operations that failed, by kind");

    /// <summary>The tag <see cref="StoreErrors"/> is split by.</summary>
    public const string StoreErrorKind = "pigmm.store.operation";

    private static long activeReplicas;

    /// <summary>Replica grains active on this silo: one silo per process outside tests.</summary>
    public static readonly ObservableGauge<long> ActiveReplicas =
        Meter.CreateObservableGauge("pigmm.replicas.active", () => Interlocked.Read(ref activeReplicas), "{replica}", "Replica grains active on this silo");

    /// <summary>A replica grain was activated (+1) or deactivated (-1).</summary>
    internal static void ReplicaActive(int change) => Interlocked.Add(ref activeReplicas, change);

    /// <summary>Starts the span of a submission from a console (a client span: the grain call is its child).</summary>
    public static Activity? StartSubmit(string experimentId) =>
        Source.StartActivity("pigmm.submit", ActivityKind.Client)?.SetTag("pigmm.experiment", experimentId);

    /// <summary>Starts a span with <paramref name="parent"/> as its parent (a new trace when
    /// default) whatever the ambient activity, and leaves the ambient activity as it was: for
    /// spans that outlive the call that starts them.</summary>
    internal static Activity? StartDetached(string name, ActivityContext parent, ActivityContext link = default)
    {
        var ambient = Activity.Current;
        Activity.Current = null;
        try
        {
            return Source.StartActivity(name, ActivityKind.Internal, parent, links: link == default ? null : [new ActivityLink(link)]);
        }
        finally
        {
            Activity.Current = ambient;
        }
    }

    /// <summary>Starts a child span of <paramref name="parent"/>, leaving the ambient activity as
    /// it was (and as it will be again once the child stops); none without a parent (the parent
    /// was not sampled, or nothing listens).</summary>
    internal static Activity? StartChild(string name, Activity? parent)
    {
        if (parent is null)
        {
            return null;
        }
        var ambient = Activity.Current;
        var child = Source.StartActivity(name, ActivityKind.Internal, parent.Context);
        Activity.Current = ambient;
        return child;
    }

    /// <summary>The W3C traceparent of the ambient span, to hand to work that runs later; null without one.</summary>
    public static string? CurrentTraceParent() => Activity.Current?.Id is { } id && Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null;

    /// <summary>The span context a traceparent names; default for null or a malformed one.</summary>
    public static ActivityContext Parse(string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
}
