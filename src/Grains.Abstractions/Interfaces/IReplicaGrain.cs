namespace OrleansPigmm.Grains.Abstractions;

/// <summary>
/// One training replica, keyed "EXPERIMENT/REPLICA". Placed on a silo in proportion to its
/// training capacity, it trains epoch by epoch on that silo's training device from its last
/// checkpoint, commits every epoch (grouped with the other replicas of the silo) and has the
/// aggregators of the epoch fold its invariants. Training runs in the background: calls return
/// at once.
/// </summary>
[Alias("pigmm.IReplicaGrain")]
public interface IReplicaGrain : IGrainWithStringKey
{
    /// <summary>Starts training from the last committed epoch unless it is training already or
    /// has finished; idempotent.</summary>
    /// <param name="submission">The W3C traceparent of the experiment's submission, which the
    /// replica's epoch spans link to (they run long after it, in traces of their own); null when
    /// the experiment has none (not traced, or re-activated since).</param>
    /// <returns>The last committed epoch (-1 before the initialisation is committed).</returns>
    [Alias("Start")]
    Task<int> StartAsync(string? submission);

    /// <summary>Stops training: the epoch in flight is abandoned; committed epochs stay.</summary>
    [Alias("Stop")]
    Task StopAsync();
}
