using Microsoft.Extensions.Logging;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Commits;
using OrleansPigmm.Grains.Placement;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Grains.Training;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains;

/// <summary>
/// One training replica. Its durable state is its last committed epoch and checkpoint in the
/// store, written by every commit; it resumes from there whenever it is activated (after a
/// restart, a cancel, or the death of the silo that hosted it). Training runs in a one-shot grain
/// timer that keeps the activation alive and interleaves with calls, so <see cref="IReplicaGrain.StartAsync"/>
/// and <see cref="IReplicaGrain.StopAsync"/> answer at once while epochs run on the silo's training device.
/// </summary>
/// <remarks>
/// Each epoch: the device trains it; its commit goes to the silo's group commit; then every
/// analysed layer's aggregator folds its invariants. The next epoch is asked of the device as soon
/// as the trained state is back (before the commit), so commits overlap training; a replica whose
/// state is large (wide nets) waits for its commit instead and lets the device reload the state
/// from the store, so waiting replicas hold no memory. A duplicate activation (rare, during a
/// partition) trains the same bits and its commits are no-ops: training is deterministic and
/// commits are idempotent.
/// </remarks>
[TrainingCapacityPlacement]
public sealed class ReplicaGrain(
    IPigmmStore store,
    ExperimentPlans plans,
    ITrainingDevice device,
    GroupCommitter committer,
    ILogger<ReplicaGrain> logger) : Grain, IReplicaGrain
{
    /// <summary>States up to this size stay in memory between epochs; larger ones are reloaded
    /// from the store when the device admits the replica.</summary>
    public const int KeptStateLimit = 1 << 20;

    // Transient: the training in progress of this activation; a new activation starts afresh from the store.
    private IGrainTimer? training;
    private CancellationTokenSource? stopping;
    private int committedEpoch = -1;
    private bool finished;

    private string ExperimentId => GrainKeys.ParseReplica(this.GetPrimaryKeyString()).ExperimentId;

    private int Replica => GrainKeys.ParseReplica(this.GetPrimaryKeyString()).Replica;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The progress row, not the checkpoint: an activation reads no state it may not train.
        committedEpoch = await store.GetCompletedEpochAsync(ExperimentId, Replica, cancellationToken);
        finished = committedEpoch == (await plans.PlanAsync(ExperimentId, cancellationToken)).Spec.Epochs;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The epoch in flight is abandoned; what was committed stays, and the next activation resumes there.
        bool wasTraining = training is not null;
        Stop();
        if (wasTraining && reason.ReasonCode == DeactivationReasonCode.ShuttingDown)
        {
            // The silo is leaving the cluster: hand the replica back so that another silo takes it
            // up at once, rather than after the experiment notices it made no progress.
            GrainFactory.GetGrain<IExperimentGrain>(ExperimentId).ReplicaReleasedAsync(Replica).Ignore();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    Task<int> IReplicaGrain.StartAsync()
    {
        if (training is null && !finished)
        {
            stopping = new CancellationTokenSource();
            var token = stopping.Token;
            training = this.RegisterGrainTimer(
                () => TrainAsync(token),
                new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        }
        return Task.FromResult(committedEpoch);
    }

    /// <inheritdoc />
    Task IReplicaGrain.StopAsync()
    {
        Stop();
        this.DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private void Stop()
    {
        stopping?.Cancel();
        training?.Dispose();
        training = null;
    }

    private async Task TrainAsync(CancellationToken cancellationToken)
    {
        try
        {
            var plan = await plans.PlanAsync(ExperimentId, cancellationToken);
            await TrainEpochsAsync(plan, cancellationToken);
            // The last epoch is committed: nothing wakes this replica to train again.
            finished = true;
            this.DeactivateOnIdle();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception error) when (error is StoreUnavailableException or InvalidDataException or OrleansException or TimeoutException)
        {
            // The experiment grain wakes this replica again; it then resumes from its last commit.
            logger.LogWarning(error, "Replica {Replica} of {Experiment} stopped after epoch {Epoch}: {Reason}", Replica, ExperimentId, committedEpoch, error.Message);
            this.DeactivateOnIdle();
        }
        finally
        {
            training?.Dispose();
            training = null;
        }
    }

    private async Task TrainEpochsAsync(ExperimentPlan plan, CancellationToken cancellationToken)
    {
        var snapshots = new EpochSnapshots(plan);
        var checkpoint = await store.GetCheckpointAsync(plan.Id, Replica, cancellationToken);
        committedEpoch = checkpoint?.Epoch ?? -1;
        if (checkpoint is not null)
        {
            // The folds of the last commit may not have reached the aggregators before this
            // activation's predecessor stopped; folding is idempotent, so deliver them again.
            await RefoldAsync(plan, checkpoint.Epoch, cancellationToken);
        }
        if (committedEpoch == plan.Spec.Epochs)
        {
            return;
        }
        var state = checkpoint?.State ?? ReadOnlyMemory<byte>.Empty;
        Task<TrainedEpoch>? next = device.TrainAsync(Request(plan, committedEpoch + 1, _ => Task.FromResult(state)), cancellationToken);
        for (int epoch = committedEpoch + 1; next is not null; epoch++)
        {
            next = await CompleteEpochAsync(plan, snapshots, epoch, await next, cancellationToken);
        }
    }

    /// <summary>Asks the device for the next epoch, then commits this one and has it folded.
    /// Kept apart from the loop so that the trained epoch is not held while the next one waits
    /// its turn on the device.</summary>
    /// <returns>The next epoch's training; null after the last epoch.</returns>
    private async Task<Task<TrainedEpoch>?> CompleteEpochAsync(ExperimentPlan plan, EpochSnapshots snapshots, int epoch, TrainedEpoch trained, CancellationToken cancellationToken)
    {
        var (commit, contributions) = snapshots.Build(Replica, epoch, trained);
        var committing = committer.CommitAsync(commit);
        Task<TrainedEpoch>? next = null;
        if (epoch < plan.Spec.Epochs)
        {
            var kept = trained.State;
            next = device.TrainAsync(Request(plan, epoch + 1, kept.Length <= KeptStateLimit
                ? _ => Task.FromResult<ReadOnlyMemory<byte>>(kept)
                : token => StateAfterCommitAsync(committing, epoch, token)), cancellationToken);
        }
        if (await committing == CommitOutcome.OutOfOrder)
        {
            throw new InvalidDataException($"Replica {Replica} of {plan.Id}: epoch {epoch} was refused as out of order; the stored progress changed under this activation.");
        }
        committedEpoch = epoch;
        GrainFactory.GetGrain<IExperimentGrain>(plan.Id).ReplicaCommittedAsync(Replica, epoch).Ignore();
        await FoldAsync(plan, epoch, contributions);
        return next;
    }

    private EpochRequest Request(ExperimentPlan plan, int epoch, Func<CancellationToken, Task<ReadOnlyMemory<byte>>> loadState) =>
        new(plan.Training, Replica, epoch, plan.ReplicaStateBytes, loadState, plan.AnalysedMatrices);

    private async Task<ReadOnlyMemory<byte>> StateAfterCommitAsync(Task<CommitOutcome> committing, int epoch, CancellationToken cancellationToken)
    {
        await committing;
        var stored = await store.GetCheckpointAsync(ExperimentId, Replica, cancellationToken);
        return stored is not null && stored.Epoch == epoch
            ? stored.State
            : throw new InvalidDataException($"Replica {Replica} of {ExperimentId}: the stored checkpoint is of epoch {stored?.Epoch}, not {epoch}.");
    }

    private Task FoldAsync(ExperimentPlan plan, int epoch, IReadOnlyList<ReplicaInvariants> contributions) =>
        Task.WhenAll(contributions.Select((contribution, index) =>
            GrainFactory.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(plan.Id, index + 1, epoch)).FoldAsync(contribution)));

    private async Task RefoldAsync(ExperimentPlan plan, int epoch, CancellationToken cancellationToken)
    {
        var contributions = new List<ReplicaInvariants>(plan.Layers);
        for (int layer = 1; layer <= plan.Layers; layer++)
        {
            await foreach (var snapshot in store.ReadSnapshotsAsync(new EnsembleKey(plan.Id, layer, epoch), Replica, 1, includeWeights: false, cancellationToken))
            {
                contributions.Add(new ReplicaInvariants(snapshot.Replica, snapshot.Diverged, snapshot.Invariants));
            }
        }
        await FoldAsync(plan, epoch, contributions);
    }
}
