namespace OrleansPigmm.Storage;

/// <summary>The checks every backend makes on its arguments before touching the database, so that
/// bad input is refused alike everywhere, with a message naming what is wrong.</summary>
internal static class StoreArguments
{
    public static void CheckExperiment(ExperimentRecord experiment, IReadOnlyList<ReplicaBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(batches);
        string name = $"Experiment '{experiment.Id}'";
        Require(!string.IsNullOrWhiteSpace(experiment.Id), "An experiment needs a non-blank id.", nameof(experiment));
        Require(!string.IsNullOrWhiteSpace(experiment.SpecJson), $"{name} has no spec.", nameof(experiment));
        Require(experiment.Replicas >= 1, $"{name} has {experiment.Replicas} replicas; it needs at least 1.", nameof(experiment));
        Require(experiment.Epochs >= 0, $"{name} has {experiment.Epochs} epochs; it needs at least 0.", nameof(experiment));
        Require(experiment.Layers >= 1, $"{name} analyses {experiment.Layers} layers; it needs at least 1.", nameof(experiment));
        Require(experiment.MatrixSize is >= 1 and <= StoreLimits.MaxMatrixSize,
            $"{name} has matrix size {experiment.MatrixSize}; it must be from 1 to {StoreLimits.MaxMatrixSize}.", nameof(experiment));
        Require(batches.Count >= 1, $"{name} has no batches.", nameof(batches));
        Require(batches.All(b => b is not null), $"{name} has a null batch.", nameof(batches));

        int nextReplica = 0;
        var numbers = new HashSet<int>();
        foreach (var batch in batches.OrderBy(b => b.FirstReplica))
        {
            string batchName = $"{name}, batch {batch.Batch} (replicas {batch.FirstReplica}..{batch.FirstReplica + batch.ReplicaCount - 1})";
            Require(batch.Batch >= 0 && numbers.Add(batch.Batch), $"{batchName}: batch numbers must be distinct and not negative.", nameof(batches));
            Require(batch.ReplicaCount >= 1, $"{batchName} holds no replicas.", nameof(batches));
            Require(batch.FirstReplica == nextReplica,
                $"{batchName} should start at replica {nextReplica}: batches must split replicas 0..{experiment.Replicas - 1} without gaps or overlaps.", nameof(batches));
            nextReplica = batch.FirstReplica + batch.ReplicaCount;
        }
        Require(nextReplica == experiment.Replicas,
            $"{name}: the batches cover replicas 0..{nextReplica - 1}, but the experiment has {experiment.Replicas}.", nameof(batches));
    }

    public static void CheckLeaseRequest(string owner, TimeSpan duration)
    {
        Require(!string.IsNullOrWhiteSpace(owner), "A lease needs a non-blank owner.", nameof(owner));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
    }

    public static void CheckEnsemble(ExperimentRecord experiment, EnsembleKey ensemble)
    {
        CheckLayer(experiment, ensemble.Layer, nameof(ensemble));
        CheckEpoch(experiment, ensemble.Epoch, nameof(ensemble));
    }

    public static void CheckAggregate(ExperimentRecord experiment, EnsembleKey ensemble, long expectedVersion, FitRecord? fit)
    {
        CheckEnsemble(experiment, ensemble);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        if (fit is not null)
        {
            Require(fit.Key == ensemble, $"The fit of {fit.Key} cannot be published with the aggregate of {ensemble}.", nameof(fit));
            Require(fit.Samples >= 0 && fit.Diverged >= 0, $"The fit of {ensemble} counts {fit.Samples} samples and {fit.Diverged} diverged replicas; neither may be negative.", nameof(fit));
            ArgumentNullException.ThrowIfNull(fit.FitJson, nameof(fit));
        }
    }

    /// <summary>Checks that the commit holds exactly one snapshot per (replica of the batch, layer)
    /// and one metrics row per replica, all of the commit's epoch and well formed.</summary>
    public static void CheckCommit(ExperimentRecord experiment, WorkLease lease, EpochCommit commit)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentNullException.ThrowIfNull(commit.Snapshots, nameof(commit));
        ArgumentNullException.ThrowIfNull(commit.Metrics, nameof(commit));
        CheckEpoch(experiment, commit.Epoch, nameof(commit));
        var batch = lease.Batch;
        string Name() => $"The commit of epoch {commit.Epoch} of experiment '{experiment.Id}', batch {batch.Batch} (replicas {batch.FirstReplica}..{batch.FirstReplica + batch.ReplicaCount - 1})";

        var seenSnapshots = new bool[batch.ReplicaCount * experiment.Layers];
        foreach (var snapshot in commit.Snapshots)
        {
            ArgumentNullException.ThrowIfNull(snapshot, nameof(commit));
            if (SnapshotProblem(experiment, batch, commit.Epoch, snapshot, seenSnapshots) is { } problem)
            {
                throw new ArgumentException($"{Name()}: the snapshot of replica {snapshot.Replica}, layer {snapshot.Layer}, epoch {snapshot.Epoch} {problem}.", nameof(commit));
            }
        }
        if (commit.Snapshots.Count != seenSnapshots.Length)
        {
            throw new ArgumentException($"{Name()} holds {commit.Snapshots.Count} snapshots; it needs one per replica and layer, {seenSnapshots.Length}.", nameof(commit));
        }

        var seenMetrics = new bool[batch.ReplicaCount];
        foreach (var metrics in commit.Metrics)
        {
            ArgumentNullException.ThrowIfNull(metrics, nameof(commit));
            if (MetricsProblem(batch, commit.Epoch, metrics, seenMetrics) is { } problem)
            {
                throw new ArgumentException($"{Name()}: the metrics of replica {metrics.Replica}, epoch {metrics.Epoch} {problem}.", nameof(commit));
            }
        }
        if (commit.Metrics.Count != seenMetrics.Length)
        {
            throw new ArgumentException($"{Name()} holds {commit.Metrics.Count} metrics rows; it needs one per replica, {seenMetrics.Length}.", nameof(commit));
        }
    }

    /// <summary>What is wrong with a snapshot of a commit, or null; marks it seen.</summary>
    private static string? SnapshotProblem(ExperimentRecord experiment, ReplicaBatch batch, int epoch, SnapshotRecord snapshot, bool[] seen)
    {
        int replicaIndex = snapshot.Replica - batch.FirstReplica;
        int weightCount = experiment.MatrixSize * experiment.MatrixSize;
        if (snapshot.Epoch != epoch)
        {
            return "belongs to another epoch";
        }
        if (replicaIndex < 0 || replicaIndex >= batch.ReplicaCount)
        {
            return "names a replica outside the batch";
        }
        if (snapshot.Layer < 1 || snapshot.Layer > experiment.Layers)
        {
            return $"names a layer outside 1..{experiment.Layers}";
        }
        if (snapshot.Weights is not null && snapshot.Weights.Length != weightCount)
        {
            return $"has {snapshot.Weights.Length} weights; an {experiment.MatrixSize} x {experiment.MatrixSize} matrix has {weightCount}";
        }
        if (snapshot.Diverged != snapshot.Invariants is null)
        {
            return snapshot.Diverged ? "is marked diverged but has invariants" : "has no invariants but is not marked diverged";
        }
        if (snapshot.Invariants is { Length: 0 })
        {
            return "has an empty invariant row";
        }
        return MarkSeen(seen, replicaIndex * experiment.Layers + snapshot.Layer - 1);
    }

    /// <summary>What is wrong with a metrics row of a commit, or null; marks it seen.</summary>
    private static string? MetricsProblem(ReplicaBatch batch, int epoch, ReplicaMetrics metrics, bool[] seen)
    {
        int replicaIndex = metrics.Replica - batch.FirstReplica;
        if (metrics.Epoch != epoch)
        {
            return "belong to another epoch";
        }
        if (replicaIndex < 0 || replicaIndex >= batch.ReplicaCount)
        {
            return "name a replica outside the batch";
        }
        return MarkSeen(seen, replicaIndex);
    }

    private static string? MarkSeen(bool[] seen, int index)
    {
        if (seen[index])
        {
            return "appears more than once";
        }
        seen[index] = true;
        return null;
    }

    private static void CheckLayer(ExperimentRecord experiment, int layer, string parameter)
    {
        if (layer < 1 || layer > experiment.Layers)
        {
            throw new ArgumentOutOfRangeException(parameter, layer, $"Experiment '{experiment.Id}' analyses layers 1..{experiment.Layers}; there is no layer {layer}.");
        }
    }

    private static void CheckEpoch(ExperimentRecord experiment, int epoch, string parameter)
    {
        if (epoch < 0 || epoch > experiment.Epochs)
        {
            throw new ArgumentOutOfRangeException(parameter, epoch, $"Experiment '{experiment.Id}' has epochs 0..{experiment.Epochs}; there is no epoch {epoch}.");
        }
    }

    private static void Require(bool condition, string message, string parameter)
    {
        if (!condition)
        {
            throw new ArgumentException(message, parameter);
        }
    }
}
