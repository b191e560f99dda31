using Orleans.Concurrency;
using OrleansPigmm.Grains.Abstractions.Experiments;

namespace OrleansPigmm.Grains.Abstractions;

/// <summary>
/// One experiment, keyed by its id: validates and stores its spec, activates its replicas,
/// tracks which replica has committed which epoch, wakes replicas that stopped (their silo died),
/// completes the fits when training is done, and pushes progress and fits to subscribers.
/// </summary>
[Alias("pigmm.IExperimentGrain")]
public interface IExperimentGrain : IGrainWithStringKey
{
    /// <summary>Stores the spec (a no-op if it is stored already) and starts, or resumes, its
    /// training; a cancelled experiment runs again.</summary>
    /// <exception cref="SpecException">The spec is invalid or its id is not this grain's key;
    /// <see cref="SpecException.Problems"/> lists every problem.</exception>
    [Alias("Submit")]
    Task<ExperimentStatus> SubmitAsync(ExperimentSpec spec);

    /// <summary>The experiment's progress.</summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    [Alias("GetStatus")]
    Task<ExperimentStatus> GetStatusAsync();

    /// <summary>Stops training: every replica abandons its epoch in flight; committed epochs stay.</summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    [Alias("Cancel")]
    Task<ExperimentStatus> CancelAsync();

    /// <summary>Makes sure a running experiment is being trained: re-activates replicas that
    /// stopped, and completes the experiment when every replica has finished. Silos call it for
    /// every running experiment they find in the store, so an experiment goes on after the loss
    /// of any silo with no client connected.</summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    [Alias("Wake")]
    Task<ExperimentStatus> WakeAsync();

    /// <summary>Pushes status changes and published fits to <paramref name="observer"/> until it
    /// unsubscribes or stops renewing its subscription (subscriptions expire after a minute).</summary>
    [Alias("Subscribe")]
    Task SubscribeAsync(IExperimentObserver observer);

    /// <summary>Stops pushing to <paramref name="observer"/>.</summary>
    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(IExperimentObserver observer);

    /// <summary>A replica reports a committed epoch (a hint that makes progress visible at once;
    /// the store stays the truth).</summary>
    [OneWay, Alias("ReplicaCommitted")]
    Task ReplicaCommittedAsync(int replica, int epoch);

    /// <summary>A replica hands itself back: its silo is shutting down and abandoned the epoch in
    /// flight. The experiment re-activates it (on another silo) at its next look, instead of
    /// waiting to see it make no progress.</summary>
    [OneWay, Alias("ReplicaReleased")]
    Task ReplicaReleasedAsync(int replica);

    /// <summary>An aggregator reports a fit it published, for the subscribers.</summary>
    [OneWay, Alias("FitPublished")]
    Task FitPublishedAsync(FitSummary fit);
}
