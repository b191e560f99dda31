namespace OrleansPigmm.Storage;

/// <summary>
/// The one storage contract of the system: experiments, per-replica progress and checkpoints,
/// group commits of replica epochs (checkpoint + snapshots + metrics) and published fits. Every
/// backend (embedded SQLite, PostgreSQL) passes the same contract suite. Who trains which replica
/// is Orleans' business (single activation), not the store's: commits are idempotent instead.
/// </summary>
/// <remarks>
/// <para>Thread safety: implementations are safe for concurrent use by many callers, in one
/// process or many (several silos may share one database).</para>
/// <para>Snapshots of state: returned objects are copies; later writes never change them, and
/// callers must not mutate arrays they pass in or receive.</para>
/// <para>Idempotency: creating an existing experiment, and writing a snapshot or metrics row whose
/// key (experiment, replica, layer, epoch) exists, are no-ops that succeed.</para>
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

    /// <summary>Stores an experiment (as running) with one progress row per replica, none of
    /// them committed, in one transaction.</summary>
    /// <returns>True if it was created, false if an experiment with this id already existed
    /// (it is then left untouched: equal ids mean equal canonical specs).</returns>
    /// <exception cref="ArgumentException">A shape figure is out of range (R, L, n at least 1,
    /// n at most <see cref="StoreLimits.MaxMatrixSize"/>, E at least 0).</exception>
    Task<bool> CreateExperimentAsync(ExperimentRecord experiment, CancellationToken cancellationToken = default);

    /// <summary>The experiment with this id, or null.</summary>
    Task<ExperimentRecord?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>All experiments, oldest first.</summary>
    Task<IReadOnlyList<ExperimentRecord>> ListExperimentsAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets an experiment's lifecycle.</summary>
    /// <returns>True if it changed, false if it already was <paramref name="lifecycle"/>.</returns>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    Task<bool> SetLifecycleAsync(string experimentId, ExperimentLifecycle lifecycle, CancellationToken cancellationToken = default);

    /// <summary>The last committed epoch of every replica of an experiment, indexed by replica
    /// (-1 for a replica that has committed nothing, not even its initialisation).</summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    Task<IReadOnlyList<int>> ListCompletedEpochsAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>The last committed epoch of one replica (-1 if it has committed nothing): what a
    /// replica reads when it activates, without reading every other replica's progress.</summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The replica is outside 0..R-1.</exception>
    Task<int> GetCompletedEpochAsync(string experimentId, int replica, CancellationToken cancellationToken = default);

    /// <summary>The checkpoint saved with a replica's last committed epoch, or null if it has
    /// committed nothing.</summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The replica is outside 0..R-1.</exception>
    Task<StoredCheckpoint?> GetCheckpointAsync(string experimentId, int replica, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a group of replica-epoch commits (of any experiments and replicas) in one
    /// transaction, in list order: for each, if its epoch is the replica's last committed epoch + 1,
    /// the checkpoint (replacing the previous one), the snapshots and the metrics, and the epoch
    /// becomes the replica's last committed one; otherwise nothing of it. A group may hold
    /// consecutive epochs of one replica.
    /// </summary>
    /// <remarks>Commits are idempotent: committing an epoch already committed writes nothing and
    /// reports <see cref="CommitOutcome.AlreadyCommitted"/>, so a commit whose reply was lost can be
    /// retried and a duplicate activation of a replica does no harm.</remarks>
    /// <returns>The outcome of each commit, in the order given.</returns>
    /// <exception cref="KeyNotFoundException">A commit names an unknown experiment (nothing is written).</exception>
    /// <exception cref="ArgumentException">A commit is malformed, and nothing is written: the
    /// replica is outside 0..R-1 or the epoch outside 0..E; it does not hold exactly one snapshot
    /// per layer 1..L, all of its replica and epoch, and metrics of its replica and epoch;
    /// weights are not n x n; invariants are missing from a snapshot that did not diverge, or
    /// present on one that did; or the checkpoint is empty.</exception>
    Task<IReadOnlyList<CommitOutcome>> CommitEpochsAsync(IReadOnlyList<ReplicaEpochCommit> commits, CancellationToken cancellationToken = default);

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

    /// <summary>
    /// Publishes the fit of an ensemble, replacing the stored one unless that one accounts for
    /// more replicas (<see cref="FitRecord.Folded"/>): a fit never goes back to fewer replicas,
    /// whatever order duplicate or late publications arrive in.
    /// </summary>
    /// <returns>True if written, false if the stored fit accounts for more replicas.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The layer or epoch is out of range, or a count is negative.</exception>
    Task<bool> PublishFitAsync(FitRecord fit, CancellationToken cancellationToken = default);

    /// <summary>The published fits of an experiment, ordered by layer, then epoch.</summary>
    Task<IReadOnlyList<FitRecord>> ListFitsAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The published fits of an experiment whose last publication moved the store past change
    /// version <paramref name="afterVersion"/>, each with that version, ordered by it (then by
    /// layer and epoch). Versions are given in commit order: once a reader has seen a fit of
    /// version v, every fit published with a smaller version is readable too, so asking again
    /// after the largest version seen misses no publication.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    Task<IReadOnlyList<PublishedFit>> ListFitsChangedAfterAsync(string experimentId, long afterVersion, CancellationToken cancellationToken = default);

    /// <summary>A number that grows with every write (an experiment, a lifecycle change, a
    /// commit, a fit), in this process or another; a call that writes nothing leaves it as it
    /// was. Watchers compare it with the last value they saw to notice change (compare for
    /// inequality: a database restored from a backup may go back).</summary>
    Task<long> GetChangeVersionAsync(CancellationToken cancellationToken = default);
}
