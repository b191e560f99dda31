using System.CommandLine;
using OrleansPigmm.Client.Display;
using OrleansPigmm.Grains;
using OrleansPigmm.Grains.Experiments;
using OrleansPigmm.Outputs;
using OrleansPigmm.Silo;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm run</c>: trains, aggregates and reports one experiment in this process, on the embedded store.</summary>
internal static class RunCommand
{
    /// <summary>Where outputs go when no <c>--out</c> is given: this folder under the current
    /// directory, one subfolder per experiment id.</summary>
    public const string DefaultOutputFolder = "pigmm-results";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var preset = new Option<string?>("--preset") { Description = $"A named spec: {string.Join(", ", ExperimentPresets.Names)}." };
        var specFile = new Option<string?>("--spec") { Description = "A spec file (JSON, snake_case fields of the spec; omitted fields take the paper-gaussian values)." };
        var replicas = new Option<int?>("--replicas") { Description = "Override the spec's number of replicas R." };
        var epochs = new Option<int?>("--epochs") { Description = "Override the spec's number of epochs E." };
        var storePath = new Option<string>("--store") { Description = $"The experiment store (SQLite file, created if missing); default {StoreLocation.Default}.", DefaultValueFactory = _ => StoreLocation.Default };
        var outDirectory = new Option<string?>("--out") { Description = $"Folder for fits.json, fits.csv and report.html; default {DefaultOutputFolder}/EXPERIMENT-ID." };
        var leaseSeconds = new Option<int>("--lease-seconds") { Description = "How long a claimed batch stays leased between renewals; after a crash, a rerun waits at most this long to resume it.", DefaultValueFactory = _ => 30 };
        var common = new CommonTrainingOptions();
        var command = new Command("run", "Train an ensemble, fit a PIGMM to every analysed layer after every epoch, and write the fits and the report; rerun the same command to resume an interrupted run.")
        {
            preset, specFile, replicas, epochs, storePath, outDirectory, leaseSeconds,
        };
        common.AddTo(command, withDataset: false);
        command.SetAction((parsed, cancellationToken) => Task.FromResult(CommandFailure.Guard("run", error, () =>
        {
            var spec = Spec(parsed.GetValue(preset), parsed.GetValue(specFile), parsed.GetValue(replicas), parsed.GetValue(epochs));
            if (parsed.GetValue(leaseSeconds) is < 3 or > 3600)
            {
                throw new InputException($"--lease-seconds must be 3 to 3600; got {parsed.GetValue(leaseSeconds)}.");
            }
            var trainer = common.Trainer(parsed);
            string? dataDirectory = common.DataDirectory(parsed);
            var services = new GrainServices(
                OpenStore(parsed.GetValue(storePath)!),
                new CpuTrainerBackend(trainer),
                name => DatasetCatalog.Load(name, dataDirectory))
            {
                LeaseDuration = TimeSpan.FromSeconds(parsed.GetValue(leaseSeconds)),
            };
            string outFolder = parsed.GetValue(outDirectory) ?? Path.Combine(DefaultOutputFolder, spec.Id);
            return RunAsync(services, spec, outFolder, output, error, cancellationToken).GetAwaiter().GetResult();
        })));
        return command;
    }

    private static async Task<int> RunAsync(GrainServices services, ExperimentSpec spec, string outFolder, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        await using var store = services.Store;
        await using var silo = new LocalSilo(services);
        silo.Waiting += message => error.WriteLine($"pigmm run: {message}");
        var status = await silo.SubmitAsync(spec);
        var plan = services.Plan(spec);
        output.WriteLine($"Experiment {status.ExperimentId}: {plan.Network}, {status.Replicas} replicas x {status.Epochs} epochs, {status.Layers} analysed {status.MatrixSize}x{status.MatrixSize} layers, store {store.Description}.");
        if (!status.Created)
        {
            output.WriteLine($"Resuming: {status.EpochsCommitted} of {status.EpochsTotal} replica-epochs are already stored.");
        }
        using var interruption = new Interruption(cancellationToken);
        var training = silo.RunAsync(status.ExperimentId, interruption.Token);
        await ExperimentMonitor.RunAsync(store, status.ExperimentId, ExperimentMonitor.ConsoleFor(output), training, interruption.Token);
        try
        {
            await training;
        }
        catch (OperationCanceledException) when (interruption.Token.IsCancellationRequested)
        {
            error.WriteLine("pigmm run: stopped; every completed epoch is stored. Run the same command again to resume.");
            return ExperimentMonitor.Cancelled;
        }
        await ExperimentOutputs.WriteAsync(store, status.ExperimentId, outFolder, CancellationToken.None);
        output.WriteLine($"Wrote {ExperimentOutputs.FitsJsonFileName}, {ExperimentOutputs.FitsCsvFileName} and {ExperimentOutputs.ReportFileName} to {outFolder}.");
        return 0;
    }

    private static ExperimentSpec Spec(string? preset, string? specFile, int? replicas, int? epochs)
    {
        ExperimentSpec spec = (preset, specFile) switch
        {
            (not null, not null) => throw new InputException("give either --preset or --spec, not both."),
            (null, null) => throw new InputException($"give --preset NAME ({string.Join(", ", ExperimentPresets.Names)}) or --spec FILE.json."),
            (not null, null) => ExperimentPresets.Find(preset) ?? throw new InputException($"unknown preset '{preset}'; the presets are {string.Join(", ", ExperimentPresets.Names)}."),
            _ => ExperimentSpecParser.Parse(File.ReadAllText(specFile!), ExperimentPresets.PaperGaussian),
        };
        spec = spec with { Replicas = replicas ?? spec.Replicas, Epochs = epochs ?? spec.Epochs };
        var problems = ExperimentSpecParser.Validate(spec);
        return problems.Count == 0 ? spec : throw new SpecException(problems);
    }

    private static SqliteStore OpenStore(string path)
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
