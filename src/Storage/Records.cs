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
public sealed record ExperimentRecord(string Id, string SpecJson, int Replicas, int Epochs, int Layers, int MatrixSize, DateTimeOffset CreatedAt);

/// <summary>A unit of training work: replicas FirstReplica .. FirstReplica + ReplicaCount - 1.</summary>
public sealed record ReplicaBatch(int Batch, int FirstReplica, int ReplicaCount);

/// <summary>Where a batch of replicas stands.</summary>
/// <param name="CompletedEpochs">-1 before the initialisation (epoch 0) is committed, then the last committed epoch.</param>
/// <param name="Owner">Holder of an unexpired lease, or null.</param>
/// <param name="LeaseExpiresAt">When that lease expires, or null.</param>
public sealed record BatchStatus(ReplicaBatch Batch, int CompletedEpochs, string? Owner, DateTimeOffset? LeaseExpiresAt);

/// <summary>
/// The right to train one batch of replicas until <see cref="ExpiresAt"/>. Only the holder of the
/// current <see cref="Token"/> may commit epochs, renew or release; a claim after expiry issues a
/// new token and the old one is worthless. Renewals keep the token.
/// </summary>
/// <param name="CompletedEpochs">When claimed: -1 if nothing was committed yet, else the last
/// committed epoch (commits and renewals do not update it).</param>
/// <param name="Checkpoint">The trainer state saved with that epoch when claimed; empty if none.</param>
public sealed record WorkLease(
    string ExperimentId,
    ReplicaBatch Batch,
    string Owner,
    Guid Token,
    DateTimeOffset ExpiresAt,
    int CompletedEpochs,
    ReadOnlyMemory<byte> Checkpoint);

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

/// <summary>Everything one epoch of one batch writes, in a single transaction.</summary>
/// <param name="Epoch">The epoch just completed: the lease's CompletedEpochs + 1.</param>
/// <param name="Checkpoint">Trainer state after the epoch (weights, optimiser state, step counts).</param>
/// <param name="Snapshots">One per (replica of the batch, analysed layer).</param>
/// <param name="Metrics">One per replica of the batch.</param>
public sealed record EpochCommit(int Epoch, ReadOnlyMemory<byte> Checkpoint, IReadOnlyList<SnapshotRecord> Snapshots, IReadOnlyList<ReplicaMetrics> Metrics);

/// <summary>The key of an aggregate and its fit: one ensemble.</summary>
public sealed record EnsembleKey(string ExperimentId, int Layer, int Epoch)
{
    /// <inheritdoc />
    public override string ToString() => $"{ExperimentId}/layer {Layer}/epoch {Epoch}";
}

/// <summary>An aggregator's durable state (opaque to the store) and its version for
/// compare-and-set writes.</summary>
public sealed record AggregateRecord(EnsembleKey Key, ReadOnlyMemory<byte> State, long Version);

/// <summary>A published fit of one ensemble.</summary>
/// <param name="Samples">Matrices folded into the fit.</param>
/// <param name="Diverged">Replicas excluded because they diverged.</param>
/// <param name="FitJson">The fit document (JSON) as clients read it.</param>
public sealed record FitRecord(EnsembleKey Key, long Samples, int Diverged, string FitJson);
