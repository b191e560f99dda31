namespace OrleansPigmm.Storage;

/// <summary>How far an experiment's training has come, counted in committed replica-epochs
/// (one replica's initialisation, epoch 0, counts as one).</summary>
/// <param name="ReplicaEpochsDone">Sum over replicas of the epochs committed (last committed epoch + 1).</param>
/// <param name="ReplicaEpochsTotal">R x (E + 1).</param>
/// <param name="FinishedReplicas">Replicas whose last epoch is committed.</param>
/// <param name="Replicas">All replicas of the experiment, R.</param>
public sealed record ExperimentProgress(long ReplicaEpochsDone, long ReplicaEpochsTotal, int FinishedReplicas, int Replicas)
{
    /// <summary>Done / total, from 0 to 1.</summary>
    public double Fraction => (double)ReplicaEpochsDone / ReplicaEpochsTotal;

    /// <summary>Every replica is finished.</summary>
    public bool IsComplete => FinishedReplicas == Replicas;
}
