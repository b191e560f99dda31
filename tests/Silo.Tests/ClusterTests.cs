using System.Text.Json;
using Orleans.Runtime;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Silo.Tests.Support;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo.Tests;

/// <summary>
/// One experiment run on Orleans test clusters of one and of three silos, uninterrupted and with
/// a silo killed abruptly mid-run: the fits are the same bits every time, every replica-epoch is
/// committed once and every ensemble folds every replica once.
/// </summary>
public sealed class ClusterTests(ClusterTests.ReferenceRun reference) : IClassFixture<ClusterTests.ReferenceRun>, IDisposable
{
    /// <summary>Long enough (about 170 replica-epochs) for a kill to land mid-run.</summary>
    internal static readonly ExperimentSpec Spec = ExperimentPresets.PaperGaussian with { Replicas = 24, Epochs = 6, KeepWeightsEvery = 3 };

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    /// <summary>A test that outlives its waits fails instead of holding up the suite.</summary>
    private const int TestTimeout = 6 * 60 * 1000;

    private readonly string folder = Directory.CreateTempSubdirectory("pigmm-cluster-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact(Timeout = TestTimeout)]
    public async Task One_silo_trains_commits_every_replica_epoch_once_and_publishes_complete_fits()
    {
        // Proves the reference run itself: complete, every replica-epoch and fold accounted for, retention kept.
        await using var store = Sqlite(reference.StorePath);
        await AssertEverythingCountedOnceAsync(store);
        var kept = new List<int>();
        await foreach (var snapshot in store.ReadWeightsAsync(Spec.Id))
        {
            kept.Add(snapshot.Epoch);
        }
        Assert.Equal(new[] { 0, 3, 6 }, kept.Distinct().Order());
        Assert.Equal(Spec.Replicas * 3 * 3, kept.Count);
        Assert.All(reference.Fits.Values, json => Assert.NotNull(Document(json).W2Squared!.SimpleGaussian));
    }

    [Fact(Timeout = TestTimeout)]
    public Task Three_silos_give_the_fits_of_one_silo_bit_for_bit() =>
        // Proves placement over several silos changes no bit of any fit.
        RunOnThreeSilosAsync("three.db", fault: null);

    [Fact(Timeout = TestTimeout)]
    public Task A_silo_killed_mid_run_loses_nothing_and_counts_nothing_twice() =>
        // Proves that the replicas of a silo that dies re-activate elsewhere from their last checkpoint with no client action.
        RunOnThreeSilosAsync("killed.db", async cluster =>
        {
            await WaitForCommitsAsync(cluster, Spec.Replicas * 2);
            await cluster.Cluster.KillSiloAsync(cluster.Cluster.SecondarySilos[0]);
        });

    [Fact(Timeout = TestTimeout)]
    public Task A_silo_stopped_gracefully_mid_run_hands_its_replicas_back_and_loses_nothing() =>
        // Proves the graceful leave: the stopping silo's replicas abandon their epoch in flight and resume elsewhere.
        RunOnThreeSilosAsync("stopped.db", async cluster =>
        {
            await WaitForCommitsAsync(cluster, Spec.Replicas * 2);
            await cluster.Cluster.StopSiloAsync(cluster.Cluster.SecondarySilos[0]);
        });

    [Fact(Timeout = TestTimeout)]
    public Task Killing_the_silo_of_the_experiment_grain_loses_nothing() =>
        // Proves that the silos' sweep re-activates an experiment whose grain died with its silo.
        RunOnThreeSilosAsync("experiment-killed.db", async cluster =>
        {
            var host = await HostOffPrimaryAsync(cluster, cluster.Grains.GetGrain<IExperimentGrain>(Spec.Id));
            await WaitForCommitsAsync(cluster, Spec.Replicas * 2);
            await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos.Single(s => s.SiloAddress.Equals(host)));
        });

    [Fact(Timeout = TestTimeout)]
    public async Task A_diverged_replica_is_counted_and_never_fitted()
    {
        // Proves divergence handling: the replica commits every epoch marked diverged, each fit after epoch 0 excludes it and counts it.
        var spec = ExperimentPresets.PaperGaussian with { Replicas = 4, Epochs = 2 };
        await using var cluster = await InProcessCluster.StartAsync(1, Path.Combine(folder, "diverged.db"), divergingReplica: 2);
        await cluster.SubmitAsync(spec);
        await cluster.WaitForCompletionAsync(spec.Id, Limit);

        await using var store = cluster.OpenStore();
        var metrics = await store.ReadMetricsAsync(spec.Id);
        Assert.Equal(new[] { 2, 2 }, metrics.Where(m => m.Diverged).Select(m => m.Replica));
        Assert.All(metrics.Where(m => m.Diverged), m => Assert.Null(m.TestAccuracy));
        var fits = (await store.ListFitsAsync(spec.Id)).Select(f => Document(f.FitJson)).ToArray();
        Assert.Equal(3 * 3, fits.Length);
        Assert.All(fits.Where(f => f.Epoch == 0), f => Assert.Equal((4L, 0), (f.Samples, f.Diverged!.Value)));
        Assert.All(fits.Where(f => f.Epoch > 0), f => Assert.Equal((3L, 1), (f.Samples, f.Diverged!.Value)));
    }

    /// <summary>Runs <see cref="Spec"/> on three silos, with <paramref name="fault"/> injected after
    /// the submission, and checks that it completes by itself with the reference fits, bit for bit.</summary>
    private async Task RunOnThreeSilosAsync(string storeName, Func<InProcessCluster, Task>? fault)
    {
        await using var cluster = await InProcessCluster.StartAsync(3, Path.Combine(folder, storeName));
        await cluster.SubmitAsync(Spec);
        if (fault is not null)
        {
            await fault(cluster);
        }
        var status = await cluster.WaitForCompletionAsync(Spec.Id, Limit);

        Assert.Equal(ExperimentPhase.Complete, status.Phase);
        await using var store = cluster.OpenStore();
        await AssertEverythingCountedOnceAsync(store);
        Assert.Equal(reference.Fits, await FitsAsync(store));
    }

    /// <summary>Every replica finished, one metrics row per replica-epoch, every fit accounting for every replica exactly once.</summary>
    private static async Task AssertEverythingCountedOnceAsync(IPigmmStore store)
    {
        Assert.All(await store.ListCompletedEpochsAsync(Spec.Id), epoch => Assert.Equal(Spec.Epochs, epoch));
        Assert.Equal(Spec.Replicas * (Spec.Epochs + 1), (await store.ReadMetricsAsync(Spec.Id)).Count);
        var fits = await store.ListFitsAsync(Spec.Id);
        Assert.Equal(3 * (Spec.Epochs + 1), fits.Count);
        Assert.All(fits, fit => Assert.Equal(Spec.Replicas, fit.Folded));
        Assert.Equal(ExperimentLifecycle.Complete, (await store.GetExperimentAsync(Spec.Id))!.Lifecycle);
    }

    private static async Task WaitForCommitsAsync(InProcessCluster cluster, long replicaEpochs)
    {
        await using var store = cluster.OpenStore();
        var deadline = DateTime.UtcNow + Limit;
        while ((await store.GetProgressAsync(Spec.Id)).ReplicaEpochsDone < replicaEpochs)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {replicaEpochs} replica-epochs were committed in time");
            await Task.Delay(50);
        }
        Assert.False((await store.GetProgressAsync(Spec.Id)).IsComplete, "the run finished before the fault could land mid-run");
    }

    /// <summary>The silo of <paramref name="grain"/>'s activation, moved off the primary silo
    /// first if it is there (the test cluster's membership lives on the primary, which must stay).</summary>
    private static async Task<SiloAddress> HostOffPrimaryAsync(InProcessCluster cluster, IExperimentGrain grain)
    {
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        var primary = cluster.Cluster.Primary!.SiloAddress;
        var target = cluster.Cluster.SecondarySilos[0].SiloAddress;
        for (int attempt = 0; attempt < 50; attempt++)
        {
            await grain.GetStatusAsync();
            var host = await management.GetActivationAddress(grain);
            if (host is not null && !host.Equals(primary))
            {
                return host;
            }
            await cluster.Cluster.MigrateAsync(grain, target);
        }
        throw new InvalidOperationException("The experiment grain could not be moved off the primary silo.");
    }

    private static Storage.Sqlite.SqliteStore Sqlite(string path) => Storage.Sqlite.SqliteStore.Open(path);

    private static async Task<Dictionary<EnsembleKey, string>> FitsAsync(IPigmmStore store) =>
        (await store.ListFitsAsync(Spec.Id)).ToDictionary(f => f.Key, f => f.FitJson);

    private static FitDocument Document(string json) => JsonSerializer.Deserialize<FitDocument>(json, FitsJson.Options)!;

    /// <summary>The experiment run once on a one-silo cluster: the fits every other run must equal.</summary>
    public sealed class ReferenceRun : IAsyncLifetime
    {
        private readonly string folder = Directory.CreateTempSubdirectory("pigmm-reference-").FullName;

        public string StorePath => Path.Combine(folder, "one.db");

        public Dictionary<EnsembleKey, string> Fits { get; private set; } = [];

        public async Task InitializeAsync()
        {
            await using var cluster = await InProcessCluster.StartAsync(1, StorePath);
            await cluster.SubmitAsync(Spec);
            await cluster.WaitForCompletionAsync(Spec.Id, Limit);
            await using var store = cluster.OpenStore();
            Fits = await FitsAsync(store);
        }

        public Task DisposeAsync()
        {
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        }
    }
}
