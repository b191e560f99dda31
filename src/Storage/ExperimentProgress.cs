namespace OrleansPigmm.Storage;

/// <summary>How far an experiment's training has come, counted in committed replica-epochs
/// (one replica's initialisation, epoch 0, counts as one).</summary>
/// <param name="ReplicaEpochsDone">Sum over batches of replicas x committed epochs (0..last).</param>
/// <param name="ReplicaEpochsTotal">R x (E + 1).</param>
/// <param name="FinishedBatches">Batches whose last epoch is committed.</param>
/// <param name="Batches">All batches of the experiment.</param>
public sealed record ExperimentProgress(long ReplicaEpochsDone, long ReplicaEpochsTotal, int FinishedBatches, int Batches)
{
    /// <summary>Done / total, from 0 to 1.</summary>
    public double Fraction => (double)ReplicaEpochsDone / ReplicaEpochsTotal;

    /// <summary>Every batch is finished.</summary>
    public bool IsComplete => FinishedBatches == Batches;
}
