using System.Diagnostics;
using System.Globalization;
using OrleansPigmm.Benchmarks.Harness;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Benchmarks.Training;

/// <summary>What the training benchmark runs.</summary>
/// <param name="PaperReplicas">Replica counts for the paper's 784-10-10-10-10 net.</param>
/// <param name="WideReplicas">Replica counts for 784-640-640-10.</param>
/// <param name="Trainer">Threads and vector width.</param>
/// <param name="Dataset">Dataset name or descriptor path.</param>
/// <param name="DataDirectory">Data folder, or null for the default.</param>
/// <param name="Python">Interpreter for the PyTorch peer.</param>
/// <param name="PeerScript">Path of torch_ensemble.py, or null to skip the peer.</param>
/// <param name="PeerMaxReplicas">The peer runs only for ensembles up to this size (its loop mode
/// takes minutes per hundred replicas, and its rate does not grow with R).</param>
/// <param name="Gpu">A GPU backend to measure beside the CPU, or null for the CPU alone.</param>
/// <param name="GpuPaperReplicas">Replica counts of the paper's net on the GPU.</param>
/// <param name="GpuWideReplicas">Replica counts of 784-640-640-10 on the GPU.</param>
/// <param name="TrainingSamples">An epoch of the first this many images instead of all (quick checks).</param>
public sealed record TrainingThroughputOptions(
    IReadOnlyList<int> PaperReplicas, IReadOnlyList<int> WideReplicas, TrainerOptions Trainer, string Dataset, string? DataDirectory, string Python, string? PeerScript,
    int PeerMaxReplicas = int.MaxValue, ITrainerBackend? Gpu = null, IReadOnlyList<int>? GpuPaperReplicas = null, IReadOnlyList<int>? GpuWideReplicas = null,
    int? TrainingSamples = null);

/// <summary>
/// Replica-epochs per second of one epoch of training for several ensemble sizes, the achieved
/// GFLOP/s (counted as a dense implementation does, like the PyTorch script) against the fp32
/// peak measured in the same run, and the ratios to the PyTorch reference in loop and batched mode
/// (same replicas, epochs, batch size and threads; independent shuffles).
/// </summary>
public static class TrainingThroughput
{
    /// <summary>The paper's workload: 1000 replicas, 50 epochs.</summary>
    public const int PaperReplicaEpochs = 1000 * 50;

    public static void Run(TrainingThroughputOptions options, TextWriter output)
    {
        var (descriptor, folder) = DatasetCatalog.Resolve(options.Dataset, options.DataDirectory);
        var dataset = Dataset.Load(descriptor, folder);
        int threads = options.Trainer.Threads;
        int bits = options.Trainer.ResolvedBits;
        double peak = FloatingPointPeak.Measure(threads, bits, TimeSpan.FromSeconds(1));
        int images = Math.Min(options.TrainingSamples ?? dataset.TrainCount, dataset.TrainCount);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training throughput: 1 epoch of {dataset.Name} ({images} images, {dataset.Density:P0} nonzero pixels), batch 100, Adam; {threads} threads, {bits}-bit vectors."));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fp32 peak measured now on {threads} threads: {peak:F0} GFLOP/s (nominal per core: about 115 GFLOP/s with AVX2 FMA, 230 with AVX-512)."));

        TorchPeer? peer = null;
        if (options.PeerScript is null)
        {
            output.WriteLine("PyTorch peer skipped: --no-peer.");
        }
        else
        {
            peer = TorchPeer.TryCreate(options.Python, options.PeerScript, out string reason);
            output.WriteLine(peer is null
                ? $"PyTorch peer skipped: {reason}."
                : $"PyTorch peer: {options.Python} {options.PeerScript} (torch {peer.TorchVersion}); point at another copy with --peer PATH.");
        }

        var cpu = new CpuTrainerBackend(options.Trainer);
        WarmUp(dataset, cpu, options.Trainer.Threads, 2000);
        if (options.Gpu is { } gpu)
        {
            // A few steps load the kernels: more would only cost time on an emulated GPU.
            WarmUp(dataset, gpu, 2, 200);
            CheckAgainstCpu(dataset, cpu, gpu, output);
        }
        var table = new TextTable("device", "net", "R", "time", "replica-epochs/s", "GFLOP/s", "% of peak", "torch loop", "torch batched", "vs loop", "vs batched");
        double paperRateAtLargest = double.NaN;
        double gpuPaperRateAtLargest = double.NaN;
        var runs = new List<(ITrainerBackend Backend, int[] Hidden, IReadOnlyList<int> Replicas, bool WithPeer)>
        {
            (cpu, [10, 10, 10], options.PaperReplicas, true),
            (cpu, [640, 640], options.WideReplicas, false),
        };
        if (options.Gpu is not null)
        {
            runs.Add((options.Gpu, [10, 10, 10], options.GpuPaperReplicas ?? [1000], false));
            runs.Add((options.Gpu, [640, 640], options.GpuWideReplicas ?? [64, 1000], false));
        }
        foreach (var (backend, hidden, replicaCounts, withPeer) in runs)
        {
            var spec = new TrainingSpec { Dataset = dataset.Name, HiddenWidths = hidden, TrainingSamples = images };
            var shape = new NetworkShape(dataset.InputWidth, hidden, dataset.Classes);
            double flopsPerReplicaEpoch = shape.DenseFlopsPerEpoch(images, spec.BatchSize);
            bool onCpu = ReferenceEquals(backend, cpu);
            foreach (int replicas in replicaCounts)
            {
                var clock = Stopwatch.StartNew();
                using (var trainer = backend.Create(spec, dataset, Enumerable.Range(0, replicas).ToArray()))
                {
                    trainer.TrainEpoch();
                }
                double seconds = clock.Elapsed.TotalSeconds;
                double rate = replicas / seconds;
                double gflops = rate * flopsPerReplicaEpoch / 1e9;
                if (hidden.Length == 3 && replicas == replicaCounts.Max())
                {
                    if (onCpu)
                    {
                        paperRateAtLargest = rate;
                    }
                    else
                    {
                        gpuPaperRateAtLargest = rate;
                    }
                }
                string loop = "", batched = "", vsLoop = "", vsBatched = "";
                if (withPeer && peer is not null && replicas <= options.PeerMaxReplicas)
                {
                    double loopRate = peer.ReplicaEpochsPerSecond("loop", replicas, 1, spec.BatchSize, threads, folder);
                    double batchedRate = peer.ReplicaEpochsPerSecond("batched", replicas, 1, spec.BatchSize, threads, folder);
                    (loop, batched) = (Rate(loopRate), Rate(batchedRate));
                    (vsLoop, vsBatched) = (Units.Ratio(rate / loopRate), Units.Ratio(rate / batchedRate));
                }
                string[] row = [backend.Name, shape.ToString(), replicas.ToString(CultureInfo.InvariantCulture), Units.Seconds(seconds), Rate(rate),
                    gflops.ToString("F1", CultureInfo.InvariantCulture), onCpu ? (gflops / peak).ToString("P1", CultureInfo.InvariantCulture) : "", loop, batched, vsLoop, vsBatched];
                // A line as soon as a row is measured: the PyTorch loop over 1000 replicas takes minutes.
                output.WriteLine($"  measured {row[0]} {row[1]} R={row[2]}: {row[4]} replica-epochs/s" + (loop.Length > 0 ? $", torch loop {loop}, batched {batched}" : ""));
                table.Add(row);
            }
        }
        table.WriteTo(output);
        if (peer is not null)
        {
            output.WriteLine($"torch BLAS: {peer.Blas}");
        }
        var paper = new NetworkShape(dataset.InputWidth, [10, 10, 10], dataset.Classes);
        double flopBound = peak * 1e9 / paper.DenseFlopsPerEpoch(images, 100);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Paper net: {paper.DenseFlopsPerEpoch(images, 100) / 1e9:F2} GFLOP per replica-epoch counted densely; the FLOP-bound limit at the measured peak is {flopBound:F0} replica-epochs/s (the first layer runs on nonzero pixels only, so it can be exceeded)."));
        // A projection needs epochs of every image.
        foreach (var (device, rate) in new[] { ("cpu", paperRateAtLargest), ("gpu", gpuPaperRateAtLargest) }.Where(measured => !double.IsNaN(measured.Item2) && images == dataset.TrainCount))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Projected paper workload (1000 replicas x 50 epochs) on the {device} at {rate:F1} replica-epochs/s: {PaperReplicaEpochs / rate / 60:F1} min."));
        }
        if (!double.IsNaN(paperRateAtLargest) && !double.IsNaN(gpuPaperRateAtLargest))
        {
            output.WriteLine($"GPU / CPU, paper net at the largest R of each: {Units.Ratio(gpuPaperRateAtLargest / paperRateAtLargest)}.");
        }
    }

    /// <summary>Trains 4 replicas of the paper's net for 2 epochs of 2000 images on both devices
    /// and says whether every weight agrees within <see cref="TrainerAgreement"/>'s tolerance: the
    /// GPU's figures count only if it trains what the CPU trains.</summary>
    private static void CheckAgainstCpu(Dataset dataset, ITrainerBackend cpu, ITrainerBackend gpu, TextWriter output)
    {
        var spec = new TrainingSpec { Dataset = dataset.Name, TrainingSamples = Math.Min(2000, dataset.TrainCount) };
        int[] replicas = [0, 1, 2, 3];
        using var onCpu = cpu.Create(spec, dataset, replicas);
        using var onGpu = gpu.Create(spec, dataset, replicas);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            onCpu.TrainEpoch();
            onGpu.TrainEpoch();
        }
        double worst = TrainerAgreement.WorstExcess(onCpu, onGpu);
        bool sameAccuracy = onCpu.EvaluateTestAccuracy().SequenceEqual(onGpu.EvaluateTestAccuracy());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GPU ({onGpu.Backend}) against the CPU trainer, 4 replicas x 2 epochs of {spec.TrainingSamples} images: every weight {(worst <= 0 ? "within" : "NOT within")} {TrainerAgreement.AbsoluteTolerance:G} + {TrainerAgreement.RelativeTolerance:G}·|w| (worst excess {worst:G3}); test accuracies {(sameAccuracy ? "equal" : "differ")}."));
    }

    /// <summary>Compiles and tiers up (or, on a GPU, loads) the kernels of both nets on a few
    /// batches, so R = 1 is not timed with the compiler.</summary>
    private static void WarmUp(Dataset dataset, ITrainerBackend backend, int replicas, int images)
    {
        foreach (var hidden in new[] { new[] { 10, 10, 10 }, [640, 640] })
        {
            var spec = new TrainingSpec { Dataset = dataset.Name, HiddenWidths = hidden, TrainingSamples = Math.Min(images, dataset.TrainCount) };
            using var warm = backend.Create(spec, dataset, Enumerable.Range(0, replicas).ToArray());
            warm.TrainEpoch();
            warm.EvaluateTestAccuracy();
        }
    }

    private static string Rate(double perSecond) => perSecond.ToString(perSecond >= 100 ? "F0" : "F1", CultureInfo.InvariantCulture);
}
