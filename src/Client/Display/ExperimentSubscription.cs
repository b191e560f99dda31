using OrleansPigmm.Grains.Abstractions;

namespace OrleansPigmm.Client.Display;

/// <summary>
/// A console's subscription to an experiment's pushed status and fits: wakes the live view when
/// anything happens, and tells when the experiment is complete. It renews itself (subscriptions
/// expire), and since pushes may be lost it also asks for the status every
/// <see cref="StatusPoll"/>, so completion is never missed. A cluster that stops answering for a
/// while (a silo lost, the database restarting) is waited for, up to <see cref="Patience"/>.
/// </summary>
internal sealed class ExperimentSubscription : IExperimentObserver, IAsyncDisposable
{
    /// <summary>How often the status is asked for besides the pushes.</summary>
    public static readonly TimeSpan StatusPoll = TimeSpan.FromSeconds(2);

    /// <summary>How long the cluster may fail every call before <see cref="Ended"/> fails.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(20);

    private readonly IExperimentGrain experiment;
    private readonly IExperimentObserver reference;
    private readonly TaskCompletionSource<ExperimentStatus> ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task keeping;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ExperimentSubscription(IGrainFactory grains, string experimentId)
    {
        experiment = grains.GetGrain<IExperimentGrain>(experimentId);
        reference = grains.CreateObjectReference<IExperimentObserver>(this);
        keeping = KeepAsync();
    }

    /// <summary>Completes with the final status once the experiment is complete or cancelled; fails
    /// with <see cref="TimeoutException"/> when the cluster answered nothing for <see cref="Patience"/>.</summary>
    public Task<ExperimentStatus> Ended => ended.Task;

    /// <summary>Subscribes to <paramref name="experimentId"/>.</summary>
    public static async Task<ExperimentSubscription> StartAsync(IGrainFactory grains, string experimentId)
    {
        var subscription = new ExperimentSubscription(grains, experimentId);
        await subscription.experiment.SubscribeAsync(subscription.reference);
        return subscription;
    }

    /// <summary>Completes at the next push (or status change), or after <paramref name="timeout"/>.</summary>
    public async Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Volatile.Read(ref changed).Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <inheritdoc />
    void IExperimentObserver.OnStatus(ExperimentStatus status)
    {
        Signal();
        if (status.Phase != ExperimentPhase.Running)
        {
            ended.TrySetResult(status);
        }
    }

    /// <inheritdoc />
    void IExperimentObserver.OnFit(FitSummary fit) => Signal();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await keeping;
        try
        {
            await experiment.UnsubscribeAsync(reference).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception error) when (error is TimeoutException or OrleansException)
        {
            // The subscription expires on its own.
        }
        stopping.Dispose();
    }

    private void Signal() => Interlocked.Exchange(ref changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task KeepAsync()
    {
        var renewed = DateTimeOffset.UtcNow;
        DateTimeOffset? failingSince = null;
        using var timer = new PeriodicTimer(StatusPoll);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                try
                {
                    var status = await experiment.GetStatusAsync();
                    if (status.Phase != ExperimentPhase.Running)
                    {
                        Signal();
                        ended.TrySetResult(status);
                    }
                    // After a failure the experiment's grain may be a new activation that knows no subscriber.
                    if (failingSince is not null || DateTimeOffset.UtcNow - renewed > Renewal)
                    {
                        await experiment.SubscribeAsync(reference);
                        renewed = DateTimeOffset.UtcNow;
                    }
                    failingSince = null;
                }
                catch (Exception error) when (error is OrleansException or TimeoutException or InvalidOperationException)
                {
                    failingSince ??= DateTimeOffset.UtcNow;
                    if (DateTimeOffset.UtcNow - failingSince > Patience)
                    {
                        ended.TrySetException(new TimeoutException($"the cluster has not answered for {Patience.TotalSeconds:0} s (last: {error.Message})", error));
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
