using OrleansPigmm.Grains.Interfaces;
using OrleansPigmm.Grains.Runtime;
using OrleansPigmm.Storage;
using OrleansPigmm.Training;

namespace OrleansPigmm.Grains;

/// <summary>
/// A batch of replicas: trains them together through the trainer interface, epoch by epoch from
/// the batch's last checkpoint, commits each epoch (checkpoint, snapshots with their invariants,
/// metrics) in one transaction, and has the aggregators of the epoch fold the batch.
/// </summary>
public sealed class ReplicaGrain(GrainContext context, GrainServices services) : IReplicaGrain
{
    /// <inheritdoc />
    public async Task<BatchTrainingResult> TrainAsync(WorkLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var (experimentId, batch) = GrainKeys.ParseReplicaBatch(context.Key);
        if (lease.ExperimentId != experimentId || lease.Batch.Batch != batch)
        {
            throw new ArgumentException($"The lease is for batch {lease.Batch.Batch} of {lease.ExperimentId}, not {context.Key}.", nameof(lease));
        }
        var plan = await services.PlanAsync(experimentId, cancellationToken);
        var replicas = Enumerable.Range(lease.Batch.FirstReplica, lease.Batch.ReplicaCount).ToArray();
        var dataset = services.Dataset(plan.Spec.Dataset);
        using var trainer = services.Trainers.Create(plan.Training, dataset, replicas);
        if (lease.CompletedEpochs >= 0)
        {
            BatchCheckpoint.Import(trainer, lease.Checkpoint.Span);
        }
        await using var keeper = new LeaseKeeper(services.Store, lease, services.LeaseDuration);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, keeper.Lost);
        var snapshots = new SnapshotMaker(plan);
        int first = lease.CompletedEpochs + 1, last = lease.CompletedEpochs;
        try
        {
            for (int epoch = first; epoch <= plan.Spec.Epochs; epoch++)
            {
                if (epoch > 0)
                {
                    await Task.Factory.StartNew(() => trainer.TrainEpoch(cancellationToken: stopping.Token), stopping.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }
                var accuracy = trainer.EvaluateTestAccuracy(stopping.Token);
                var commit = snapshots.Commit(trainer, epoch, accuracy, BatchCheckpoint.Export(trainer));
                if (!await services.Store.CommitEpochAsync(keeper.Current, commit, CancellationToken.None))
                {
                    return Result(first, last, plan, trainer, leaseLost: true);
                }
                last = epoch;
                await FoldAsync(plan, lease.Batch, epoch);
            }
        }
        catch (OperationCanceledException) when (keeper.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Result(first, last, plan, trainer, leaseLost: true);
        }
        finally
        {
            if (last < plan.Spec.Epochs && !keeper.Lost.IsCancellationRequested)
            {
                await ReleaseAsync(keeper.Current);
            }
        }
        return Result(first, last, plan, trainer, leaseLost: false);
    }

    // Gives unfinished work back at once; if the store is gone, the lease simply expires.
    private async Task ReleaseAsync(WorkLease lease)
    {
        try
        {
            await services.Store.ReleaseAsync(lease, CancellationToken.None);
        }
        catch (StoreUnavailableException)
        {
        }
    }

    private static BatchTrainingResult Result(int first, int last, ExperimentPlan plan, IEnsembleTrainer trainer, bool leaseLost) =>
        new(first, last, last == plan.Spec.Epochs, leaseLost, Enumerable.Range(0, trainer.Replicas.Count).Count(s => trainer.Status(s).Diverged));

    private Task FoldAsync(ExperimentPlan plan, ReplicaBatch batch, int epoch) =>
        Task.WhenAll(Enumerable.Range(1, plan.Layers).Select(layer =>
            context.GrainFactory.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(plan.Id, layer, epoch)).FoldAsync(batch.FirstReplica, batch.ReplicaCount)));

    /// <summary>Builds the commit of an epoch: each replica's analysed matrices, their invariants
    /// and its metrics; reuses its buffers from epoch to epoch.</summary>
    private sealed class SnapshotMaker(ExperimentPlan plan)
    {
        private readonly float[] weights = new float[plan.MatrixSize * plan.MatrixSize];
        private readonly double[] scratch = new double[plan.Catalogue.ScratchLength(plan.MatrixSize)];

        public EpochCommit Commit(IEnsembleTrainer trainer, int epoch, IReadOnlyList<double> accuracy, byte[] checkpoint)
        {
            int n = plan.MatrixSize;
            bool keepWeights = plan.Spec.KeepsWeightsOf(epoch);
            var snapshots = new List<SnapshotRecord>(trainer.Replicas.Count * plan.Layers);
            var metrics = new List<ReplicaMetrics>(trainer.Replicas.Count);
            for (int slot = 0; slot < trainer.Replicas.Count; slot++)
            {
                int replica = trainer.Replicas[slot];
                var status = trainer.Status(slot);
                var rows = new double[plan.Layers][];
                var kept = new float[plan.Layers][];
                bool diverged = status.Diverged;
                for (int layer = 0; layer < plan.Layers && !diverged; layer++)
                {
                    trainer.CopyWeights(slot, plan.AnalysedMatrices[layer], weights);
                    rows[layer] = new double[plan.Catalogue.Count];
                    plan.Catalogue.Compute(weights, n, rows[layer], scratch);
                    // Finite weights can still overflow an invariant: such a replica is as unusable as a diverged one.
                    diverged = !rows[layer].All(double.IsFinite);
                    kept[layer] = keepWeights ? (float[])weights.Clone() : null!;
                }
                for (int layer = 0; layer < plan.Layers; layer++)
                {
                    snapshots.Add(diverged
                        ? new SnapshotRecord(replica, layer + 1, epoch, null, null, Diverged: true)
                        : new SnapshotRecord(replica, layer + 1, epoch, keepWeights ? kept[layer] : null, rows[layer], Diverged: false));
                }
                metrics.Add(new ReplicaMetrics(replica, epoch, epoch == 0 ? double.NaN : status.LastTrainLoss, diverged ? null : accuracy[slot], diverged));
            }
            return new EpochCommit(epoch, checkpoint, snapshots, metrics);
        }
    }
}
