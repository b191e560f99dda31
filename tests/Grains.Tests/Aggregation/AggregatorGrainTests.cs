using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Silo.Tests.Support;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Grains.Tests.Aggregation;

/// <summary>
/// The aggregator grain on a one-silo cluster, fed by the test client and by rows committed to the
/// store directly. Every test has an experiment of its own (its own seed), stored cancelled before
/// the cluster starts so that no replica trains: an aggregator needs nothing but the stored spec.
/// </summary>
public sealed class AggregatorGrainTests(AggregatorGrainTests.Ensembles ensembles) : IClassFixture<AggregatorGrainTests.Ensembles>
{
    private const int Replicas = 12;
    private const int DivergedReplica = 7;

    [Fact]
    public async Task Duplicated_and_reordered_folds_count_every_replica_exactly_once()
    {
        // Proves that repeated and out-of-order deliveries fold each replica once: the counts, and the published fit of the 11 finite replicas.
        var plan = ensembles.Plan(seed: 1);
        var aggregator = ensembles.Aggregator(plan, layer: 2);

        var folded = new List<int>();
        foreach (var (first, count) in new[] { (8, 4), (0, 3), (8, 4), (2, 5), (0, 12), (11, 1), (0, 12) })
        {
            folded.Add((await FoldAsync(plan, layer: 2, Enumerable.Range(first, count)))[^1].Folded);
        }

        Assert.Equal(new[] { 4, 7, 7, 11, 12, 12, 12 }, folded);
        Assert.Equal(new EnsembleProgress(12, 1, true, true), await aggregator.FoldAsync(Contribution(plan, 3, layer: 2)));
        var fit = await ensembles.FitAsync(plan, layer: 2);
        Assert.Equal((Replicas - 1L, 1, (long)Replicas), (fit.Samples, fit.Diverged, fit.Folded));
        Assert.Equal(ExpectedParameters(plan, layer: 2, Enumerable.Range(0, Replicas)), Document(fit).Params);
    }

    [Fact]
    public async Task The_fit_depends_only_on_the_set_of_replicas_folded()
    {
        // Proves that folding the same rows in order, or concurrently in a scattered order with repeats, publishes the same fit document bit for bit.
        var inOrder = ensembles.Plan(seed: 2);
        var scattered = ensembles.Plan(seed: 3);

        await FoldAsync(inOrder, layer: 1, Enumerable.Range(0, Replicas));
        await Task.WhenAll(new[] { 11, 3, 5, 0, 9, 1, 10, 2, 4, 8, 6, 7, 3, 11, 0 }
            .Select(replica => ensembles.Aggregator(scattered, layer: 1).FoldAsync(Contribution(scattered, replica, layer: 1))));

        var expected = await ensembles.FitAsync(inOrder, layer: 1);
        var actual = await ensembles.FitAsync(scattered, layer: 1);
        Assert.Equal(expected.FitJson, actual.FitJson);
        Assert.Equal(
            await ensembles.Aggregator(inOrder, layer: 1).GetCompleteParametersAsync(),
            await ensembles.Aggregator(scattered, layer: 1).GetCompleteParametersAsync());
    }

    [Fact]
    public async Task A_diverged_contribution_is_counted_and_never_fitted()
    {
        // Proves that a diverged replica adds to Folded and Diverged but not to the fitted matrices: one finite matrix makes no fit.
        var plan = ensembles.Plan(seed: 4);
        var aggregator = ensembles.Aggregator(plan, layer: 1);

        await aggregator.FoldAsync(Contribution(plan, 0, layer: 1));
        var progress = await aggregator.FoldAsync(new ReplicaInvariants(DivergedReplica, Diverged: true, Invariants: null));

        Assert.Equal(new EnsembleProgress(2, 1, false, false), progress);
        Assert.Null(await aggregator.GetCompleteParametersAsync());
        await FoldAsync(plan, layer: 1, [2, 3, 4, 5]);
        var parameters = await aggregator.GetCompleteParametersAsync();
        var fit = await ensembles.FitAsync(plan, layer: 1);
        Assert.Equal(ExpectedParameters(plan, layer: 1, [0, 2, 3, 4, 5]), parameters);
        Assert.Equal((5L, 1), (fit.Samples, fit.Diverged));
        Assert.Equal(parameters, Document(fit).Params);
    }

    [Fact]
    public async Task A_bad_contribution_is_refused_with_an_argument_exception_across_the_wire()
    {
        // Proves that a replica out of range or an invariant row of the wrong length reaches the client as ArgumentException and folds nothing.
        var plan = ensembles.Plan(seed: 5);
        var aggregator = ensembles.Aggregator(plan, layer: 1);
        var row = Row(plan, 0, layer: 1);

        var outOfRange = await Assert.ThrowsAsync<ArgumentException>(() => aggregator.FoldAsync(new ReplicaInvariants(Replicas, false, row)));
        var negative = await Assert.ThrowsAsync<ArgumentException>(() => aggregator.FoldAsync(new ReplicaInvariants(-1, false, row)));
        var shortRow = await Assert.ThrowsAsync<ArgumentException>(() => aggregator.FoldAsync(new ReplicaInvariants(0, false, row[..^1])));
        var noRow = await Assert.ThrowsAsync<ArgumentException>(() => aggregator.FoldAsync(new ReplicaInvariants(0, false, null)));

        Assert.Contains($"Replica {Replicas} is outside 0..{Replicas - 1}", outOfRange.Message);
        Assert.Contains("Replica -1 is outside", negative.Message);
        Assert.Contains($"brings {row.Length - 1} invariants; the catalogue has {row.Length}", shortRow.Message);
        Assert.Contains($"brings 0 invariants", noRow.Message);
        Assert.Equal(new EnsembleProgress(1, 0, false, false), await aggregator.FoldAsync(Contribution(plan, 0, layer: 1)));
    }

    [Fact]
    public async Task Complete_folds_from_the_store_the_committed_rows_no_call_delivered()
    {
        // Proves that CompleteAsync reads the replicas only the store holds, folds none of the delivered ones again, and publishes the complete fit.
        var plan = ensembles.Plan(seed: 6);
        await FoldAsync(plan, layer: 3, Enumerable.Range(0, 4));

        await ensembles.CommitEpochZeroAsync(plan, Enumerable.Range(0, Replicas));
        var progress = await ensembles.Aggregator(plan, layer: 3).CompleteAsync();

        Assert.Equal(new EnsembleProgress(12, 1, true, true), progress);
        var fit = await ensembles.FitAsync(plan, layer: 3);
        Assert.Equal((Replicas - 1L, 1), (fit.Samples, fit.Diverged));
        Assert.Equal(ExpectedParameters(plan, layer: 3, Enumerable.Range(0, Replicas)), Document(fit).Params);
        Assert.Equal(0, Document(fit).W2!.Epoch0);
    }

    [Fact]
    public async Task A_reactivated_aggregator_rebuilds_from_the_stored_rows_and_folds_nothing_twice()
    {
        // Proves that a new activation folds the committed rows on activation, so deliveries repeated after it count nothing twice.
        var plan = ensembles.Plan(seed: 7);
        await FoldAsync(plan, layer: 2, Enumerable.Range(0, 6));
        await ensembles.CommitEpochZeroAsync(plan, Enumerable.Range(0, 8));

        await ensembles.Cluster.Cluster.DeactivateAsync(ensembles.Aggregator(plan, layer: 2));
        var again = await FoldAsync(plan, layer: 2, Enumerable.Range(0, Replicas));

        Assert.All(again.Take(8), progress => Assert.Equal((8, 1), (progress.Folded, progress.Diverged)));
        Assert.Equal(new[] { 9, 10, 11, 12 }, again.Skip(8).Select(p => p.Folded));
        var fit = await ensembles.FitAsync(plan, layer: 2);
        Assert.Equal((Replicas - 1L, 1), (fit.Samples, fit.Diverged));
        Assert.Equal(ExpectedParameters(plan, layer: 2, Enumerable.Range(0, Replicas)), Document(fit).Params);
    }

    /// <summary>Delivers the contributions of <paramref name="replicas"/> to the (layer, epoch 0) aggregator one call after another; the progress after each.</summary>
    private async Task<List<EnsembleProgress>> FoldAsync(ExperimentPlan plan, int layer, IEnumerable<int> replicas)
    {
        var progress = new List<EnsembleProgress>();
        foreach (int replica in replicas)
        {
            progress.Add(await ensembles.Aggregator(plan, layer).FoldAsync(Contribution(plan, replica, layer)));
        }
        return progress;
    }

    /// <summary>The invariant row of a made-up 10 x 10 matrix of one replica and layer, the same in every experiment.</summary>
    private static double[] Row(ExperimentPlan plan, int replica, int layer)
    {
        var random = new Random(100 * layer + replica);
        var matrix = Enumerable.Range(0, plan.MatrixSize * plan.MatrixSize).Select(_ => random.NextDouble() - 0.5).ToArray();
        var row = new double[plan.Catalogue.Count];
        plan.Catalogue.Compute(matrix, plan.MatrixSize, row);
        return row;
    }

    /// <summary>What a replica brings to an ensemble: its row, or nothing if it is the diverged one.</summary>
    private static ReplicaInvariants Contribution(ExperimentPlan plan, int replica, int layer) =>
        replica == DivergedReplica
            ? new ReplicaInvariants(replica, Diverged: true, Invariants: null)
            : new ReplicaInvariants(replica, Diverged: false, Row(plan, replica, layer));

    /// <summary>f1..f13 of the fit of the finite replicas among <paramref name="replicas"/>, each counted once.</summary>
    private static IReadOnlyList<double> ExpectedParameters(ExperimentPlan plan, int layer, IEnumerable<int> replicas)
    {
        var accumulator = new InvariantAccumulator(plan.Catalogue.Key, plan.Catalogue.Count, plan.MatrixSize);
        foreach (int replica in replicas.Where(r => r != DivergedReplica))
        {
            accumulator.Add(Row(plan, replica, layer));
        }
        return new EnsembleAnalyzer(plan.Catalogue).Analyze(accumulator, plan.InitialLaw).Document.Params;
    }

    private static FitDocument Document(FitRecord fit) => JsonSerializer.Deserialize<FitDocument>(fit.FitJson, FitsJson.Options)!;

    /// <summary>A one-silo cluster over a store that holds, cancelled, one experiment of 12 replicas per seed.</summary>
    public sealed class Ensembles : IAsyncLifetime
    {
        private const int Seeds = 7;

        private readonly string folder = Directory.CreateTempSubdirectory("pigmm-aggregator-").FullName;
        private readonly Dictionary<int, ExperimentPlan> plans = [];

        internal InProcessCluster Cluster { get; private set; } = null!;

        public SqliteStore Store { get; private set; } = null!;

        public ExperimentPlan Plan(int seed) => plans[seed];

        /// <summary>The aggregator of (layer, epoch 0) of the experiment.</summary>
        public IAggregatorGrain Aggregator(ExperimentPlan plan, int layer) =>
            Cluster.Grains.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(plan.Id, layer, 0));

        public async Task<FitRecord> FitAsync(ExperimentPlan plan, int layer) =>
            (await Store.ListFitsAsync(plan.Id)).Single(f => f.Key.Layer == layer && f.Key.Epoch == 0);

        /// <summary>Commits epoch 0 of <paramref name="replicas"/> with the rows of <see cref="Row"/> (one replica diverged).</summary>
        public async Task CommitEpochZeroAsync(ExperimentPlan plan, IEnumerable<int> replicas)
        {
            var commits = replicas.Select(replica => new ReplicaEpochCommit(plan.Id, replica, 0, new byte[] { 1 },
                Enumerable.Range(1, plan.Layers).Select(layer => replica == DivergedReplica
                    ? new SnapshotRecord(replica, layer, 0, null, null, Diverged: true)
                    : new SnapshotRecord(replica, layer, 0, null, Row(plan, replica, layer), Diverged: false)).ToArray(),
                new ReplicaMetrics(replica, 0, double.NaN, replica == DivergedReplica ? null : 0.1, replica == DivergedReplica))).ToArray();
            Assert.All(await Store.CommitEpochsAsync(commits), outcome => Assert.Equal(CommitOutcome.Committed, outcome));
        }

        public async Task InitializeAsync()
        {
            string path = Path.Combine(folder, "aggregators.db");
            await using (var store = SqliteStore.Open(path))
            {
                for (int seed = 1; seed <= Seeds; seed++)
                {
                    var spec = ExperimentPresets.PaperGaussian with { Replicas = Replicas, Epochs = 1, Seed = seed };
                    var plan = ExperimentPlan.Create(spec, name => DatasetCatalog.TryDimensions(name));
                    Assert.True(await store.CreateExperimentAsync(plan.ToRecord(DateTimeOffset.UtcNow)));
                    await store.SetLifecycleAsync(plan.Id, ExperimentLifecycle.Cancelled);
                    plans[seed] = plan;
                }
            }
            Cluster = await InProcessCluster.StartAsync(1, path);
            Store = Cluster.OpenStore();
        }

        public async Task DisposeAsync()
        {
            await Store.DisposeAsync();
            await Cluster.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}
