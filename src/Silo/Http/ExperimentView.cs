using OrleansPigmm.Grains;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Outputs;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo.Http;

/// <summary>
/// An experiment's status as the API shows it (camelCase JSON): the fields of
/// <see cref="ExperimentStatus"/> as the store holds them, and the test accuracy of the latest
/// epoch with metrics.
/// </summary>
/// <param name="ExperimentId">The id: a hash of the canonical spec.</param>
/// <param name="Phase">Running, cancelled or complete.</param>
/// <param name="Replicas">R.</param>
/// <param name="Epochs">E (snapshots are taken at epochs 0..E).</param>
/// <param name="Layers">Analysed (square) layers L.</param>
/// <param name="MatrixSize">n of the analysed layers.</param>
/// <param name="ReplicaEpochsCommitted">Replica-epochs committed, epoch 0 (initialisation) included.</param>
/// <param name="ReplicaEpochsTotal">Replica-epochs of the whole experiment: R (E + 1).</param>
/// <param name="ReplicasFinished">Replicas that committed their last epoch.</param>
/// <param name="LatestEpoch">The latest epoch (1..E) at least one replica completed; null before the first.</param>
/// <param name="MeanTestAccuracy">The mean test accuracy after <paramref name="LatestEpoch"/> over
/// the replicas that completed it without diverging, as fits.json's training history has it.</param>
public sealed record ExperimentView(
    string ExperimentId,
    ExperimentPhase Phase,
    int Replicas,
    int Epochs,
    int Layers,
    int MatrixSize,
    long ReplicaEpochsCommitted,
    long ReplicaEpochsTotal,
    int ReplicasFinished,
    int? LatestEpoch,
    double? MeanTestAccuracy)
{
    /// <summary>
    /// The view of <paramref name="experimentId"/> as stored now, or null when there is none.
    /// The metrics are read only when the committed replica-epochs differ from
    /// <paramref name="previous"/>'s (metrics change only with commits).
    /// </summary>
    public static async Task<ExperimentView?> ReadAsync(IPigmmStore store, string experimentId, ExperimentView? previous, CancellationToken cancellationToken)
    {
        if (await StoredStatus.ReadAsync(store, experimentId, cancellationToken).ConfigureAwait(false) is not { } status)
        {
            return null;
        }
        var (latest, accuracy) = (previous?.LatestEpoch, previous?.MeanTestAccuracy);
        if (previous?.ReplicaEpochsCommitted != status.ReplicaEpochsCommitted)
        {
            var record = await store.GetExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false);
            var history = await ExperimentOutputs.ReadHistoryAsync(store, record!, cancellationToken).ConfigureAwait(false);
            var last = history.Epochs.Count == 0 ? null : history.Epochs[^1];
            (latest, accuracy) = (last?.Epoch, last?.MeanTestAccuracy);
        }
        return new ExperimentView(status.ExperimentId, status.Phase, status.Replicas, status.Epochs, status.Layers, status.MatrixSize,
            status.ReplicaEpochsCommitted, status.ReplicaEpochsTotal, status.ReplicasFinished, latest, accuracy);
    }
}
