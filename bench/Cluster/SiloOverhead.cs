using System.Diagnostics;
using System.Globalization;
using OrleansPigmm.Benchmarks.Harness;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Grains.Commits;
using OrleansPigmm.Silo.Hosting;
using OrleansPigmm.Silo.Training;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansPigmm.Benchmarks.Cluster;

/// <summary>What the silo overhead benchmark runs.</summary>
/// <param name="Replicas">Replicas R of the paper's net.</param>
/// <param name="Epochs">Epochs E of the trained run.</param>
/// <param name="Trainer">Threads and vector width.</param>
/// <param name="DataDirectory">Data folder, or null for the default.</param>
public sealed record SiloOverheadOptions(int Replicas, int Epochs, TrainerOptions Trainer, string? DataDirectory);

/// <summary>
/// What Orleans, the commits and the refits cost on top of training, for the paper's net in
/// local mode (one silo in this process, the embedded store in a temporary folder): the same
/// replicas trained for E epochs by the bare trainer (each epoch followed by the test-accuracy
/// evaluation the silo makes too), then through the silo, timed from the moment every replica's
/// epoch 0 is committed to the end (the ratio of the two rates is what the silo costs), then
/// through the silo with training and evaluation replaced by nothing (what is left per
/// replica-epoch is the grain calls, the group commit, the invariants, the folds and the refits).
/// </summary>
public static class SiloOverhead
{
    public static async Task RunAsync(SiloOverheadOptions options, TextWriter output)
    {
        var dataset = DatasetCatalog.Load("mnist", options.DataDirectory);
        var spec = ExperimentPresets.PaperGaussian with { Replicas = options.Replicas, Epochs = options.Epochs };
        output.WriteLine(Invariant(
            $"Silo overhead: paper net 784-10-10-10-10, R = {spec.Replicas}, E = {spec.Epochs}, {options.Trainer.Threads} training threads; local mode, embedded store."));

        double bare = BareTrainingRate(spec, dataset, options.Trainer);
        long trainedEpochs = (long)spec.Replicas * spec.Epochs;
        var trained = await ThroughSiloAsync(spec, dataset, options, train: true);
        var untrained = await ThroughSiloAsync(spec with { Seed = spec.Seed + 1 }, dataset, options, train: false);

        long replicaEpochs = (long)spec.Replicas * (spec.Epochs + 1);
        var table = new TextTable("run", "epochs 1..E seconds", "replica-epochs/s", "whole run", "commit groups", "commits per group");
        table.Add("bare trainer, train + test", Units.Seconds(trainedEpochs / bare), Invariant($"{bare:F1}"), "", "", "");
        foreach (var (name, run) in new[] { ("silo, trained", trained), ("silo, training skipped", untrained) })
        {
            table.Add(name, Units.Seconds(run.TrainedSeconds), Invariant($"{trainedEpochs / run.TrainedSeconds:F1}"), Units.Seconds(run.Seconds),
                Invariant($"{run.Groups}"), Invariant($"{(double)run.Commits / Math.Max(run.Groups, 1):F0}"));
        }
        table.WriteTo(output);
        double overhead = untrained.Seconds / replicaEpochs;
        output.WriteLine(Invariant(
            $"Per replica-epoch with training skipped (its state through the device, its commit through the group commit, its invariants, one fold call per analysed layer, one progress call, the refits): {overhead * 1e6:F0} us of wall time, {overhead * bare:P1} of the bare trainer's time per replica-epoch."));
        output.WriteLine(Invariant(
            $"Silo rate / bare trainer rate over epochs 1..E: {trainedEpochs / trained.TrainedSeconds / bare:F3} (the target is at least 0.90: Orleans, commits and refits under 10 % of training)."));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Replica-epochs per second of E epochs of the bare trainer, each followed by the test evaluation.</summary>
    private static double BareTrainingRate(ExperimentSpec spec, Dataset dataset, TrainerOptions trainer)
    {
        var training = new TrainingSpec { Dataset = dataset.Name, HiddenWidths = spec.HiddenWidths };
        using var ensemble = new CpuTrainerBackend(trainer).Create(training, dataset, Enumerable.Range(0, spec.Replicas).ToArray());
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= spec.Epochs; epoch++)
        {
            ensemble.TrainEpoch();
            ensemble.EvaluateTestAccuracy();
        }
        return (double)spec.Replicas * spec.Epochs / clock.Elapsed.TotalSeconds;
    }

    private static async Task<(double Seconds, double TrainedSeconds, long Groups, long Commits)> ThroughSiloAsync(ExperimentSpec spec, Dataset dataset, SiloOverheadOptions options, bool train)
    {
        var folder = Directory.CreateTempSubdirectory("pigmm-bench-silo-");
        try
        {
            var siloOptions = new PigmmSiloOptions
            {
                Store = () => SqliteStore.Open(Path.Combine(folder.FullName, "bench.db")),
                Device = () => train
                    ? TrainingDevice.Cpu(options.Trainer.Threads, options.Trainer.VectorWidth, _ => dataset)
                    : new TrainingDevice(new UntrainedBackend(new CpuTrainerBackend(options.Trainer)), "cpu, training skipped", options.Trainer.Threads, _ => dataset),
                Datasets = name => DatasetCatalog.TryDimensions(name, options.DataDirectory),
                OnlyExperiment = spec.Id,
            };
            await using var silo = await PigmmSiloHost.StartAsync(siloOptions);
            var experiment = silo.Grains.GetGrain<IExperimentGrain>(spec.Id);
            var clock = Stopwatch.StartNew();
            await experiment.SubmitAsync(spec);
            double? initialised = null;
            ExperimentStatus status;
            while ((status = await experiment.GetStatusAsync()).Phase != ExperimentPhase.Complete)
            {
                // Epoch 0 of every replica is committed once R replica-epochs are.
                if (initialised is null && status.ReplicaEpochsCommitted >= spec.Replicas)
                {
                    initialised = clock.Elapsed.TotalSeconds;
                }
                await Task.Delay(20);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var committer = silo.Services.GetRequiredService<GroupCommitter>();
            return (seconds, seconds - (initialised ?? 0), committer.Groups, committer.Commits);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The CPU trainer with training and evaluation skipped: replicas keep their initial weights.</summary>
    private sealed class UntrainedBackend(ITrainerBackend inner) : ITrainerBackend
    {
        public string Name => "untrained";

        public IEnsembleTrainer Create(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas) => new Untrained(inner.Create(spec, dataset, replicas));

        private sealed class Untrained(IEnsembleTrainer inner) : IEnsembleTrainer
        {
            public TrainingSpec Spec => inner.Spec;

            public NetworkShape Shape => inner.Shape;

            public IReadOnlyList<int> Replicas => inner.Replicas;

            public string Backend => inner.Backend;

            public void TrainEpoch(IProgress<int>? progress = null, CancellationToken cancellationToken = default)
            {
            }

            public ReplicaStatus Status(int slot) => inner.Status(slot);

            public void CopyWeights(int slot, int layer, Span<float> destination) => inner.CopyWeights(slot, layer, destination);

            public IReadOnlyList<double> EvaluateTestAccuracy(CancellationToken cancellationToken = default) => new double[Replicas.Count];

            public byte[] ExportState(int slot) => inner.ExportState(slot);

            public void ImportState(int slot, ReadOnlySpan<byte> state) => inner.ImportState(slot, state);

            public void Dispose() => inner.Dispose();
        }
    }
}
