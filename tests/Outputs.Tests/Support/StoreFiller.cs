using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Tests.Support;

/// <summary>What <see cref="StoreFiller"/> stores: the experiment's shape, how far it has trained,
/// which raw weights it keeps, and the order in which its fits are published.</summary>
internal sealed record FilledExperiment(string Id, int Replicas = 6, int Epochs = 2, int Layers = 2, int MatrixSize = 4, string Init = "gaussian")
{
    /// <summary>Epochs committed (0..Epochs); all of them by default.</summary>
    public int? CommittedEpochs { get; init; }

    /// <summary>Raw weights kept of these epochs; all of them by default.</summary>
    public Func<int, bool> KeepsWeightsOf { get; init; } = _ => true;

    /// <summary>The (layer, epoch) fits in publish order; every committed one, by layer and epoch, by default.</summary>
    public IReadOnlyList<(int Layer, int Epoch)>? PublishOrder { get; init; }

    public int LastCommittedEpoch => CommittedEpochs ?? Epochs;

    public string SpecJson =>
        $$"""{"dataset":"mnist","hidden_widths":[{{string.Join(",", Enumerable.Repeat(MatrixSize, Layers + 1))}}],"init":"{{Init}}","epochs":{{Epochs}},"replicas":{{Replicas}}}""";

    public ExperimentRecord Record => new(Id, SpecJson, Replicas, Epochs, Layers, MatrixSize, DateTimeOffset.UnixEpoch);
}

/// <summary>
/// Fills a store as a training run would, without a trainer: deterministic Gaussian weights whose
/// spread grows with the epoch, their paper invariants, metrics, and one published fit per
/// (layer, epoch) made by <see cref="EnsembleAnalyzer"/>. Each published fit carries the distances
/// to the fits published before it, as an aggregator that has not yet seen the others would, so
/// they depend on the publish order; readers must recompute them.
/// </summary>
internal static class StoreFiller
{
    public static readonly InvariantCatalog Catalogue = InvariantCatalog.Paper(4);

    private static readonly EnsembleAnalyzer Analyzer = new(Catalogue);

    public static float[] Weights(FilledExperiment experiment, int replica, int layer, int epoch)
    {
        int n = experiment.MatrixSize;
        double variance = (1 + 0.3 * epoch + 0.1 * layer) / n;
        var sampler = new PigmmSampler(new PigmmModel(n, PigmmParameters.Iid(0.05 * epoch, variance, n)));
        return sampler.Sample(new Random(replica * 7919 + layer * 104_729 + epoch * 31))
            .Select(value => (float)value).ToArray();
    }

    public static double[] Invariants(float[] weights, int n)
    {
        var row = new double[Catalogue.Count];
        Catalogue.Compute(weights, n, row);
        return row;
    }

    public static ReplicaMetrics Metrics(int replica, int epoch) =>
        new(replica, epoch, epoch == 0 ? double.NaN : 2.0 / (epoch + 1) + 0.01 * replica, epoch == 0 ? null : 0.8 + 0.05 * epoch + 0.001 * replica, Diverged: false);

    /// <summary>Stores the experiment, commits its epochs and publishes their fits.</summary>
    public static async Task FillAsync(IPigmmStore store, FilledExperiment experiment)
    {
        await store.CreateExperimentAsync(experiment.Record);
        var ensembles = new Dictionary<(int Layer, int Epoch), InvariantAccumulator>();
        for (int epoch = 0; epoch <= experiment.LastCommittedEpoch; epoch++)
        {
            await CommitAsync(store, experiment, epoch, ensembles);
        }
        var order = experiment.PublishOrder ?? [.. ensembles.Keys.OrderBy(key => key.Layer).ThenBy(key => key.Epoch)];
        var published = new Dictionary<(int Layer, int Epoch), PigmmModel>();
        foreach (var key in order)
        {
            await PublishAsync(store, experiment, key.Layer, key.Epoch, ensembles[key], published);
        }
    }

    /// <summary>Commits one more epoch of every replica and publishes its fits, as a run in progress does.</summary>
    public static async Task CommitAndPublishAsync(IPigmmStore store, FilledExperiment experiment, int epoch)
    {
        var ensembles = new Dictionary<(int Layer, int Epoch), InvariantAccumulator>();
        await CommitAsync(store, experiment, epoch, ensembles);
        foreach (var (key, ensemble) in ensembles)
        {
            await PublishAsync(store, experiment, key.Layer, key.Epoch, ensemble, []);
        }
    }

    /// <summary>Commits one epoch of every replica in one group, as a silo sends them.</summary>
    private static async Task CommitAsync(IPigmmStore store, FilledExperiment experiment, int epoch, Dictionary<(int Layer, int Epoch), InvariantAccumulator> ensembles)
    {
        int n = experiment.MatrixSize;
        var commits = new List<ReplicaEpochCommit>();
        for (int replica = 0; replica < experiment.Replicas; replica++)
        {
            var snapshots = new List<SnapshotRecord>();
            for (int layer = 1; layer <= experiment.Layers; layer++)
            {
                var weights = Weights(experiment, replica, layer, epoch);
                var invariants = Invariants(weights, n);
                if (!ensembles.TryGetValue((layer, epoch), out var ensemble))
                {
                    ensembles[(layer, epoch)] = ensemble = new InvariantAccumulator(Catalogue.Key, Catalogue.Count, n);
                }
                ensemble.Add(invariants);
                snapshots.Add(new SnapshotRecord(replica, layer, epoch, experiment.KeepsWeightsOf(epoch) ? weights : null, invariants, Diverged: false));
            }
            commits.Add(new ReplicaEpochCommit(experiment.Id, replica, epoch, new byte[] { (byte)epoch }, snapshots, Metrics(replica, epoch)));
        }
        var outcomes = await store.CommitEpochsAsync(commits);
        if (outcomes.Any(outcome => outcome != CommitOutcome.Committed))
        {
            throw new InvalidOperationException($"The commits of epoch {epoch} were not all written: {string.Join(", ", outcomes)}.");
        }
    }

    private static async Task PublishAsync(IPigmmStore store, FilledExperiment experiment, int layer, int epoch, InvariantAccumulator ensemble, Dictionary<(int Layer, int Epoch), PigmmModel> published)
    {
        var key = new EnsembleKey(experiment.Id, layer, epoch);
        double variance = 1.0 / experiment.MatrixSize;
        var fit = Analyzer.Analyze(ensemble, IidLaw.CentredGaussian(variance));
        published[(layer, epoch)] = fit.Model;
        var (w2, w2Squared) = EnsembleAnalyzer.Distances(fit.Model, ensemble.Count, variance, published.GetValueOrDefault((layer, 0)), published.GetValueOrDefault((layer, epoch - 1)));
        var document = fit.Document with { Layer = layer, Epoch = epoch, W2 = w2, W2Squared = w2Squared };
        var record = new FitRecord(key, ensemble.Count, 0, JsonSerializer.Serialize(document, FitsJson.Options));
        if (!await store.PublishFitAsync(record))
        {
            throw new InvalidOperationException($"The fit of {key} was refused.");
        }
    }
}
