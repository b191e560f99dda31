using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Grains.Training;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains.Commits;

/// <summary>
/// Turns a replica's trained epoch into what is committed (checkpoint, snapshots of the analysed
/// layers with their invariants, metrics) and what each layer's aggregator folds. A replica whose
/// training diverged, or whose finite weights overflow an invariant, is marked diverged in every
/// layer: it is counted, never fitted.
/// </summary>
internal sealed class EpochSnapshots(ExperimentPlan plan)
{
    // Reused from epoch to epoch: the grain calls this from its own turns only.
    private readonly double[] scratch = new double[plan.Catalogue.ScratchLength(plan.MatrixSize)];

    /// <summary>The commit of <paramref name="trained"/> and the contribution of each analysed layer (index layer - 1).</summary>
    public (ReplicaEpochCommit Commit, ReplicaInvariants[] Contributions) Build(int replica, int epoch, TrainedEpoch trained)
    {
        int layers = plan.Layers;
        var rows = new double[layers][];
        bool diverged = trained.Status.Diverged;
        for (int layer = 0; layer < layers && !diverged; layer++)
        {
            rows[layer] = new double[plan.Catalogue.Count];
            plan.Catalogue.Compute(trained.Weights[layer], plan.MatrixSize, rows[layer], scratch);
            diverged = !rows[layer].All(double.IsFinite);
        }
        bool keepWeights = plan.Spec.KeepsWeightsOf(epoch);
        var snapshots = new SnapshotRecord[layers];
        var contributions = new ReplicaInvariants[layers];
        for (int layer = 0; layer < layers; layer++)
        {
            snapshots[layer] = diverged
                ? new SnapshotRecord(replica, layer + 1, epoch, null, null, Diverged: true)
                : new SnapshotRecord(replica, layer + 1, epoch, keepWeights ? trained.Weights[layer] : null, rows[layer], Diverged: false);
            contributions[layer] = new ReplicaInvariants(replica, diverged, diverged ? null : rows[layer]);
        }
        var metrics = new ReplicaMetrics(replica, epoch, epoch == 0 ? double.NaN : trained.Status.LastTrainLoss, diverged ? null : trained.TestAccuracy, diverged);
        return (new ReplicaEpochCommit(plan.Id, replica, epoch, trained.State, snapshots, metrics), contributions);
    }
}
