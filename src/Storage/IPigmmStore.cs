namespace OrleansPigmm.Storage;

/// <summary>
/// The one storage contract of the system: experiments, replica work under leases, epoch commits
/// (checkpoint + snapshots + metrics), aggregator state and published fits. Every backend
/// (embedded SQLite, PostgreSQL) passes the same contract suite.
/// </summary>
/// <remarks>
/// <para>Thread safety: implementations are safe for concurrent use by many callers, in one
/// process or many (several silos may share one database).</para>
/// <para>Snapshots of state: returned objects are copies; later writes never change them, and
/// callers must not mutate arrays they pass in or receive.</para>
/// <para>Idempotency: creating an existing experiment, and writing a snapshot or metrics row whose
/// key (experiment, replica, layer, epoch) exists, are no-ops that succeed.</para>
/// <para>Leases: work is claimed by compare-and-set. At most one unexpired lease exists per batch;
/// every lease-guarded call takes the lease returned by the claim (or any renewal: the token stays
/// the same) and fails softly (false or null) once another claim has taken the batch, the lease was
/// released, or it expired, whether or not anyone claimed the batch since. Expiry is judged with
/// the store's <see cref="TimeProvider"/>.</para>
/// <para>Values: times are kept to the microsecond (finer ticks are dropped) and returned in UTC;
/// weights and invariant rows round-trip bit for bit (NaN payloads, infinities, -0.0, subnormals);
/// metrics keep every value, a NaN as a NaN (whose payload a backend may not keep).</para>
/// <para>Errors: an unknown experiment gives <see cref="KeyNotFoundException"/> naming it; a layer
/// outside 1..L or an epoch outside 0..E gives <see cref="ArgumentOutOfRangeException"/>; other bad
/// arguments give <see cref="ArgumentException"/> naming what is wrong, and write nothing. A
/// database that cannot be reached or written gives <see cref="StoreUnavailableException"/>, and
/// a transaction that fails leaves nothing half-written. A call cancelled before it writes gives
/// <see cref="OperationCanceledException"/> and writes nothing.</para>
/// </remarks>
public interface IPigmmStore : IAsyncDisposable
{
    /// <summary>A description of the store for messages, without credentials (e.g. "sqlite:/data/runs.db").</summary>
    string Description { get; }

    /// <summary>Stores an experiment and its replica batches in one transaction.</summary>
    /// <returns>True if it was created, false if an experiment with this id already existed
    /// (its spec is then left untouched: equal ids mean equal canonical specs).</returns>
    /// <exception cref="ArgumentException">A shape figure is out of range (R, L, n at least 1,
    /// n at most <see cref="StoreLimits.MaxMatrixSize"/>, E at least 0), or the batches do not
    /// split replicas 0..R-1 into non-empty runs with distinct non-negative numbers.</exception>
    Task<bool> CreateExperimentAsync(ExperimentRecord experiment, IReadOnlyList<ReplicaBatch> batches, CancellationToken cancellationToken = default);

    /// <summary>The experiment with this id, or null.</summary>
    Task<ExperimentRecord?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>All experiments, oldest first.</summary>
    Task<IReadOnlyList<ExperimentRecord>> ListExperimentsAsync(CancellationToken cancellationToken = default);

    /// <summary>Every batch of an experiment with its progress and lease, by batch number.</summary>
    Task<IReadOnlyList<BatchStatus>> ListBatchesAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims one unfinished batch (of <paramref name="experimentId"/>, or of any experiment when
    /// null) whose lease is absent or expired, for <paramref name="owner"/> until now +
    /// <paramref name="duration"/>. Batches are offered oldest experiment first, then by batch number.
    /// </summary>
    /// <returns>The lease with the batch's last checkpoint, or null if nothing is claimable.</returns>
    Task<WorkLease?> TryClaimAsync(string owner, TimeSpan duration, string? experimentId = null, CancellationToken cancellationToken = default);

    /// <summary>Extends a lease still held to now + <paramref name="duration"/>.</summary>
    /// <returns>The lease with its new expiry (everything else as given), or null if the lease was
    /// lost (expired, claimed by another, or released).</returns>
    Task<WorkLease?> RenewAsync(WorkLease lease, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Gives a lease back so that the batch can be claimed at once; a no-op if it was lost.</summary>
    Task ReleaseAsync(WorkLease lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes one completed epoch of a leased batch in one transaction: the checkpoint, the
    /// snapshots (existing keys are kept as they are) and the metrics; a batch whose last epoch is
    /// committed becomes finished and is never offered again.
    /// </summary>
    /// <remarks>The epoch must be the batch's last committed epoch + 1 (the claim's
    /// CompletedEpochs + 1 for the first commit under a lease). Committing the last committed
    /// epoch again is a no-op that returns true, so a commit whose reply was lost can be retried.</remarks>
    /// <returns>False, writing nothing, if the lease is no longer held or has expired.</returns>
    /// <exception cref="ArgumentException">The epoch is neither the next one nor the last committed
    /// one; or the commit does not hold exactly one snapshot per (replica of the batch, layer 1..L)
    /// and one metrics row per replica of the batch, all of its epoch; or weights are not n x n;
    /// or invariants are missing from a replica that did not diverge, or present on one that did.</exception>
    Task<bool> CommitEpochAsync(WorkLease lease, EpochCommit commit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Snapshots of one ensemble (experiment, layer, epoch) for replicas in
    /// [firstReplica, firstReplica + replicaCount), by replica; weights are included when
    /// <paramref name="includeWeights"/> is true and they were kept.
    /// </summary>
    IAsyncEnumerable<SnapshotRecord> ReadSnapshotsAsync(EnsembleKey ensemble, int firstReplica, int replicaCount, bool includeWeights, CancellationToken cancellationToken = default);

    /// <summary>Every kept raw weight matrix of an experiment, ordered by replica, epoch, layer
    /// (the C order of an (R, E+1, L, n, n) export). Snapshots without weights are skipped.</summary>
    IAsyncEnumerable<SnapshotRecord> ReadWeightsAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>All metrics rows of an experiment, ordered by epoch, then replica.</summary>
    Task<IReadOnlyList<ReplicaMetrics>> ReadMetricsAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>The aggregator state of an ensemble, or null if none was saved.</summary>
    Task<AggregateRecord?> GetAggregateAsync(EnsembleKey ensemble, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves aggregator state by compare-and-set, and publishes its fit in the same transaction.
    /// </summary>
    /// <param name="expectedVersion">The version read (0 when none existed); the saved record
    /// gets expectedVersion + 1.</param>
    /// <param name="fit">The fit to publish, replacing the previous one; null keeps it.</param>
    /// <returns>False, writing nothing, if the stored version differs from <paramref name="expectedVersion"/>.</returns>
    Task<bool> SaveAggregateAsync(EnsembleKey ensemble, ReadOnlyMemory<byte> state, long expectedVersion, FitRecord? fit, CancellationToken cancellationToken = default);

    /// <summary>The published fits of an experiment, ordered by layer, then epoch.</summary>
    Task<IReadOnlyList<FitRecord>> ListFitsAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>A number that grows with every write (an experiment, a claim, a renewal, a release,
    /// a commit, an aggregate or a fit), in this process or another; a call that writes nothing
    /// leaves it as it was. Watchers compare it with the last value they saw to notice change
    /// (compare for inequality: a database restored from a backup may go back).</summary>
    Task<long> GetChangeVersionAsync(CancellationToken cancellationToken = default);
}
