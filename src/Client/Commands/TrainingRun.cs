using System.Diagnostics;
using System.Globalization;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;
using Spectre.Console;

namespace OrleansPigmm.Client.Commands;

/// <summary>What <c>pigmm train</c> was asked to do.</summary>
internal sealed record TrainingRequest(TrainingSpec Spec, int Replicas, int Epochs, string OutputPath, string Dataset, string? DataDirectory, ITrainerBackend Backend);

/// <summary>Trains replicas 0..R-1 and writes their snapshots and the JSON sidecar.</summary>
internal static class TrainingRun
{
    public static int Execute(TrainingRequest request, TextWriter output, TextWriter error)
    {
        if (request.Replicas < 1 || request.Epochs < 0)
        {
            throw new InputException($"--replicas must be at least 1 and --epochs at least 0; got {request.Replicas} and {request.Epochs}.");
        }
        if (!request.OutputPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException($"--output must name a .npy file; got '{request.OutputPath}'.");
        }
        var clock = Stopwatch.StartNew();
        var dataset = DatasetCatalog.Load(request.Dataset, request.DataDirectory);
        var spec = request.Spec with { Dataset = dataset.Name };
        try
        {
            spec.Validate();
        }
        catch (ArgumentException invalid)
        {
            throw new InputException(invalid.Message);
        }
        if (spec.TrainingSamples > dataset.TrainCount)
        {
            throw new InputException($"--n-train {spec.TrainingSamples} exceeds the {dataset.TrainCount} training images of {dataset.Name}.");
        }
        double loadSeconds = clock.Elapsed.TotalSeconds;
        var shape = new NetworkShape(dataset.InputWidth, spec.HiddenWidths, dataset.Classes);
        var (layers, n) = RecordedLayers(shape);

        clock.Restart();
        using var device = request.Backend as IDisposable;
        using var trainer = request.Backend.Create(spec, dataset, Enumerable.Range(0, request.Replicas).ToArray());
        double initSeconds = clock.Elapsed.TotalSeconds;
        using var file = new SnapshotFile(request.OutputPath, request.Replicas, request.Epochs, layers.Length, n);
        var losses = new double[request.Replicas, request.Epochs];
        var epochSeconds = new double[request.Epochs];
        Record(trainer, file, layers, epoch: 0);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask($"training {request.Replicas} x {shape}", maxValue: (double)request.Replicas * Math.Max(request.Epochs, 1));
                for (int epoch = 1; epoch <= request.Epochs; epoch++)
                {
                    double before = task.Value;
                    clock.Restart();
                    trainer.TrainEpoch(new CallbackProgress(done => task.Value = before + done));
                    epochSeconds[epoch - 1] = clock.Elapsed.TotalSeconds;
                    for (int slot = 0; slot < request.Replicas; slot++)
                    {
                        var status = trainer.Status(slot);
                        losses[slot, epoch - 1] = status.Diverged && status.DivergedAtEpoch <= epoch ? double.NaN : status.LastTrainLoss;
                    }
                    Record(trainer, file, layers, epoch);
                    task.Value = (double)request.Replicas * epoch;
                }
                task.Value = task.MaxValue;
            });
        clock.Restart();
        var accuracy = trainer.EvaluateTestAccuracy();
        double testSeconds = clock.Elapsed.TotalSeconds;
        file.Complete();

        var sidecarPath = Path.ChangeExtension(request.OutputPath, ".json");
        var timings = new RunTimings(loadSeconds, initSeconds, epochSeconds, testSeconds);
        SnapshotSidecar.Write(sidecarPath, new SnapshotSidecar.Contents(spec, shape, request, trainer, layers, n, losses, accuracy, timings));

        double trainSeconds = epochSeconds.Sum();
        int diverged = Enumerable.Range(0, request.Replicas).Count(s => trainer.Status(s).Diverged);
        var valid = accuracy.Where(a => !double.IsNaN(a)).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Trained {request.Replicas} x {shape} for {request.Epochs} epochs in {trainSeconds:F1} s ({request.Replicas * request.Epochs / Math.Max(trainSeconds, 1e-9):F1} replica-epochs/s, {trainer.Backend})."));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Mean test accuracy {(valid.Length > 0 ? valid.Average() : double.NaN):P2}; {diverged} replica(s) diverged."));
        output.WriteLine($"Wrote {request.OutputPath} (shape ({request.Replicas}, {request.Epochs + 1}, {layers.Length}, {n}, {n})) and {sidecarPath}.");
        return 0;
    }

    /// <summary>The layers after the first whose matrices are square; they must share one size.</summary>
    internal static (int[] Layers, int N) RecordedLayers(NetworkShape shape)
    {
        // Trainer layers are 0-based.
        var square = shape.AnalysedLayers.Select(l => l - 1).ToArray();
        if (square.Length == 0)
        {
            throw new InputException($"The network {shape} has no square hidden-to-hidden or hidden-to-output matrix to record; use equal widths (e.g. --widths 10,10,10 for 10 classes).");
        }
        var sizes = square.Select(l => shape.Layers[l].Inputs).Distinct().ToArray();
        if (sizes.Length > 1)
        {
            throw new InputException($"The network {shape} has square matrices of different sizes ({string.Join(", ", sizes)}); the snapshot array needs one size n.");
        }
        return (square, sizes[0]);
    }

    /// <summary>Writes every replica's recorded layers after <paramref name="epoch"/> epochs; a
    /// replica that diverged in or before that epoch gets NaN so no reader can mistake it for weights.</summary>
    private static void Record(IEnsembleTrainer trainer, SnapshotFile file, int[] layers, int epoch)
    {
        var snapshot = new float[file.SnapshotFloats];
        int size = snapshot.Length / layers.Length;
        for (int slot = 0; slot < trainer.Replicas.Count; slot++)
        {
            var status = trainer.Status(slot);
            if (status.Diverged && status.DivergedAtEpoch <= epoch)
            {
                snapshot.AsSpan().Fill(float.NaN);
            }
            else
            {
                for (int i = 0; i < layers.Length; i++)
                {
                    trainer.CopyWeights(slot, layers[i], snapshot.AsSpan(i * size, size));
                }
            }
            file.Write(slot, epoch, snapshot);
        }
    }

    private sealed class CallbackProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}

/// <summary>Wall-clock seconds of the phases of a run.</summary>
internal sealed record RunTimings(double LoadSeconds, double InitSeconds, double[] EpochSeconds, double TestSeconds);
