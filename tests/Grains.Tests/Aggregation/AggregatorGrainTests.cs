using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Silo;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Grains.Tests.Aggregation;

public sealed class AggregatorGrainTests : IDisposable
{
    private const int Replicas = 12;
    private const int DivergedReplica = 7;
    private static readonly Lazy<Dataset> Mnist = new(() => DatasetCatalog.Load("mnist"));
    private static readonly ExperimentSpec Spec = ExperimentPresets.PaperGaussian with { Replicas = Replicas, Epochs = 1 };
    private readonly string folder = Directory.CreateTempSubdirectory("pigmm-grains-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Duplicated_and_reordered_deliveries_fold_every_replica_exactly_once()
    {
        await using var silo = await SiloWithEpochZeroAsync("dup.db");
        var aggregator = silo.Grains.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(Spec.Id, 2, 0));

        var progress = new List<EnsembleProgress>();
        foreach (var (first, count) in new[] { (8, 4), (0, 3), (8, 4), (2, 5), (0, 12), (11, 1), (0, 12) })
        {
            progress.Add(await aggregator.FoldAsync(first, count));
        }

        Assert.Equal(new[] { 4, 7, 7, 11, 12, 12, 12 }, progress.Select(p => p.Folded));
        Assert.Equal(new EnsembleProgress(12, 1, true), progress[^1]);
        var fit = await PublishedFitAsync(silo, layer: 2);
        Assert.Equal((Replicas - 1L, 1), (fit.Samples, fit.Diverged!.Value));
        Assert.Equal(Expected(layer: 2).Document.Params, fit.Params);
    }

    [Fact]
    public async Task The_fit_depends_only_on_the_set_of_replicas_folded()
    {
        await using var inOrder = await SiloWithEpochZeroAsync("in-order.db");
        await using var scattered = await SiloWithEpochZeroAsync("scattered.db");

        await inOrder.Grains.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(Spec.Id, 1, 0)).FoldAsync(0, Replicas);
        var aggregator = scattered.Grains.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(Spec.Id, 1, 0));
        foreach (int replica in new[] { 11, 3, 5, 0, 9, 1, 10, 2, 4, 8, 6, 7, 3 })
        {
            await aggregator.FoldAsync(replica, 1);
        }

        var expected = (await inOrder.Grains.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(Spec.Id, 1, 0)).GetFitParametersAsync())!;
        Assert.Equal(expected, await aggregator.GetFitParametersAsync());
        Assert.Equal((await PublishedFitAsync(inOrder, 1)).Invariants, (await PublishedFitAsync(scattered, 1)).Invariants);
    }

    [Fact]
    public async Task A_restarted_silo_continues_from_the_stored_state()
    {
        string path = Path.Combine(folder, "restart.db");
        await using (var first = await SiloWithEpochZeroAsync("restart.db"))
        {
            await first.Grains.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(Spec.Id, 3, 0)).FoldAsync(0, 6);
        }
        var store = SqliteStore.Open(path);
        await using var second = new Host(new LocalSilo(Services(store)), store);

        var progress = await second.Grains.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(Spec.Id, 3, 0)).FoldAsync(0, Replicas);

        Assert.Equal(new EnsembleProgress(12, 1, true), progress);
        Assert.Equal(Expected(layer: 3).Document.Params, (await PublishedFitAsync(second, 3)).Params);
    }

    [Fact]
    public async Task Fewer_than_two_finite_matrices_publish_no_fit()
    {
        await using var silo = await SiloWithEpochZeroAsync("few.db");
        var aggregator = silo.Grains.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(Spec.Id, 1, 0));

        var progress = await aggregator.FoldAsync(DivergedReplica - 1, 2);

        Assert.Equal(new EnsembleProgress(2, 1, false), progress);
        Assert.Null(await aggregator.GetFitParametersAsync());
    }

    /// <summary>A silo and its store, disposed together.</summary>
    private sealed record Host(LocalSilo Silo, IPigmmStore Store) : IAsyncDisposable
    {
        public IGrainFactory Grains => Silo.Grains;

        public async ValueTask DisposeAsync()
        {
            await Silo.DisposeAsync();
            await Store.DisposeAsync();
        }
    }

    private static GrainServices Services(IPigmmStore store) =>
        new(store, new CpuTrainerBackend(), _ => Mnist.Value) { LeaseDuration = TimeSpan.FromSeconds(10) };

    /// <summary>A silo whose store holds epoch 0 of every replica (synthetic matrices, one replica diverged), not yet folded.</summary>
    private async Task<Host> SiloWithEpochZeroAsync(string file)
    {
        var store = SqliteStore.Open(Path.Combine(folder, file));
        var silo = new LocalSilo(Services(store));
        await silo.SubmitAsync(Spec);
        var lease = (await store.TryClaimAsync("test", TimeSpan.FromMinutes(1), Spec.Id))!;
        var snapshots = new List<SnapshotRecord>();
        var metrics = new List<ReplicaMetrics>();
        for (int replica = 0; replica < Replicas; replica++)
        {
            for (int layer = 1; layer <= 3; layer++)
            {
                snapshots.Add(replica == DivergedReplica
                    ? new SnapshotRecord(replica, layer, 0, null, null, true)
                    : new SnapshotRecord(replica, layer, 0, null, Invariants(replica, layer), false));
            }
            metrics.Add(new ReplicaMetrics(replica, 0, double.NaN, replica == DivergedReplica ? null : 0.1, replica == DivergedReplica));
        }
        Assert.True(await store.CommitEpochAsync(lease, new EpochCommit(0, new byte[] { 1 }, snapshots, metrics)));
        return new Host(silo, store);
    }

    private static double[] Invariants(int replica, int layer)
    {
        var random = new Random(100 * layer + replica);
        var matrix = Enumerable.Range(0, 100).Select(_ => random.NextDouble() - 0.5).ToArray();
        var row = new double[52];
        InvariantCatalog.Paper(4).Compute(matrix, 10, row);
        return row;
    }

    private static EnsembleFit Expected(int layer)
    {
        var accumulator = new InvariantAccumulator("paper-d4", 52, 10);
        foreach (int replica in Enumerable.Range(0, Replicas).Where(r => r != DivergedReplica))
        {
            accumulator.Add(Invariants(replica, layer));
        }
        return new EnsembleAnalyzer(InvariantCatalog.Paper(4)).Analyze(accumulator);
    }

    private static async Task<FitDocument> PublishedFitAsync(Host host, int layer)
    {
        var record = (await host.Store.ListFitsAsync(Spec.Id)).Single(f => f.Key.Layer == layer && f.Key.Epoch == 0);
        return JsonSerializer.Deserialize<FitDocument>(record.FitJson, FitsJson.Options)!;
    }
}
