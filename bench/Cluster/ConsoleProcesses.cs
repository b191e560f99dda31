using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OrleansPigmm.Benchmarks.Cluster;

/// <summary>How to start the pigmm console as a child process: the program and the arguments that
/// come before a command's own.</summary>
/// <param name="FileName">The program: the console's own executable, or the dotnet host.</param>
/// <param name="LeadingArguments">The console's assembly when the dotnet host runs it, else nothing.</param>
public sealed record PigmmExecutable(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>The console whose entry assembly is <paramref name="assemblyPath"/> (pigmm.dll):
    /// this very process's executable when it is that console's, else the dotnet host (this one
    /// when it runs under dotnet, as tests do) running the assembly.</summary>
    public static PigmmExecutable For(string assemblyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(assemblyPath);
        string? current = Environment.ProcessPath;
        string name = Path.GetFileNameWithoutExtension(assemblyPath);
        if (current is not null && Path.GetFileNameWithoutExtension(current) == name)
        {
            return new PigmmExecutable(current, []);
        }
        string host = current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        return new PigmmExecutable(host, [assemblyPath]);
    }
}

/// <summary>
/// The console processes a benchmark starts, so that none outlives it: disposing the group (on
/// success, failure or Ctrl+C) stops every one still running, and so does this process's exit.
/// Each has this process's environment with <paramref name="environment"/> added.
/// </summary>
public sealed class ConsoleProcesses(PigmmExecutable executable, IReadOnlyDictionary<string, string> environment) : IDisposable
{
    private readonly List<ConsoleProcess> started = [];
    private readonly Lock gate = new();
    private bool disposed;

    /// <summary>Starts <c>pigmm ARGS</c>, its output collected; <paramref name="name"/> names it in messages.</summary>
    public ConsoleProcess Start(string name, params string[] arguments)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (started.Count == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            }
            var process = ConsoleProcess.Start(executable, environment, name, arguments);
            started.Add(process);
            return process;
        }
    }

    /// <summary>Runs <c>pigmm ARGS</c> to its end and returns its wall time in seconds.</summary>
    /// <exception cref="InvalidOperationException">It exits with a code other than 0.</exception>
    public async Task<double> RunAsync(string name, string[] arguments, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var process = Start(name, arguments);
        await process.WaitForSuccessAsync(cancellationToken).ConfigureAwait(false);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Stops every process still running: a signal to stop gracefully, then a kill for
    /// any not gone within <paramref name="grace"/>.</summary>
    public async Task StopAllAsync(TimeSpan grace)
    {
        ConsoleProcess[] running;
        lock (gate)
        {
            running = [.. started.Where(p => !p.HasExited)];
        }
        await Task.WhenAll(running.Select(p => p.StopAsync(grace))).ConfigureAwait(false);
    }

    /// <summary>Kills every process still running, at once.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }
            disposed = true;
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            foreach (var process in started)
            {
                process.Dispose();
            }
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();
}

/// <summary>One console process: its first and last lines of output (standard output and error
/// together), the first line that starts with a given text, and ways to stop it.</summary>
public sealed class ConsoleProcess : IDisposable
{
    private const int KeptLines = 20;
    private const int FirstLinesKept = 50;
    private const int SignalTerminate = 15;
    private readonly Process process;
    private readonly List<string> firstLines = [];
    private readonly Queue<string> tail = new();
    private readonly List<(string Prefix, TaskCompletionSource<string> Seen)> awaited = [];
    private readonly Lock gate = new();
    private bool disposed;

    private ConsoleProcess(Process process, string name)
    {
        this.process = process;
        Name = name;
    }

    /// <summary>What the process is, for messages.</summary>
    public string Name { get; }

    /// <summary>The operating system's process id.</summary>
    public int Id => process.Id;

    /// <summary>Whether the process has ended (or was released).</summary>
    public bool HasExited => disposed || process.HasExited;

    internal static ConsoleProcess Start(PigmmExecutable executable, IReadOnlyDictionary<string, string> environment, string name, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in executable.LeadingArguments.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (variable, value) in environment)
        {
            start.Environment[variable] = value;
        }
        var console = new ConsoleProcess(new Process { StartInfo = start }, name);
        console.process.OutputDataReceived += (_, line) => console.Receive(line.Data);
        console.process.ErrorDataReceived += (_, line) => console.Receive(line.Data);
        console.process.Start();
        console.process.BeginOutputReadLine();
        console.process.BeginErrorReadLine();
        return console;
    }

    /// <summary>Waits for the first line of output that starts with <paramref name="prefix"/> and
    /// returns it.</summary>
    /// <exception cref="InvalidOperationException">The process ends first, or says nothing of the
    /// kind within <paramref name="timeout"/>.</exception>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource<string> seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (firstLines.Concat(tail).FirstOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal)) is { } already)
            {
                return already;
            }
            awaited.Add((prefix, seen));
        }
        var exited = process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(seen.Task, exited).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (first == seen.Task)
        {
            return await seen.Task.ConfigureAwait(false);
        }
        await exited.ConfigureAwait(false);
        throw Failure($"ended (exit code {process.ExitCode}) before saying '{prefix}'");
    }

    /// <summary>Waits for the process to end with exit code 0.</summary>
    /// <exception cref="InvalidOperationException">It ends with another code.</exception>
    public async Task WaitForSuccessAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw Failure($"failed with exit code {process.ExitCode}");
        }
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash of its host would end it.</summary>
    public void Kill()
    {
        if (!HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Asks the process to stop (SIGTERM: a silo leaves its cluster gracefully) and kills
    /// it if it has not ended within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (HasExited)
        {
            return;
        }
        _ = NativeSignals.Send(process.Id, SignalTerminate);
        using var limit = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>Kills the process if it still runs, and releases it.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }
        try
        {
            Kill();
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Never started, or already gone.
        }
        disposed = true;
        process.Dispose();
    }

    private InvalidOperationException Failure(string what)
    {
        string output;
        lock (gate)
        {
            output = string.Join(Environment.NewLine, tail);
        }
        return new InvalidOperationException($"{Name} {what}; its last output:{Environment.NewLine}{output}");
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (gate)
        {
            if (firstLines.Count < FirstLinesKept)
            {
                firstLines.Add(line);
            }
            tail.Enqueue(line);
            if (tail.Count > KeptLines)
            {
                tail.Dequeue();
            }
            foreach (var (prefix, seen) in awaited.Where(a => line.StartsWith(a.Prefix, StringComparison.Ordinal)))
            {
                seen.TrySetResult(line);
            }
        }
    }

    private static class NativeSignals
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Send(int pid, int signal);
    }
}
