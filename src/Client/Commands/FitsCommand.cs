using System.CommandLine;
using OrleansPigmm.Outputs;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm fits</c> (alias <c>report</c>): an experiment's fits.json, fits.csv and report.html from its store.</summary>
internal static class FitsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var outDirectory = new Option<string>("--out") { Description = "Folder to write fits.json, fits.csv and report.html into (created if missing).", Required = true };
        var command = new Command("fits", "Write an experiment's fits (fits.json, fits.csv) and report (report.html) from its store; works during and after a run.")
        {
            outDirectory,
        };
        command.Aliases.Add("report");
        StoredExperiment.Attach(command, "fits", error, async (parsed, store, experiment, cancellationToken) =>
        {
            string folder = parsed.GetValue(outDirectory)!;
            var document = await OutputFolder.WriteAsync(folder, () => ExperimentOutputs.WriteAsync(store, experiment.Id, folder, cancellationToken)).ConfigureAwait(false);
            output.WriteLine($"Wrote {ExperimentOutputs.FitsJsonFileName}, {ExperimentOutputs.FitsCsvFileName} and {ExperimentOutputs.ReportFileName} of experiment {experiment.Id} ({document.Fits.Count} fits) to {folder}.");
            return 0;
        });
        return command;
    }
}

/// <summary>Turns a failure to write an output into bad input naming the path.</summary>
internal static class OutputFolder
{
    public static async Task<T> WriteAsync<T>(string path, Func<Task<T>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"cannot write '{path}': {failure.Message}");
        }
    }
}
