using System.CommandLine;
using OrleansPigmm.Benchmarks;
using OrleansPigmm.Benchmarks.Cluster;
using OrleansPigmm.Benchmarks.Harness;
using OrleansPigmm.Benchmarks.Training;
using OrleansPigmm.Client.Cluster;
using OrleansPigmm.Client.Display;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Postgres;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm bench</c>: the benchmark scenarios, one subcommand each.</summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var bench = new Command("bench", "Run a benchmark scenario; each prints its figures and ratios against a yardstick or peer measured in the same run.");
        bench.Subcommands.Add(Train(output, error));
        bench.Subcommands.Add(Math(output, error));
        bench.Subcommands.Add(Store(output, error));
        bench.Subcommands.Add(Silo(output, error));
        bench.Subcommands.Add(Cluster(output, error));
        return bench;
    }

    private static Command Train(TextWriter output, TextWriter error)
    {
        var replicas = new Option<string>("--replicas") { Description = "Ensemble sizes for the paper's 784-10-10-10-10 net.", DefaultValueFactory = _ => "1,64,1000" };
        var wideReplicas = new Option<string>("--wide-replicas") { Description = "Ensemble sizes for 784-640-640-10 (about 100 times the work per replica; add 1000 for the full sweep).", DefaultValueFactory = _ => "1,64" };
        var peer = new Option<string?>("--peer") { Description = "Path of the PyTorch reference torch_ensemble.py (default: ../shared/peers/torch_ensemble.py beside the repository root)." };
        var python = new Option<string>("--python") { Description = "Python interpreter with torch for the peer.", DefaultValueFactory = _ => TorchPeer.DefaultPython() };
        var noPeer = new Option<bool>("--no-peer") { Description = "Skip the PyTorch reference." };
        var peerMaxReplicas = new Option<int?>("--peer-max-replicas") { Description = "Run the PyTorch reference only for ensembles up to this size (default: all)." };
        var gpuReplicas = new Option<string>("--gpu-replicas") { Description = "With --device gpu: ensemble sizes of the paper's net on the GPU.", DefaultValueFactory = _ => "1000" };
        var gpuWideReplicas = new Option<string>("--gpu-wide-replicas") { Description = "With --device gpu: ensemble sizes of 784-640-640-10 on the GPU.", DefaultValueFactory = _ => "64,1000" };
        var trainingSamples = new Option<int?>("--n-train") { Description = "An epoch of the first N training images instead of all of them (quick checks; rates are then per such epoch)." };
        var common = new CommonTrainingOptions();
        var command = new Command("train", "Replica-epochs per second of the trainer, GFLOP/s against the measured fp32 peak, and ratios to the PyTorch reference; with --device gpu, the GPU's figures beside the CPU's.")
        {
            replicas, wideReplicas, peer, python, noPeer, peerMaxReplicas, gpuReplicas, gpuWideReplicas, trainingSamples,
        };
        common.AddTo(command);
        command.SetAction(parsed => CommandFailure.Guard("bench train", error, () =>
        {
            // The CPU's figures always (with --threads); a GPU's beside them when --device names one.
            var device = common.Device(parsed);
            var width = common.Width(parsed);
            var cpu = device as DeviceChoice.Cpu ?? new DeviceChoice.Cpu(parsed.GetValue(common.ThreadsOption));
            var gpu = device is DeviceChoice.GpuBackend ? device.Backend(width) : null;
            using var ownedGpu = gpu as IDisposable;
            var options = new TrainingThroughputOptions(
                OptionValues.PositiveIntegers(parsed.GetValue(replicas)!, "--replicas"),
                OptionValues.PositiveIntegers(parsed.GetValue(wideReplicas)!, "--wide-replicas"),
                cpu.Options(width), common.DatasetName(parsed), common.DataDirectory(parsed), parsed.GetValue(python)!,
                parsed.GetValue(noPeer) ? null : parsed.GetValue(peer) ?? TorchPeer.DefaultScript(),
                parsed.GetValue(peerMaxReplicas) ?? int.MaxValue,
                gpu,
                OptionValues.PositiveIntegers(parsed.GetValue(gpuReplicas)!, "--gpu-replicas"),
                OptionValues.PositiveIntegers(parsed.GetValue(gpuWideReplicas)!, "--gpu-wide-replicas"),
                parsed.GetValue(trainingSamples) is { } n and < 1 ? throw new InputException($"--n-train must be at least 1; got {n}.") : parsed.GetValue(trainingSamples));
            TrainingThroughput.Run(options, output);
            return 0;
        }));
        return command;
    }

    private static Command Silo(TextWriter output, TextWriter error)
    {
        var replicas = new Option<int>("--replicas") { Description = "Replicas R of the paper's net.", DefaultValueFactory = _ => 1000 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs E through the silo.", DefaultValueFactory = _ => 2 };
        var common = new CommonTrainingOptions();
        var command = new Command("silo", "What Orleans, the group commit and the refits cost per replica-epoch in local mode, and the silo's rate against the bare trainer's.")
        {
            replicas, epochs,
        };
        common.AddTo(command, withDataset: false);
        command.SetAction((parsed, cancellationToken) => Task.FromResult(CommandFailure.Guard("bench silo", error, () =>
        {
            if (parsed.GetValue(replicas) < 2 || parsed.GetValue(epochs) < 1)
            {
                throw new InputException($"--replicas must be at least 2 and --epochs at least 1; got {parsed.GetValue(replicas)} and {parsed.GetValue(epochs)}.");
            }
            var options = new SiloOverheadOptions(parsed.GetValue(replicas), parsed.GetValue(epochs), common.Trainer(parsed), common.DataDirectory(parsed));
            SiloOverhead.RunAsync(options, output).GetAwaiter().GetResult();
            return 0;
        })));
        return command;
    }

    private static Command Cluster(TextWriter output, TextWriter error)
    {
        var postgres = new Option<string>("--postgres") { Description = "The database the benchmark's clusters keep their membership and store in: postgres://USER@HOST:PORT/DB (password in PGPASSWORD); no experiment may be running there.", Required = true };
        var replicas = new Option<int>("--replicas") { Description = "Replicas R of the paper's net.", DefaultValueFactory = _ => 200 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs E of the overhead run.", DefaultValueFactory = _ => 3 };
        var recoveryEpochs = new Option<int>("--recovery-epochs") { Description = "Epochs of the recovery run (at least 3: a silo is killed during epoch 3).", DefaultValueFactory = _ => 6 };
        var quick = new Option<bool>("--quick") { Description = $"A smoke test, not figures to report: R = {QuickCluster.Replicas}, E = {QuickCluster.Epochs}, {QuickCluster.RecoveryEpochs} recovery epochs." };
        var common = new CommonTrainingOptions();
        var command = new Command("cluster", "Wall time of an experiment on two silos on PostgreSQL against pigmm run (same fits), and how long a cluster of three takes to carry on after one silo is killed.")
        {
            postgres, replicas, epochs, recoveryEpochs, quick,
        };
        command.Options.Add(common.DataDirectoryOption);
        command.SetAction((parsed, cancellationToken) => Task.FromResult(CommandFailure.Guard("bench cluster", error, () =>
        {
            var (r, e, recovery) = parsed.GetValue(quick) ? QuickCluster : (parsed.GetValue(replicas), parsed.GetValue(epochs), parsed.GetValue(recoveryEpochs));
            if (r < 3 || e < 1 || recovery < 3)
            {
                throw new InputException($"--replicas must be at least 3, --epochs at least 1 and --recovery-epochs at least 3; got {r}, {e} and {recovery}.");
            }
            string url = parsed.GetValue(postgres)!;
            if (!PigmmStores.IsPostgres(url))
            {
                throw new InputException($"--postgres must name a PostgreSQL database, postgres://USER@HOST:PORT/DB; got '{url}'.");
            }
            using var interruption = new Interruption(cancellationToken);
            var store = StoreOptions.Open(url, new PostgresStoreOptions());
            try
            {
                var options = new ClusterBenchmarkOptions(url, store, r, e, recovery, common.DataDirectory(parsed),
                    PigmmExecutable.For(Path.Combine(AppContext.BaseDirectory, "pigmm.dll")), ConnectAsync(url));
                ClusterBenchmark.RunAsync(options, output, interruption.Token).GetAwaiter().GetResult();
            }
            catch (BenchmarkRefusedException refused)
            {
                throw new InputException(refused.Message);
            }
            catch (OperationCanceledException) when (interruption.Token.IsCancellationRequested)
            {
                error.WriteLine("pigmm bench cluster: stopped; its silos and consoles are stopped too.");
                return ExperimentMonitor.Cancelled;
            }
            finally
            {
                store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return 0;
        })));
        return command;
    }

    /// <summary>R, E and the recovery epochs of <c>bench cluster --quick</c>.</summary>
    private static (int Replicas, int Epochs, int RecoveryEpochs) QuickCluster => (9, 1, 8);

    /// <summary>Connects an Orleans client to a cluster on <paramref name="url"/>, as the consoles do.</summary>
    private static ClusterConnector ConnectAsync(string url) => async (clusterId, cancellationToken) =>
    {
        var connection = await ClusterConnection.ConnectThroughMembershipAsync(PostgresLocation.Parse(url).Description,
            PostgresMembership.ConnectionString(url), clusterId, cancellationToken).ConfigureAwait(false);
        return (connection.Grains, connection);
    };

    private static Command Math(TextWriter output, TextWriter error)
    {
        var sizes = new Option<string>("--sizes") { Description = "Matrix sizes n, comma-separated.", DefaultValueFactory = _ => string.Join(',', MathBenchmark.Sizes) };
        var quick = new Option<bool>("--quick") { Description = "Short measurements (a smoke test, not figures to report)." };
        var command = new Command("math", "Invariants of one matrix against a summing pass and a matrix product, and the refit of one (layer, epoch) against 1 ms, for each n.")
        {
            sizes, quick,
        };
        command.SetAction(parsed => CommandFailure.Guard("bench math", error, () =>
        {
            var sizeList = OptionValues.PositiveIntegers(parsed.GetValue(sizes)!, "--sizes");
            if (sizeList.Any(n => n < 4))
            {
                throw new InputException($"--sizes must be at least 4 (PIGMMs need n >= 4); got {parsed.GetValue(sizes)}.");
            }
            bool isQuick = parsed.GetValue(quick);
            var benchmark = new MathBenchmark(isQuick ? MeasureOptions.Quick : MeasureOptions.Default, isQuick ? TimeSpan.Zero : null);
            output.WriteLine($"Median time per call; ratios against the yardsticks of the same run ({Environment.ProcessorCount} cores, {System.Numerics.Vector<byte>.Count * 8}-bit vectors).");
            benchmark.RunTable(sizeList).WriteTo(output);
            return 0;
        }));
        return command;
    }

    private static Command Store(TextWriter output, TextWriter error)
    {
        var seconds = new Option<double>("--seconds") { Description = "Time spent committing each ingest case (after as much again untimed).", DefaultValueFactory = _ => 5 };
        var quick = new Option<bool>("--quick") { Description = "Short measurements (a smoke test, not figures to report)." };
        var postgres = new Option<string?>("--postgres") { Description = "Also measure PostgreSQL, in a fresh schema of this database: postgres://USER@HOST:PORT/DB (password in PGPASSWORD)." };
        var command = new Command("store", "Snapshots per second committed into the embedded store (and PostgreSQL with --postgres) for n = 10 and n = 640, and the refit of one (layer, epoch) against 1 ms.")
        {
            seconds, quick, postgres,
        };
        command.SetAction((parsed, cancellationToken) => Task.FromResult(CommandFailure.Guard("bench store", error, () =>
        {
            bool isQuick = parsed.GetValue(quick);
            double time = isQuick ? 0.05 : parsed.GetValue(seconds);
            if (!(time > 0))
            {
                throw new InputException($"--seconds must be more than 0; got {parsed.GetValue(seconds)}.");
            }
            StoreIngestBenchmark.RunAsync(output, TimeSpan.FromSeconds(time), parsed.GetValue(postgres), cancellationToken).GetAwaiter().GetResult();
            output.WriteLine();
            output.WriteLine($"Refit of one (layer, epoch) from an accumulator of {RefitBenchmark.Samples} matrices: fit, predictions, deviations, W2 to three references; median time per call.");
            SizeRow.Tabulate(RefitBenchmark.Run(StoreRefitSizes, isQuick ? MeasureOptions.Quick : MeasureOptions.Default)).WriteTo(output);
            return 0;
        })));
        return command;
    }

    /// <summary>The sizes of the ingest cases: the paper's layers and the widest of the width sweep.</summary>
    private static int[] StoreRefitSizes => [.. StoreIngestBenchmark.Cases.Select(c => c.MatrixSize)];
}
