using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Grains.Commits;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Silo.Tests.Support;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Grains.Tests.Experiments;

/// <summary>
/// The experiment grain, as a client sees it, on a one-silo cluster training a tiny real
/// experiment (4 replicas, 3 epochs of MNIST). The fixture runs it once to the end with a
/// subscriber attached; the tests read that run, refuse bad submissions beside it, and cancel and
/// resume the same experiment in a store of their own.
/// </summary>
public sealed class ExperimentGrainTests(ExperimentGrainTests.FinishedRun run) : IClassFixture<ExperimentGrainTests.FinishedRun>, IDisposable
{
    internal static readonly ExperimentSpec Spec = ExperimentPresets.PaperGaussian with { Replicas = 4, Epochs = 3 };

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private readonly string folder = Directory.CreateTempSubdirectory("pigmm-experiment-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Submitting_an_invalid_spec_fails_with_every_problem_and_stores_nothing()
    {
        // Proves that the whole problem list of SpecException crosses the wire intact and that a refused spec leaves no trace in the store.
        var spec = Spec with { Dataset = "cifar", Replicas = 1, Epochs = 0, Init = "foo" };
        var expected = Assert.Throws<SpecException>(() => ExperimentPlan.Create(spec, name => DatasetCatalog.TryDimensions(name))).Problems;

        var error = await Assert.ThrowsAsync<SpecException>(() => run.Cluster.SubmitAsync(spec));

        Assert.Equal(4, error.Problems.Count);
        Assert.Equal(expected, error.Problems);
        Assert.Contains("spec.dataset: 'cifar' is not a configured dataset", error.Problems);
        Assert.Null(await run.Store.GetExperimentAsync(spec.Id));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => run.Cluster.Grains.GetGrain<IExperimentGrain>(spec.Id).GetStatusAsync());
    }

    [Fact]
    public async Task A_spec_whose_id_is_not_the_grain_key_is_refused()
    {
        // Proves that an experiment grain stores only the spec its key names.
        var keyed = Spec with { Seed = 101 };
        var submitted = Spec with { Seed = 102 };

        var error = await Assert.ThrowsAsync<SpecException>(() => run.Cluster.Grains.GetGrain<IExperimentGrain>(keyed.Id).SubmitAsync(submitted));

        Assert.Equal(new[] { $"spec: its id is {submitted.Id}, not this experiment's {keyed.Id}" }, error.Problems);
        Assert.Null(await run.Store.GetExperimentAsync(keyed.Id));
        Assert.Null(await run.Store.GetExperimentAsync(submitted.Id));
    }

    [Fact]
    public async Task An_unknown_experiment_answers_key_not_found()
    {
        // Proves that asking after an experiment nobody submitted gives the client KeyNotFoundException naming it.
        var grain = run.Cluster.Grains.GetGrain<IExperimentGrain>("0123456789abcdef");

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => grain.GetStatusAsync());

        Assert.Contains("'0123456789abcdef'", error.Message);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => grain.CancelAsync());
        await Assert.ThrowsAsync<KeyNotFoundException>(() => grain.WakeAsync());
    }

    [Fact]
    public async Task The_status_counts_committed_replica_epochs_and_finished_replicas()
    {
        // Proves the status figures of a submission and of the finished run: shape, R (E + 1) replica-epochs, R finished replicas.
        var status = await run.Cluster.Grains.GetGrain<IExperimentGrain>(Spec.Id).GetStatusAsync();

        Assert.Equal(new ExperimentStatus(Spec.Id, ExperimentPhase.Running, 4, 3, 3, 10, 0, 0, Created: true), run.Submitted);
        Assert.Equal(new ExperimentStatus(Spec.Id, ExperimentPhase.Complete, 4, 3, 3, 10, 16, 4, Created: false), status);
        Assert.Equal(status.ReplicaEpochsTotal, status.ReplicaEpochsCommitted);
        Assert.True(status.TrainingComplete);
    }

    [Fact]
    public async Task A_subscriber_receives_progress_and_fits_and_finally_the_complete_status()
    {
        // Proves that an observer subscribed from the client is pushed progress, every complete fit as stored, and a last status that is Complete.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (run.Observer.Statuses.LastOrDefault()?.Phase != ExperimentPhase.Complete)
        {
            Assert.True(DateTime.UtcNow < deadline, "no Complete status was pushed");
            await Task.Delay(50);
        }

        var statuses = run.Observer.Statuses.ToArray();
        Assert.Contains(statuses, s => s.Phase == ExperimentPhase.Running && s.ReplicaEpochsCommitted is > 0 and < 16);
        Assert.All(statuses, s => Assert.InRange(s.ReplicasFinished, 0, s.Replicas));
        Assert.Equal(new ExperimentStatus(Spec.Id, ExperimentPhase.Complete, 4, 3, 3, 10, 16, 4, Created: false), statuses[^1]);
        var complete = run.Observer.Fits.Where(f => f.Complete).ToArray();
        Assert.Equal(run.Fits.Count, complete.Select(f => (f.Layer, f.Epoch)).Distinct().Count());
        foreach (var fit in complete)
        {
            var stored = Document(run.Fits[new EnsembleKey(Spec.Id, fit.Layer, fit.Epoch)]);
            Assert.Equal((Spec.Id, 4L, 0), (fit.ExperimentId, fit.Samples, fit.Diverged));
            Assert.Equal(stored.Params, fit.Parameters);
            Assert.Equal(stored.W2Squared!.SimpleGaussian, fit.W2SquaredToSimpleGaussian);
        }
    }

    [Fact]
    public async Task What_a_duplicate_replica_activation_delivers_again_changes_nothing()
    {
        // Proves that re-activated finished replicas train nothing, and that their epochs committed, folded and reported again write nothing: same change version, fits and status.
        var store = run.Store;
        long version = await store.GetChangeVersionAsync();
        var committer = run.Cluster.Cluster.GetSiloServiceProvider().GetRequiredService<GroupCommitter>();
        var experiment = run.Cluster.Grains.GetGrain<IExperimentGrain>(Spec.Id);

        var outcomes = new List<CommitOutcome>();
        for (int replica = 0; replica < Spec.Replicas; replica++)
        {
            var grain = run.Cluster.Grains.GetGrain<IReplicaGrain>(GrainKeys.Replica(Spec.Id, replica));
            Assert.Equal(Spec.Epochs, await grain.StartAsync(submission: null));
            await run.Cluster.Cluster.DeactivateAsync(grain);
            Assert.Equal(Spec.Epochs, await grain.StartAsync(submission: null));
            for (int epoch = 0; epoch <= Spec.Epochs; epoch++)
            {
                var (commit, contributions) = await StoredCommitAsync(store, replica, epoch);
                outcomes.Add(await committer.CommitAsync(commit));
                for (int layer = 1; layer <= contributions.Count; layer++)
                {
                    var progress = await run.Cluster.Grains.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(Spec.Id, layer, epoch)).FoldAsync(contributions[layer - 1]);
                    Assert.Equal(new EnsembleProgress(4, 0, true, true), progress);
                }
                await experiment.ReplicaCommittedAsync(replica, epoch);
            }
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.All(outcomes, outcome => Assert.Equal(CommitOutcome.AlreadyCommitted, outcome));
        Assert.Equal(version, await store.GetChangeVersionAsync());
        Assert.Equal(run.Fits, await FitsAsync(store));
        Assert.Equal(Spec.Replicas * (Spec.Epochs + 1), (await store.ReadMetricsAsync(Spec.Id)).Count);
        var status = await experiment.GetStatusAsync();
        Assert.Equal((ExperimentPhase.Complete, 16L, 4), (status.Phase, status.ReplicaEpochsCommitted, status.ReplicasFinished));
    }

    [Fact]
    public async Task Cancelling_stops_training_keeps_committed_epochs_and_resuming_gives_the_uninterrupted_fits()
    {
        // Proves that a cancel stops progress at once and loses nothing, and that submitting again finishes with the fits of an uninterrupted run, bit for bit.
        await using var cluster = await InProcessCluster.StartAsync(1, Path.Combine(folder, "cancel.db"));
        await using var store = cluster.OpenStore();
        var experiment = cluster.Grains.GetGrain<IExperimentGrain>(Spec.Id);
        await experiment.SubmitAsync(Spec);
        var deadline = DateTime.UtcNow + Limit;
        while ((await store.GetProgressAsync(Spec.Id)).ReplicaEpochsDone <= Spec.Replicas)
        {
            Assert.True(DateTime.UtcNow < deadline, "no replica committed its first epoch in time");
            await Task.Delay(20);
        }

        var cancelled = await experiment.CancelAsync();
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        var stopped = await store.ListCompletedEpochsAsync(Spec.Id);
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(ExperimentPhase.Cancelled, cancelled.Phase);
        Assert.Equal(stopped, await store.ListCompletedEpochsAsync(Spec.Id));
        long done = stopped.Sum(e => e + 1L);
        Assert.InRange(done, Spec.Replicas + 1, Spec.Replicas * (Spec.Epochs + 1) - 1);
        Assert.Equal(ExperimentLifecycle.Cancelled, (await store.GetExperimentAsync(Spec.Id))!.Lifecycle);
        var status = await experiment.GetStatusAsync();
        Assert.Equal((ExperimentPhase.Cancelled, done, stopped.Count(e => e == Spec.Epochs)), (status.Phase, status.ReplicaEpochsCommitted, status.ReplicasFinished));
        Assert.Equal(done, (await store.ReadMetricsAsync(Spec.Id)).Count);
        for (int epoch = 0; epoch <= Spec.Epochs; epoch++)
        {
            int committed = 0;
            await foreach (var _ in store.ReadSnapshotsAsync(new EnsembleKey(Spec.Id, 2, epoch), 0, Spec.Replicas, includeWeights: true))
            {
                committed++;
            }
            Assert.Equal(stopped.Count(e => e >= epoch), committed);
        }

        var resumed = await experiment.SubmitAsync(Spec);
        var final = await cluster.WaitForCompletionAsync(Spec.Id, Limit);

        Assert.Equal((ExperimentPhase.Running, false), (resumed.Phase, resumed.Created));
        Assert.Equal((ExperimentPhase.Complete, 16L), (final.Phase, final.ReplicaEpochsCommitted));
        Assert.Equal(run.Fits, await FitsAsync(store));
    }

    /// <summary>What a second activation of a replica would deliver for one of its committed
    /// epochs, read back from the store: the commit (with the replica's last checkpoint, as the
    /// store keeps no older one) and each layer's contribution.</summary>
    private static async Task<(ReplicaEpochCommit Commit, IReadOnlyList<ReplicaInvariants> Contributions)> StoredCommitAsync(IPigmmStore store, int replica, int epoch)
    {
        var snapshots = new List<SnapshotRecord>();
        for (int layer = 1; layer <= 3; layer++)
        {
            await foreach (var snapshot in store.ReadSnapshotsAsync(new EnsembleKey(Spec.Id, layer, epoch), replica, 1, includeWeights: true))
            {
                snapshots.Add(snapshot);
            }
        }
        var metrics = (await store.ReadMetricsAsync(Spec.Id)).Single(m => m.Replica == replica && m.Epoch == epoch);
        var checkpoint = (await store.GetCheckpointAsync(Spec.Id, replica))!;
        return (new ReplicaEpochCommit(Spec.Id, replica, epoch, checkpoint.State, snapshots, metrics),
            snapshots.Select(s => new ReplicaInvariants(s.Replica, s.Diverged, s.Invariants)).ToArray());
    }

    private static async Task<Dictionary<EnsembleKey, string>> FitsAsync(IPigmmStore store) =>
        (await store.ListFitsAsync(Spec.Id)).ToDictionary(f => f.Key, f => f.FitJson);

    private static FitDocument Document(string json) => JsonSerializer.Deserialize<FitDocument>(json, FitsJson.Options)!;

    /// <summary>Records what an experiment pushes to it.</summary>
    public sealed class Recorder : IExperimentObserver
    {
        private readonly ConcurrentQueue<ExperimentStatus> statuses = new();
        private readonly ConcurrentQueue<FitSummary> fits = new();

        public IReadOnlyCollection<ExperimentStatus> Statuses => statuses;

        public IReadOnlyCollection<FitSummary> Fits => fits;

        public void OnStatus(ExperimentStatus status) => statuses.Enqueue(status);

        public void OnFit(FitSummary fit) => fits.Enqueue(fit);
    }

    /// <summary>The spec run to the end on a one-silo cluster with a subscriber attached from the
    /// start; its fits are what every other run of the spec must give.</summary>
    public sealed class FinishedRun : IAsyncLifetime
    {
        private readonly string folder = Directory.CreateTempSubdirectory("pigmm-finished-").FullName;
        private IExperimentObserver? subscription;

        internal InProcessCluster Cluster { get; private set; } = null!;

        public SqliteStore Store { get; private set; } = null!;

        public Recorder Observer { get; } = new();

        public ExperimentStatus Submitted { get; private set; } = null!;

        public Dictionary<EnsembleKey, string> Fits { get; private set; } = [];

        public async Task InitializeAsync()
        {
            Cluster = await InProcessCluster.StartAsync(1, Path.Combine(folder, "finished.db"));
            Store = Cluster.OpenStore();
            var experiment = Cluster.Grains.GetGrain<IExperimentGrain>(Spec.Id);
            subscription = Cluster.Grains.CreateObjectReference<IExperimentObserver>(Observer);
            await experiment.SubscribeAsync(subscription);
            Submitted = await experiment.SubmitAsync(Spec);
            await Cluster.WaitForCompletionAsync(Spec.Id, Limit);
            Fits = await FitsAsync(Store);
        }

        public async Task DisposeAsync()
        {
            if (subscription is not null)
            {
                Cluster.Grains.DeleteObjectReference<IExperimentObserver>(subscription);
            }
            await Store.DisposeAsync();
            await Cluster.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}
