using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Grains;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Silo.Tests;

public sealed class LocalSiloTests : IDisposable
{
    private static readonly Lazy<Dataset> Mnist = new(() => DatasetCatalog.Load("mnist"));
    private readonly string folder = Directory.CreateTempSubdirectory("pigmm-silo-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Trains_every_batch_and_publishes_a_fit_per_layer_and_epoch()
    {
        var spec = ExperimentPresets.PaperGaussian with { Replicas = 4, Epochs = 2, KeepWeightsEvery = 2 };
        await using var store = SqliteStore.Open(Path.Combine(folder, "run.db"));
        await using var silo = new LocalSilo(new GrainServices(store, new CpuTrainerBackend(), _ => Mnist.Value));

        var submitted = await silo.SubmitAsync(spec);
        await silo.RunAsync(spec.Id);
        var status = await silo.Grains.GetGrain<IExperimentGrain>(spec.Id).GetStatusAsync();

        Assert.True(submitted.Created);
        Assert.True(status.TrainingComplete);
        Assert.Equal((4, 2, 3, 10), (status.Replicas, status.Epochs, status.Layers, status.MatrixSize));
        var fits = (await store.ListFitsAsync(spec.Id)).Select(f => JsonSerializer.Deserialize<FitDocument>(f.FitJson, FitsJson.Options)!).ToArray();
        Assert.Equal(3 * 3, fits.Length);
        Assert.All(fits, fit => Assert.Equal((4L, 0, 52), (fit.Samples, fit.Diverged!.Value, fit.Invariants.Count)));
        Assert.All(fits, fit => Assert.NotNull(fit.W2Squared!.SimpleGaussian));
        // Weights are kept at epochs 0 and 2 only (every second epoch), invariants always.
        var kept = new List<int>();
        await foreach (var snapshot in store.ReadWeightsAsync(spec.Id))
        {
            kept.Add(snapshot.Epoch);
        }
        Assert.Equal(new[] { 0, 2 }, kept.Distinct().Order());
        Assert.Equal(4 * 2 * 3, kept.Count);
        var metrics = await store.ReadMetricsAsync(spec.Id);
        Assert.Equal(4 * 3, metrics.Count);
        Assert.All(metrics.Where(m => m.Epoch == 2), m => Assert.InRange(m.TestAccuracy!.Value, 0.5, 1));
    }

    [Fact]
    public async Task Diverged_replicas_are_excluded_from_the_fits_and_counted()
    {
        var spec = ExperimentPresets.PaperGaussian with { Replicas = 4, Epochs = 2 };
        await using var store = SqliteStore.Open(Path.Combine(folder, "diverged.db"));
        await using var silo = new LocalSilo(new GrainServices(store, new DivergingBackend(divergingReplica: 2), _ => Mnist.Value));

        await silo.SubmitAsync(spec);
        await silo.RunAsync(spec.Id);

        var metrics = await store.ReadMetricsAsync(spec.Id);
        Assert.Equal(new[] { 2, 2 }, metrics.Where(m => m.Diverged).Select(m => m.Replica));
        Assert.All(metrics.Where(m => m.Diverged), m => Assert.Null(m.TestAccuracy));
        var fits = (await store.ListFitsAsync(spec.Id)).Select(f => JsonSerializer.Deserialize<FitDocument>(f.FitJson, FitsJson.Options)!).ToArray();
        Assert.All(fits.Where(f => f.Epoch == 0), f => Assert.Equal((4L, 0), (f.Samples, f.Diverged!.Value)));
        Assert.All(fits.Where(f => f.Epoch > 0), f => Assert.Equal((3L, 1), (f.Samples, f.Diverged!.Value)));
    }

    /// <summary>The CPU trainer, except that one replica reports divergence from its first epoch on.</summary>
    private sealed class DivergingBackend(int divergingReplica) : ITrainerBackend
    {
        private readonly CpuTrainerBackend cpu = new();

        public string Name => "diverging cpu";

        public IEnsembleTrainer Create(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas) =>
            new DivergingTrainer(cpu.Create(spec, dataset, replicas), divergingReplica);
    }

    private sealed class DivergingTrainer(IEnsembleTrainer inner, int divergingReplica) : IEnsembleTrainer
    {
        public TrainingSpec Spec => inner.Spec;

        public NetworkShape Shape => inner.Shape;

        public IReadOnlyList<int> Replicas => inner.Replicas;

        public string Backend => inner.Backend;

        public void TrainEpoch(IProgress<int>? progress = null, CancellationToken cancellationToken = default) => inner.TrainEpoch(progress, cancellationToken);

        public ReplicaStatus Status(int slot)
        {
            var status = inner.Status(slot);
            return Replicas[slot] == divergingReplica && status.EpochsCompleted > 0 ? status with { DivergedAtEpoch = 1 } : status;
        }

        public void CopyWeights(int slot, int layer, Span<float> destination) => inner.CopyWeights(slot, layer, destination);

        public IReadOnlyList<double> EvaluateTestAccuracy(CancellationToken cancellationToken = default) => inner.EvaluateTestAccuracy(cancellationToken);

        public byte[] ExportState(int slot) => inner.ExportState(slot);

        public void ImportState(int slot, ReadOnlySpan<byte> state) => inner.ImportState(slot, state);

        public void Dispose() => inner.Dispose();
    }
}
