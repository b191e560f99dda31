using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Grains.Telemetry;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains;

/// <summary>
/// One experiment: validates and stores its spec, activates its replicas, tracks their progress,
/// wakes the ones that stopped, completes the fits when training is done, and pushes status and
/// fits to subscribers.
/// </summary>
/// <remarks>
/// While running, a watch timer (<see cref="ExperimentOptions.WatchInterval"/>) re-reads the
/// replicas' progress from the store and calls <see cref="IReplicaGrain.StartAsync"/> on every
/// unfinished replica that made no progress since the last look: a no-op for a replica that is
/// training, a re-activation elsewhere for one whose silo died. If this grain's own silo dies,
/// the silos' sweep (<see cref="IExperimentGrain.WakeAsync"/>) re-activates it. The watch timer
/// interleaves with calls, so a slow call to a dead silo never holds up status requests; the
/// state it changes is changed in synchronous steps only.
/// </remarks>
public sealed class ExperimentGrain(
    IPigmmStore store,
    ExperimentPlans plans,
    IOptions<ExperimentOptions> options,
    ILogger<ExperimentGrain> logger) : Grain, IExperimentGrain
{
    /// <summary>Status pushes are at most this frequent, however fast replicas commit.</summary>
    public static readonly TimeSpan StatusPushInterval = TimeSpan.FromMilliseconds(250);

    // Transient: subscribers renew their subscriptions, and the state is reloaded from the store.
    private readonly ObserverManager<IExperimentObserver> observers = new(TimeSpan.FromMinutes(1), logger);
    private ExperimentState? state;
    private int[]? lastSeen;
    // Replicas whose silo handed them back while shutting down: woken at the next look.
    private readonly HashSet<int> released = [];
    private IGrainTimer? watch;
    private IGrainTimer? statusPush;
    private DateTimeOffset lastPush;
    private Task? completing;
    // Transient: the traceparent of the last submission to this activation, which the replicas'
    // epochs link to and under which they are woken; lost on re-activation (no trace then).
    private string? submission;

    private string Id => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (state?.Lifecycle == ExperimentLifecycle.Running)
        {
            StartWatching();
        }
    }

    /// <inheritdoc />
    async Task<ExperimentStatus> IExperimentGrain.SubmitAsync(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Id != Id)
        {
            throw new SpecException([$"spec: its id is {spec.Id}, not this experiment's {Id}"]);
        }
        var plan = plans.Plan(spec);
        submission = PigmmTelemetry.CurrentTraceParent() ?? submission;
        bool created = await store.CreateExperimentAsync(plan.ToRecord(DateTimeOffset.UtcNow));
        if (!created && state?.Lifecycle == ExperimentLifecycle.Cancelled)
        {
            await store.SetLifecycleAsync(Id, ExperimentLifecycle.Running);
        }
        await LoadAsync(CancellationToken.None);
        var current = Current();
        if (current.Lifecycle == ExperimentLifecycle.Running)
        {
            StartWatching();
        }
        return current.Status(created);
    }

    /// <inheritdoc />
    Task<ExperimentStatus> IExperimentGrain.GetStatusAsync() => Task.FromResult(Current().Status(created: false));

    /// <inheritdoc />
    async Task<ExperimentStatus> IExperimentGrain.CancelAsync()
    {
        var current = Current();
        if (current.Lifecycle == ExperimentLifecycle.Running)
        {
            await store.SetLifecycleAsync(Id, ExperimentLifecycle.Cancelled);
            current.Lifecycle = ExperimentLifecycle.Cancelled;
            watch?.Dispose();
            watch = null;
            await Task.WhenAll(Enumerable.Range(0, current.Plan.Spec.Replicas)
                .Where(r => current.CompletedEpoch(r) < current.Plan.Spec.Epochs)
                .Select(r => Replica(r).StopAsync()));
            PushStatus();
        }
        return current.Status(created: false);
    }

    /// <inheritdoc />
    async Task<ExperimentStatus> IExperimentGrain.WakeAsync()
    {
        var current = Current();
        if (current.Lifecycle == ExperimentLifecycle.Running)
        {
            StartWatching();
        }
        if (completing is not null)
        {
            await completing;
        }
        return current.Status(created: false);
    }

    /// <inheritdoc />
    Task IExperimentGrain.SubscribeAsync(IExperimentObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    Task IExperimentGrain.UnsubscribeAsync(IExperimentObserver observer)
    {
        observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    Task IExperimentGrain.ReplicaCommittedAsync(int replica, int epoch)
    {
        if (state is { } current && current.Advance(replica, epoch))
        {
            PushStatusSoon();
            if (current.Finished == current.Plan.Spec.Replicas && current.Lifecycle == ExperimentLifecycle.Running)
            {
                completing ??= CompleteAsync(current);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    Task IExperimentGrain.ReplicaReleasedAsync(int replica)
    {
        if (state is { Lifecycle: ExperimentLifecycle.Running } current && replica >= 0 && replica < current.Plan.Spec.Replicas)
        {
            released.Add(replica);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    Task IExperimentGrain.FitPublishedAsync(FitSummary fit)
    {
        observers.Notify(observer => observer.OnFit(fit));
        return Task.CompletedTask;
    }

    private ExperimentState Current() =>
        state ?? throw new KeyNotFoundException($"There is no experiment '{Id}' in the store {store.Description}.");

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var record = await store.GetExperimentAsync(Id, cancellationToken);
        if (record is null)
        {
            state = null;
            return;
        }
        var plan = await plans.PlanAsync(Id, cancellationToken);
        state = new ExperimentState(plan, record.Lifecycle, await store.ListCompletedEpochsAsync(Id, cancellationToken));
    }

    private void StartWatching()
    {
        lastSeen = null;
        watch ??= this.RegisterGrainTimer(WatchAsync, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.WatchInterval) { Interleave = true });
    }

    /// <summary>Catches up with the stored progress, wakes the replicas that made none since the
    /// last look, and completes the experiment once every replica has finished.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        if (state is not { Lifecycle: ExperimentLifecycle.Running } current)
        {
            return;
        }
        var stored = await store.ListCompletedEpochsAsync(Id, cancellationToken);
        for (int replica = 0; replica < stored.Count; replica++)
        {
            if (current.Advance(replica, stored[replica]))
            {
                PushStatusSoon();
            }
        }
        int epochs = current.Plan.Spec.Epochs;
        var stalled = Enumerable.Range(0, stored.Count)
            .Where(r => stored[r] < epochs && (lastSeen is null || lastSeen[r] == stored[r] || released.Contains(r)))
            .ToArray();
        lastSeen = [.. stored];
        released.Clear();
        if (current.Finished == current.Plan.Spec.Replicas)
        {
            completing ??= CompleteAsync(current);
            await completing;
            return;
        }
        if (stalled.Length == 0)
        {
            return;
        }
        // Waking is part of the submission's trace, so that the trace reaches every silo the replicas land on.
        using var waking = PigmmTelemetry.StartDetached("pigmm.experiment.wake", PigmmTelemetry.Parse(submission));
        waking?.SetTag("pigmm.experiment", Id).SetTag("pigmm.replicas", stalled.Length);
        Activity.Current = waking;
        try
        {
            // A replica on a silo that just died answers only once the cluster has declared it dead;
            // whatever has not answered by the next look is asked again then.
            await Task.WhenAll(stalled.Select(r => Replica(r).StartAsync(submission))).WaitAsync(options.Value.WatchInterval, cancellationToken);
        }
        catch (Exception error) when (error is TimeoutException or OrleansException)
        {
            logger.LogInformation("Experiment {Experiment}: waking {Count} replicas: {Reason}", Id, stalled.Length, error.Message);
        }
    }

    /// <summary>Completes every fit (folding from the store what no call delivered), epoch by
    /// epoch, then marks the experiment complete.</summary>
    private async Task CompleteAsync(ExperimentState current)
    {
        try
        {
            for (int epoch = 0; epoch <= current.Plan.Spec.Epochs; epoch++)
            {
                await Task.WhenAll(Enumerable.Range(1, current.Plan.Layers).Select(layer =>
                    GrainFactory.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(Id, layer, epoch)).CompleteAsync()));
            }
            await store.SetLifecycleAsync(Id, ExperimentLifecycle.Complete);
            current.Lifecycle = ExperimentLifecycle.Complete;
            watch?.Dispose();
            watch = null;
            PushStatus();
        }
        catch (Exception error) when (error is StoreUnavailableException or OrleansException or TimeoutException)
        {
            // The watch timer tries again.
            if (error is StoreUnavailableException)
            {
                PigmmTelemetry.StoreErrors.Add(1, new KeyValuePair<string, object?>(PigmmTelemetry.StoreErrorKind, "complete"));
            }
            logger.LogWarning(error, "Experiment {Experiment}: completing the fits failed: {Reason}", Id, error.Message);
            completing = null;
        }
    }

    private IReplicaGrain Replica(int replica) => GrainFactory.GetGrain<IReplicaGrain>(GrainKeys.Replica(Id, replica));

    private void PushStatusSoon()
    {
        var wait = lastPush + StatusPushInterval - DateTimeOffset.UtcNow;
        if (wait <= TimeSpan.Zero)
        {
            PushStatus();
        }
        else
        {
            statusPush ??= this.RegisterGrainTimer(() =>
            {
                statusPush?.Dispose();
                statusPush = null;
                PushStatus();
                return Task.CompletedTask;
            }, new GrainTimerCreationOptions(wait, Timeout.InfiniteTimeSpan));
        }
    }

    private void PushStatus()
    {
        lastPush = DateTimeOffset.UtcNow;
        if (state is { } current && observers.Count > 0)
        {
            var status = current.Status(created: false);
            observers.Notify(observer => observer.OnStatus(status));
        }
    }
}
