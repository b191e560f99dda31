using System.CommandLine;
using OrleansPigmm.Client.Display;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Outputs;
using OrleansPigmm.Silo.Hosting;
using OrleansPigmm.Silo.Training;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Client.Commands;

/// <summary>
/// <c>pigmm run</c>: local dev mode. Hosts one Orleans silo in this process over the embedded
/// store, submits the experiment to it as a client, shows it live from the pushed events until
/// it is complete, and writes the fits and the report.
/// </summary>
internal static class RunCommand
{
    /// <summary>Where outputs go when no <c>--out</c> is given: this folder under the current
    /// directory, one subfolder per experiment id.</summary>
    public const string DefaultOutputFolder = "pigmm-results";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var storePath = new Option<string>("--store") { Description = $"The experiment store (SQLite file, created if missing); default {StoreLocation.Default}.", DefaultValueFactory = _ => StoreLocation.Default };
        var outDirectory = new Option<string?>("--out") { Description = $"Folder for fits.json, fits.csv and report.html; default {DefaultOutputFolder}/EXPERIMENT-ID." };
        var specOptions = new SpecOptions();
        var common = new CommonTrainingOptions();
        var httpApi = new HttpApiOptionValues();
        var command = new Command("run", "Train an ensemble, fit a PIGMM to every analysed layer after every epoch, and write the fits and the report; rerun the same command to resume an interrupted run.")
        {
            storePath, outDirectory,
        };
        specOptions.AddTo(command);
        common.AddTo(command, withDataset: false, asDevice: true);
        httpApi.AddTo(command);
        command.SetAction((parsed, cancellationToken) => Task.FromResult(CommandFailure.Guard("run", error, () =>
        {
            var spec = specOptions.Spec(parsed);
            var device = common.Device(parsed);
            var width = common.Width(parsed);
            string? dataDirectory = common.DataDirectory(parsed);
            Func<string, DatasetDimensions?> datasets = name => DatasetCatalog.TryDimensions(name, dataDirectory);
            // Refuse a spec that cannot run before anything is created.
            var plan = ExperimentPlan.Create(spec, datasets);
            // The data must be there before a silo starts training on it.
            var dataset = DatasetCatalog.Load(spec.Dataset, dataDirectory);
            string path = parsed.GetValue(storePath)!;
            var options = new PigmmSiloOptions
            {
                Store = () => OpenStore(path),
                // Experiments submitted through the HTTP API may name other datasets.
                Device = device.SiloDevice(width, name => name == spec.Dataset ? dataset : DatasetCatalog.Load(name, dataDirectory)),
                Datasets = datasets,
                OnlyExperiment = spec.Id,
            };
            string outFolder = parsed.GetValue(outDirectory) ?? Path.Combine(DefaultOutputFolder, spec.Id);
            var network = new SiloNetwork { HttpApi = httpApi.Options(parsed, error) };
            return RunAsync(options, network, plan, outFolder, output, error, cancellationToken).GetAwaiter().GetResult();
        })));
        return command;
    }

    private static async Task<int> RunAsync(PigmmSiloOptions options, SiloNetwork network, ExperimentPlan plan, string outFolder, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var interruption = new Interruption(cancellationToken);
        await using var silo = await PigmmSiloHost.StartAsync(options, network, interruption.Token);
        if (silo.HttpEndpoint is { } api)
        {
            output.WriteLine($"HTTP API on http://{api}/api/experiments/{plan.Id}");
        }
        var store = silo.Store;
        var experiment = silo.Grains.GetGrain<IExperimentGrain>(plan.Id);
        await using var subscription = await ExperimentSubscription.StartAsync(silo.Grains, plan.Id);
        var status = await experiment.SubmitAsync(plan.Spec);
        output.WriteLine($"Experiment {status.ExperimentId}: {plan.Network}, {status.Replicas} replicas x {status.Epochs} epochs, {status.Layers} analysed {status.MatrixSize}x{status.MatrixSize} layers, store {store.Description}.");
        if (!status.Created)
        {
            output.WriteLine($"Resuming: {status.ReplicaEpochsCommitted} of {status.ReplicaEpochsTotal} replica-epochs are already stored.");
        }
        int shown = await ExperimentMonitor.RunAsync(store, status.ExperimentId, ExperimentMonitor.ConsoleFor(output), subscription.Ended,
            subscription.WaitForChangeAsync, interruption.Token);
        if (shown == ExperimentMonitor.Cancelled)
        {
            error.WriteLine("pigmm run: stopped; every completed epoch is stored. Run the same command again to resume.");
            return ExperimentMonitor.Cancelled;
        }
        var final = await subscription.Ended.WaitAsync(interruption.Token);
        if (final.Phase != ExperimentPhase.Complete)
        {
            error.WriteLine($"pigmm run: the experiment was {final.Phase.ToString().ToLowerInvariant()} by another client; every completed epoch is stored.");
            return 1;
        }
        await ExperimentOutputs.WriteAsync(store, status.ExperimentId, outFolder, CancellationToken.None);
        output.WriteLine($"Wrote {ExperimentOutputs.FitsJsonFileName}, {ExperimentOutputs.FitsCsvFileName} and {ExperimentOutputs.ReportFileName} to {outFolder}.");
        return 0;
    }

    /// <summary>Opens (or creates) the SQLite store at <paramref name="path"/>; a store that cannot be opened is bad input.</summary>
    internal static SqliteStore OpenStore(string path)
    {
        try
        {
            return SqliteStore.Open(path);
        }
        catch (StoreUnavailableException unavailable)
        {
            throw new InputException(unavailable.Message);
        }
    }
}
