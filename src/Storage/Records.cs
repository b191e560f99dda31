namespace OrleansPigmm.Storage;

/// <summary>An experiment as stored: its id (hash of the canonical spec), the canonical spec and
/// the shape figures the store needs to track progress and export snapshots.</summary>
/// <param name="Id">Hash of the canonical spec; the key of everything else.</param>
/// <param name="SpecJson">The canonical spec (JSON), stored verbatim.</param>
/// <param name="Replicas">Number of replicas R.</param>
/// <param name="Epochs">Number of training epochs E; snapshots exist for epochs 0..E.</param>
/// <param name="Layers">Number of analysed layers L (1-based layer numbers 1..L).</param>
/// <param name="MatrixSize">n: every analysed layer is an n x n matrix.</param>
/// <param name="CreatedAt">When the experiment was first stored.</param>
/// <param name="Lifecycle">Running, cancelled or complete.</param>
public sealed record ExperimentRecord(string Id, string SpecJson, int Replicas, int Epochs, int Layers, int MatrixSize, DateTimeOffset CreatedAt, ExperimentLifecycle Lifecycle = ExperimentLifecycle.Running);

/// <summary>Where an experiment is in its life. Only a running experiment is trained; a
/// cancelled one keeps what it committed and runs again when it is submitted again.</summary>
public enum ExperimentLifecycle
{
    /// <summary>Submitted and not finished: its replicas train.</summary>
    Running = 0,

    /// <summary>Stopped on request; committed epochs stay.</summary>
    Cancelled = 1,

    /// <summary>Every replica committed every epoch and every fit covers the whole ensemble.</summary>
    Complete = 2,
}

/// <summary>The latest checkpoint of one replica.</summary>
/// <param name="Epoch">The epoch after which the state was saved (0 = initialisation).</param>
/// <param name="State">The trainer's state of the replica (weights, optimiser state, counters).</param>
public sealed record StoredCheckpoint(int Replica, int Epoch, ReadOnlyMemory<byte> State);

/// <summary>
/// One weight matrix of one replica after one epoch, keyed (experiment, replica, layer, epoch):
/// writing a key that exists is a no-op.
/// </summary>
/// <param name="Layer">1-based analysed layer.</param>
/// <param name="Epoch">0 = initialisation.</param>
/// <param name="Weights">n x n row-major ([out][in]) float32 weights, or null when the experiment's
/// retention policy does not keep this epoch's raw weights.</param>
/// <param name="Invariants">The invariant row of the matrix (the experiment's catalogue, I1 first);
/// null exactly when <paramref name="Diverged"/>.</param>
/// <param name="Diverged">The replica's weights are not finite at this epoch; it is excluded from fits.</param>
public sealed record SnapshotRecord(int Replica, int Layer, int Epoch, float[]? Weights, double[]? Invariants, bool Diverged);

/// <summary>Training metrics of one replica for one epoch.</summary>
/// <param name="TrainLoss">Mean batch loss over the epoch (NaN for epoch 0, and when diverged).</param>
/// <param name="TestAccuracy">Fraction of test images classified correctly after the epoch, when measured.</param>
public sealed record ReplicaMetrics(int Replica, int Epoch, double TrainLoss, double? TestAccuracy, bool Diverged);

/// <summary>Everything one epoch of one replica writes: its checkpoint, the snapshots of its
/// analysed layers (with their invariants) and its metrics.</summary>
/// <param name="Epoch">The epoch just completed (0 = initialisation): the replica's last committed epoch + 1.</param>
/// <param name="Checkpoint">Trainer state after the epoch (weights, optimiser state, step counts).</param>
/// <param name="Snapshots">One per analysed layer 1..L, all of this replica and epoch.</param>
/// <param name="Metrics">The replica's metrics of this epoch.</param>
public sealed record ReplicaEpochCommit(string ExperimentId, int Replica, int Epoch, ReadOnlyMemory<byte> Checkpoint, IReadOnlyList<SnapshotRecord> Snapshots, ReplicaMetrics Metrics);

/// <summary>What became of one commit of a group.</summary>
public enum CommitOutcome
{
    /// <summary>Written: the epoch was the replica's next one.</summary>
    Committed = 0,

    /// <summary>Nothing written: the replica had committed this epoch already (a retried or
    /// duplicated commit; training is deterministic, so the stored rows are the same).</summary>
    AlreadyCommitted = 1,

    /// <summary>Nothing written: the replica's previous epoch is not committed.</summary>
    OutOfOrder = 2,
}

/// <summary>The key of a fit: one ensemble (experiment, analysed layer, epoch).</summary>
public sealed record EnsembleKey(string ExperimentId, int Layer, int Epoch)
{
    /// <inheritdoc />
    public override string ToString() => $"{ExperimentId}/layer {Layer}/epoch {Epoch}";
}

/// <summary>A published fit of one ensemble.</summary>
/// <param name="Samples">Matrices folded into the fit (replicas that did not diverge).</param>
/// <param name="Diverged">Replicas excluded because they diverged.</param>
/// <param name="FitJson">The fit document (JSON) as clients read it.</param>
public sealed record FitRecord(EnsembleKey Key, long Samples, int Diverged, string FitJson)
{
    /// <summary>Replicas the fit accounts for: fitted and diverged.</summary>
    public long Folded => Samples + Diverged;
}

/// <summary>A published fit with the store's change version at which it was last (re)published:
/// a watcher that remembers the largest version it has seen asks for the fits changed after it,
/// and misses none.</summary>
/// <param name="Version">The change version (<see cref="IPigmmStore.GetChangeVersionAsync"/>)
/// that the fit's publication moved the store to; fits stored before versions were kept have the
/// version of the store when it was upgraded.</param>
public sealed record PublishedFit(FitRecord Fit, long Version);
