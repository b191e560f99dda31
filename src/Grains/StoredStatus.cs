using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains;

/// <summary>
/// An experiment's status as the store holds it, the same figures its grain reports: what readers
/// that must not activate grains use (the HTTP API lists every experiment of a store, and follows
/// one from any silo through the store's change version).
/// </summary>
public static class StoredStatus
{
    /// <summary>The phase clients see of a stored lifecycle.</summary>
    public static ExperimentPhase Phase(ExperimentLifecycle lifecycle) => lifecycle switch
    {
        ExperimentLifecycle.Cancelled => ExperimentPhase.Cancelled,
        ExperimentLifecycle.Complete => ExperimentPhase.Complete,
        _ => ExperimentPhase.Running,
    };

    /// <summary>The status of <paramref name="experimentId"/> as stored now, or null when the store has no such experiment.</summary>
    public static async Task<ExperimentStatus?> ReadAsync(IPigmmStore store, string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var record = await store.GetExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }
        var progress = await store.GetProgressAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return new ExperimentStatus(record.Id, Phase(record.Lifecycle), record.Replicas, record.Epochs, record.Layers, record.MatrixSize,
            progress.ReplicaEpochsDone, progress.FinishedReplicas, Created: false);
    }
}
