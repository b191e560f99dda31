using System.CommandLine;
using OrleansPigmm.Client.Commands;

namespace OrleansPigmm.Client;

/// <summary>The `pigmm` command tree and its exit-code policy: 0 success, 1 internal failure,
/// 2 bad input (arguments, files, specs); bad input prints one line to standard error.</summary>
public static class PigmmCommandLine
{
    /// <summary>Exit code for bad input of any kind.</summary>
    public const int BadInput = 2;

    /// <summary>Builds the command tree; commands write to <paramref name="output"/>.</summary>
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("OrleansPigmm: train ensembles of neural networks and fit permutation-invariant Gaussian matrix models to their weights.");
        root.Subcommands.Add(RunCommand.Create(output, error));
        root.Subcommands.Add(SiloCommand.Create(output, error));
        root.Subcommands.Add(SubmitCommand.Create(output, error));
        root.Subcommands.Add(ClusterStatusCommands.Status(output, error));
        root.Subcommands.Add(ClusterStatusCommands.Cancel(output, error));
        root.Subcommands.Add(TrainCommand.Create(output, error));
        root.Subcommands.Add(FitCommand.Create(output, error));
        root.Subcommands.Add(WassersteinCommand.Create(output, error));
        root.Subcommands.Add(WatchCommand.Create(output, error));
        root.Subcommands.Add(FitsCommand.Create(output, error));
        root.Subcommands.Add(ExportCommand.Create(output, error));
        root.Subcommands.Add(DbCommand.Create(output, error));
        root.Subcommands.Add(BenchCommand.Create(output, error));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parsed = Build(output, error).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine($"pigmm: {parseError.Message}");
            }
            error.WriteLine("Run 'pigmm --help' to see the commands and their options.");
            return BadInput;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
