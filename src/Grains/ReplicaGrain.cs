using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Commits;
using OrleansPigmm.Grains.Placement;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Grains.Telemetry;
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
/// from the store, so waiting replicas hold no memory. Each epoch is one span (children: train,
/// commit; the folds it asks for under it) in a trace of its own that links to the experiment's
/// submission. A duplicate activation (rare, during a
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
    private ActivityContext submission;

    private string ExperimentId => GrainKeys.ParseReplica(this.GetPrimaryKeyString()).ExperimentId;

    private int Replica => GrainKeys.ParseReplica(this.GetPrimaryKeyString()).Replica;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The progress row, not the checkpoint: an activation reads no state it may not train.
        committedEpoch = await store.GetCompletedEpochAsync(ExperimentId, Replica, cancellationToken);
        finished = committedEpoch == (await plans.PlanAsync(ExperimentId, cancellationToken)).Spec.Epochs;
        PigmmTelemetry.ReplicaActive(+1);
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The epoch in flight is abandoned; what was committed stays, and the next activation resumes there.
        bool wasTraining = training is not null;
        Stop();
        PigmmTelemetry.ReplicaActive(-1);
        if (wasTraining && reason.ReasonCode == DeactivationReasonCode.ShuttingDown)
        {
            // The silo is leaving the cluster: hand the replica back so that another silo takes it
            // up at once, rather than after the experiment notices it made no progress.
            GrainFactory.GetGrain<IExperimentGrain>(ExperimentId).ReplicaReleasedAsync(Replica).Ignore();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    Task<int> IReplicaGrain.StartAsync(string? submission)
    {
        if (PigmmTelemetry.Parse(submission) is var context && context != default)
        {
            this.submission = context;
        }
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
            if (error is StoreUnavailableException)
            {
                PigmmTelemetry.StoreErrors.Add(1, new KeyValuePair<string, object?>(PigmmTelemetry.StoreErrorKind, "train"));
            }
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
        var span = StartEpochSpan(plan, committedEpoch + 1);
        Task<TrainedEpoch>? next = TrainAsync(Request(plan, committedEpoch + 1, _ => Task.FromResult(state)), span, cancellationToken);
        try
        {
            for (int epoch = committedEpoch + 1; next is not null; epoch++)
            {
                var trained = await next;
                (next, span) = await CompleteEpochAsync(plan, snapshots, epoch, span, trained, cancellationToken);
            }
        }
        catch (Exception error)
        {
            span?.SetStatus(ActivityStatusCode.Error, error.Message);
            throw;
        }
        finally
        {
            span?.Dispose();
        }
    }

    private Activity? StartEpochSpan(ExperimentPlan plan, int epoch) =>
        PigmmTelemetry.StartDetached("pigmm.replica.epoch", default, submission)
            ?.SetTag("pigmm.experiment", plan.Id).SetTag("pigmm.replica", Replica).SetTag("pigmm.epoch", epoch).SetTag("pigmm.silo", RuntimeIdentity);

    /// <summary>The device's training of one epoch, as a child span of the epoch's (waiting for
    /// the device included).</summary>
    private async Task<TrainedEpoch> TrainAsync(EpochRequest request, Activity? epochSpan, CancellationToken cancellationToken)
    {
        using var span = PigmmTelemetry.StartChild("pigmm.replica.train", epochSpan);
        var trained = await device.TrainAsync(request, cancellationToken);
        span?.SetTag("pigmm.diverged", trained.Status.Diverged);
        return trained;
    }

    /// <summary>Asks the device for the next epoch, then commits this one and has it folded.
    /// Kept apart from the loop so that the trained epoch is not held while the next one waits
    /// its turn on the device.</summary>
    /// <returns>The next epoch's training and span; null after the last epoch. This epoch's span ends here.</returns>
    private async Task<(Task<TrainedEpoch>? Next, Activity? Span)> CompleteEpochAsync(
        ExperimentPlan plan, EpochSnapshots snapshots, int epoch, Activity? span, TrainedEpoch trained, CancellationToken cancellationToken)
    {
        // The commit, the progress report and the folds belong to this epoch's trace.
        Activity.Current = span;
        var (commit, contributions) = snapshots.Build(Replica, epoch, trained);
        var commitSpan = PigmmTelemetry.StartChild("pigmm.replica.commit", span);
        var committing = committer.CommitAsync(commit);
        Task<TrainedEpoch>? next = null;
        Activity? nextSpan = null;
        if (epoch < plan.Spec.Epochs)
        {
            var kept = trained.State;
            nextSpan = StartEpochSpan(plan, epoch + 1);
            next = TrainAsync(Request(plan, epoch + 1, kept.Length <= KeptStateLimit
                ? _ => Task.FromResult<ReadOnlyMemory<byte>>(kept)
                : token => StateAfterCommitAsync(committing, epoch, token)), nextSpan, cancellationToken);
        }
        try
        {
            CommitOutcome outcome;
            using (commitSpan)
            {
                outcome = await committing;
                commitSpan?.SetTag("pigmm.commit.outcome", outcome.ToString());
            }
            if (outcome == CommitOutcome.OutOfOrder)
            {
                throw new InvalidDataException($"Replica {Replica} of {plan.Id}: epoch {epoch} was refused as out of order; the stored progress changed under this activation.");
            }
            long committedAt = Stopwatch.GetTimestamp();
            committedEpoch = epoch;
            PigmmTelemetry.ReplicaEpochs.Add(1);
            if (epoch > 0 && trained.Status.DivergedAtEpoch == epoch)
            {
                PigmmTelemetry.DivergedReplicas.Add(1);
            }
            GrainFactory.GetGrain<IExperimentGrain>(plan.Id).ReplicaCommittedAsync(Replica, epoch).Ignore();
            await FoldAsync(plan, epoch, contributions);
            PigmmTelemetry.FoldLag.Record(Stopwatch.GetElapsedTime(committedAt).TotalSeconds);
        }
        catch
        {
            nextSpan?.Dispose();
            throw;
        }
        span?.Dispose();
        return (next, nextSpan);
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
