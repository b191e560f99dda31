namespace OrleansPigmm.Grains.Abstractions;

/// <summary>Where an experiment stands.</summary>
/// <param name="ExperimentId">The id: a hash of the canonical spec.</param>
/// <param name="Phase">Running, cancelled or complete.</param>
/// <param name="Replicas">R.</param>
/// <param name="Epochs">E (snapshots are taken at epochs 0..E).</param>
/// <param name="Layers">Analysed (square) layers L.</param>
/// <param name="MatrixSize">n of the analysed layers.</param>
/// <param name="ReplicaEpochsCommitted">Replica-epochs committed, epoch 0 (initialisation) included.</param>
/// <param name="ReplicasFinished">Replicas that committed their last epoch.</param>
/// <param name="Created">True only in the reply to the submission that stored the experiment;
/// false when the spec was already known (it is then resumed, not restarted).</param>
[GenerateSerializer, Immutable, Alias("pigmm.ExperimentStatus")]
public sealed record ExperimentStatus(
    [property: Id(0)] string ExperimentId,
    [property: Id(1)] ExperimentPhase Phase,
    [property: Id(2)] int Replicas,
    [property: Id(3)] int Epochs,
    [property: Id(4)] int Layers,
    [property: Id(5)] int MatrixSize,
    [property: Id(6)] long ReplicaEpochsCommitted,
    [property: Id(7)] int ReplicasFinished,
    [property: Id(8)] bool Created)
{
    /// <summary>Replica-epochs of the whole experiment, epoch 0 included: R (E + 1).</summary>
    public long ReplicaEpochsTotal => (long)Replicas * (Epochs + 1);

    /// <summary>Whether every replica committed every epoch.</summary>
    public bool TrainingComplete => ReplicasFinished == Replicas;
}
