using OrleansPigmm.Grains.Runtime;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains.Interfaces;

/// <summary>How a batch's training under one lease ended.</summary>
/// <param name="FirstEpoch">The first epoch committed under the lease (0 for a fresh batch).</param>
/// <param name="LastEpoch">The last epoch committed; FirstEpoch - 1 when none was.</param>
/// <param name="Finished">Whether the batch has committed its last epoch.</param>
/// <param name="LeaseLost">Whether training stopped because the lease expired or was taken.</param>
/// <param name="Diverged">Replicas of the batch whose training has diverged so far.</param>
public sealed record BatchTrainingResult(int FirstEpoch, int LastEpoch, bool Finished, bool LeaseLost, int Diverged);

/// <summary>
/// One batch of replicas of an experiment, keyed "EXPERIMENT/BATCH": trains them together,
/// epoch by epoch, from the batch's last checkpoint, committing after every epoch the checkpoint,
/// the snapshots of the analysed layers and the metrics in one transaction, and has the
/// aggregators fold them.
/// </summary>
public interface IReplicaGrain : IGrainWithStringKey
{
    /// <summary>Trains the leased batch until its last epoch, the lease is lost, or cancellation
    /// (which stops after the epoch in flight is abandoned; committed epochs stay).</summary>
    /// <exception cref="ArgumentException">The lease belongs to another batch or experiment.</exception>
    Task<BatchTrainingResult> TrainAsync(WorkLease lease, CancellationToken cancellationToken);
}
