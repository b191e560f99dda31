namespace OrleansPigmm.Storage;

/// <summary>Queries written once on top of the <see cref="IPigmmStore"/> primitives, so that every
/// backend answers them alike.</summary>
public static class PigmmStoreQueries
{
    /// <summary>The progress of an experiment, from the last committed epoch of each replica.</summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    public static async Task<ExperimentProgress> GetProgressAsync(this IPigmmStore store, string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var experiment = await store.GetExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"There is no experiment '{experimentId}' in the store {store.Description}.");
        var completed = await store.ListCompletedEpochsAsync(experimentId, cancellationToken).ConfigureAwait(false);
        long done = completed.Sum(epoch => epoch + 1L);
        int finished = completed.Count(epoch => epoch == experiment.Epochs);
        return new ExperimentProgress(done, (long)experiment.Replicas * (experiment.Epochs + 1), finished, experiment.Replicas);
    }

    /// <summary>
    /// Waits until the store's change version differs from <paramref name="knownVersion"/> and
    /// returns the new version. Polls every <paramref name="pollInterval"/>; a store that also
    /// implements <see cref="IStoreChangeNotifications"/> wakes the wait as soon as it announces a change.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<long> WaitForChangeAsync(this IPigmmStore store, long knownVersion, TimeSpan pollInterval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        var notifications = store as IStoreChangeNotifications;
        while (true)
        {
            // One token per round, cancelled at its end, so that the delay and the announcement
            // left behind by a round do not pile up while nothing changes.
            using var round = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // Listen before reading the version, so a change in between is not missed.
            var announced = notifications?.WhenChangedAsync(round.Token);
            long version = await store.GetChangeVersionAsync(cancellationToken).ConfigureAwait(false);
            if (version != knownVersion)
            {
                return version;
            }
            var poll = Task.Delay(pollInterval, round.Token);
            Task[] wakers = announced is null ? [poll] : [announced, poll];
            await Task.WhenAny(wakers).ConfigureAwait(false);
            await round.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
