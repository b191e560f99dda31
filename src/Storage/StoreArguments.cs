namespace OrleansPigmm.Storage;

/// <summary>The checks every backend makes on its arguments before touching the database, so that
/// bad input is refused alike everywhere, with a message naming what is wrong.</summary>
internal static class StoreArguments
{
    public static void CheckExperiment(ExperimentRecord experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        string name = $"Experiment '{experiment.Id}'";
        Require(!string.IsNullOrWhiteSpace(experiment.Id), "An experiment needs a non-blank id.", nameof(experiment));
        Require(!string.IsNullOrWhiteSpace(experiment.SpecJson), $"{name} has no spec.", nameof(experiment));
        Require(experiment.Replicas >= 1, $"{name} has {experiment.Replicas} replicas; it needs at least 1.", nameof(experiment));
        Require(experiment.Epochs >= 0, $"{name} has {experiment.Epochs} epochs; it needs at least 0.", nameof(experiment));
        Require(experiment.Layers >= 1, $"{name} analyses {experiment.Layers} layers; it needs at least 1.", nameof(experiment));
        Require(experiment.MatrixSize is >= 1 and <= StoreLimits.MaxMatrixSize,
            $"{name} has matrix size {experiment.MatrixSize}; it must be from 1 to {StoreLimits.MaxMatrixSize}.", nameof(experiment));
    }

    public static void CheckLifecycle(ExperimentLifecycle lifecycle)
    {
        if (!Enum.IsDefined(lifecycle))
        {
            throw new ArgumentOutOfRangeException(nameof(lifecycle), lifecycle, $"There is no experiment lifecycle {(int)lifecycle}.");
        }
    }

    public static void CheckEnsemble(ExperimentRecord experiment, EnsembleKey ensemble, string parameter = "ensemble")
    {
        CheckLayer(experiment, ensemble.Layer, parameter);
        CheckEpoch(experiment, ensemble.Epoch, parameter);
    }

    public static void CheckReplica(ExperimentRecord experiment, int replica, string parameter)
    {
        if (replica < 0 || replica >= experiment.Replicas)
        {
            throw new ArgumentOutOfRangeException(parameter, replica, $"Experiment '{experiment.Id}' has replicas 0..{experiment.Replicas - 1}; there is no replica {replica}.");
        }
    }

    public static void CheckFit(ExperimentRecord experiment, FitRecord fit)
    {
        CheckEnsemble(experiment, fit.Key, nameof(fit));
        if (fit.Samples < 0 || fit.Diverged < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fit), $"The fit of {fit.Key} counts {fit.Samples} samples and {fit.Diverged} diverged replicas; neither may be negative.");
        }
        ArgumentNullException.ThrowIfNull(fit.FitJson, nameof(fit));
    }

    /// <summary>Checks what a commit of a group needs before its experiment is looked up.</summary>
    public static void CheckCommitFields(ReplicaEpochCommit? commit, int index)
    {
        Require(commit is not null, $"Commit {index} of the group is null.", Commits);
        Require(!string.IsNullOrWhiteSpace(commit!.ExperimentId), $"Commit {index} of the group names no experiment.", Commits);
        Require(commit.Snapshots is not null, $"{CommitName(commit, index)} has no list of snapshots.", Commits);
        Require(commit.Metrics is not null, $"{CommitName(commit, index)} has no metrics.", Commits);
    }

    /// <summary>Checks that a commit of a group is of a replica and epoch of its experiment, holds
    /// a checkpoint, exactly one well-formed snapshot per layer 1..L and metrics, all of its
    /// replica and epoch.</summary>
    public static void CheckCommit(ExperimentRecord experiment, ReplicaEpochCommit commit, int index)
    {
        string name = CommitName(commit, index);
        if (commit.Replica < 0 || commit.Replica >= experiment.Replicas)
        {
            throw new ArgumentOutOfRangeException(Commits, commit.Replica, $"{name}: the experiment has replicas 0..{experiment.Replicas - 1}.");
        }
        if (commit.Epoch < 0 || commit.Epoch > experiment.Epochs)
        {
            throw new ArgumentOutOfRangeException(Commits, commit.Epoch, $"{name}: the experiment has epochs 0..{experiment.Epochs}.");
        }
        Require(!commit.Checkpoint.IsEmpty, $"{name} has an empty checkpoint.", Commits);

        var seen = new bool[experiment.Layers];
        foreach (var snapshot in commit.Snapshots)
        {
            Require(snapshot is not null, $"{name} holds a null snapshot.", Commits);
            if (SnapshotProblem(experiment, commit, snapshot!, seen) is { } problem)
            {
                throw new ArgumentException($"{name}: the snapshot of replica {snapshot!.Replica}, layer {snapshot.Layer}, epoch {snapshot.Epoch} {problem}.", Commits);
            }
        }
        Require(commit.Snapshots.Count == experiment.Layers,
            $"{name} holds {commit.Snapshots.Count} snapshots; it needs one per layer, {experiment.Layers}.", Commits);

        var metrics = commit.Metrics;
        Require(metrics.Replica == commit.Replica && metrics.Epoch == commit.Epoch,
            $"{name}: its metrics are of replica {metrics.Replica}, epoch {metrics.Epoch}.", Commits);
    }

    private const string Commits = "commits";

    private static string CommitName(ReplicaEpochCommit commit, int index) =>
        $"Commit {index} of the group (experiment '{commit.ExperimentId}', replica {commit.Replica}, epoch {commit.Epoch})";

    /// <summary>What is wrong with a snapshot of a commit, or null; marks its layer seen.</summary>
    private static string? SnapshotProblem(ExperimentRecord experiment, ReplicaEpochCommit commit, SnapshotRecord snapshot, bool[] seen)
    {
        int weightCount = experiment.MatrixSize * experiment.MatrixSize;
        if (snapshot.Replica != commit.Replica)
        {
            return "belongs to another replica";
        }
        if (snapshot.Epoch != commit.Epoch)
        {
            return "belongs to another epoch";
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
        return MarkSeen(seen, snapshot.Layer - 1);
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
