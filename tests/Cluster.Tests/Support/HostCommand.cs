using System.Diagnostics;

namespace OrleansPigmm.Cluster.Tests.Support;

/// <summary>The outcome of a short command of the host (ip, kill, bash).</summary>
internal sealed record HostCommandResult(int ExitCode, string Output, string Error);

/// <summary>Runs short commands of the host and waits for them.</summary>
internal static class HostCommand
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="program"/> and returns its exit code and output, whatever they are.</summary>
    public static HostCommandResult Try(string program, params IEnumerable<string> arguments) => TryFor(Limit, program, arguments);

    /// <summary>Runs <paramref name="program"/>, for at most <paramref name="limit"/>, and returns
    /// its exit code and output, whatever they are.</summary>
    public static HostCommandResult TryFor(TimeSpan limit, string program, params IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Describe(program, start.ArgumentList)} did not finish within {limit.TotalSeconds} s.");
        }
        process.WaitForExit();
        return new HostCommandResult(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Runs <paramref name="program"/> and returns its output.</summary>
    /// <exception cref="InvalidOperationException">It exited with a code other than 0.</exception>
    public static string Run(string program, params IEnumerable<string> arguments)
    {
        var list = arguments.ToList();
        var result = Try(program, list);
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"{Describe(program, list)} failed ({result.ExitCode}): {result.Output}{result.Error}");
    }

    /// <summary>Sends <paramref name="signal"/> (KILL, TERM, STOP, CONT) to the process <paramref name="pid"/>.</summary>
    public static void Signal(int pid, string signal) =>
        Run("kill", $"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The full path of an executable on PATH, as commands that run another program
    /// without a shell (ip netns exec) want it. Symbolic links are kept: some programs (psql's
    /// wrapper) tell what to run by the name they were started by.</summary>
    public static string Resolve(string program)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }
        throw new InvalidOperationException($"{program} is not on PATH.");
    }

    private static string Describe(string program, IEnumerable<string> arguments) => string.Join(' ', [program, .. arguments]);
}
