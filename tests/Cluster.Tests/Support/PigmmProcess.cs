using System.Diagnostics;
using System.Globalization;

namespace OrleansPigmm.Cluster.Tests.Support;

/// <summary>
/// A real <c>pigmm</c> process (<c>dotnet pigmm.dll ARGS</c>, the console built beside the tests),
/// optionally inside a network namespace, with its output collected line by line. Faults are
/// signals: <see cref="Kill"/> (SIGKILL), <see cref="StopAsync"/> (SIGTERM), <see cref="Freeze"/>
/// and <see cref="Thaw"/> (SIGSTOP, SIGCONT). Killed when disposed.
/// </summary>
internal sealed class PigmmProcess : IDisposable
{
    private const int TailLines = 40;
    private const int KeptLines = 5000;
    private const string ErrorPrefix = "stderr: ";
    private readonly Process process;
    private readonly Lock gate = new();
    private readonly List<string> lines = [];
    private readonly List<string> output = [];
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource<string> Found)> waiters = [];
    private readonly TaskCompletionSource outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool disposed;
    private IDisposable? owed;

    private PigmmProcess(string name, Process process)
    {
        Name = name;
        this.process = process;
    }

    /// <summary>What the process is called in messages: its command and a label of the test's.</summary>
    public string Name { get; }

    /// <summary>The process id (of dotnet itself: ip netns exec replaces itself with the program).</summary>
    public int Id { get; private set; }

    public bool HasExited => process.HasExited;

    /// <summary>The exit code; the process must have exited.</summary>
    public int ExitCode => process.ExitCode;

    /// <summary>The lines written to stdout so far.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (gate)
            {
                return [.. output];
            }
        }
    }

    /// <summary>The lines written to stderr so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (gate)
            {
                return [.. lines.Where(line => line.StartsWith(ErrorPrefix, StringComparison.Ordinal)).Select(line => line[ErrorPrefix.Length..])];
            }
        }
    }

    /// <summary>The path of the console's assembly beside the tests.</summary>
    public static string Assembly => Path.Combine(AppContext.BaseDirectory, "pigmm.dll");

    /// <summary>The full path of the dotnet host running the tests, which runs pigmm.dll too.</summary>
    public static string Dotnet { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
        ? host
        : HostCommand.Resolve("dotnet");

    /// <summary>Starts <c>pigmm ARGUMENTS</c>, inside the namespace whose <c>ip netns exec</c>
    /// prefix is <paramref name="prefix"/> when one is given.</summary>
    public static PigmmProcess Start(string label, IEnumerable<string> arguments, IReadOnlyList<string>? prefix = null) =>
        Launch(label, [.. prefix ?? [], Dotnet, Assembly], arguments, environment: null);

    /// <summary>Starts <paramref name="program"/> (its path, after any <c>ip netns exec</c>
    /// prefix) with <paramref name="arguments"/>; with <paramref name="environment"/>, in exactly
    /// that environment instead of this process's.</summary>
    public static PigmmProcess Launch(string label, IReadOnlyList<string> program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var argumentList = arguments.ToList();
        string[] command = [.. program, .. argumentList];
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        if (environment is null)
        {
            // No live terminal view and no colours: plain lines.
            start.Environment["NO_COLOR"] = "1";
            start.Environment["TERM"] = "dumb";
        }
        else
        {
            start.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }
        var pigmm = new PigmmProcess($"{label} (pigmm {string.Join(' ', argumentList.Take(1))})", new Process { StartInfo = start });
        pigmm.process.OutputDataReceived += (_, line) => pigmm.Receive(line.Data, stdout: true);
        pigmm.process.ErrorDataReceived += (_, line) => pigmm.Receive(line.Data, stdout: false);
        pigmm.process.Start();
        pigmm.Id = pigmm.process.Id;
        pigmm.owed = LeftBehind.Register($"kill -KILL {pigmm.Id.ToString(CultureInfo.InvariantCulture)}");
        pigmm.process.StandardInput.Close();
        pigmm.process.BeginOutputReadLine();
        pigmm.process.BeginErrorReadLine();
        return pigmm;
    }

    /// <summary>The first stdout line matching <paramref name="predicate"/>, written already or
    /// within <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">No such line came in time, or the process ended without one.</exception>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (output.FirstOrDefault(predicate) is { } already)
            {
                return already;
            }
            waiters.Add((predicate, found));
        }
        var first = await Task.WhenAny(found.Task, outputClosed.Task, Task.Delay(timeout));
        if (found.Task.IsCompleted)
        {
            return await found.Task;
        }
        lock (gate)
        {
            waiters.RemoveAll(waiter => waiter.Found == found);
        }
        if (first == outputClosed.Task)
        {
            // Its output ends as it exits: say how it ended.
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        throw new TimeoutException(first == outputClosed.Task
            ? $"{Describe()} ended without the line expected."
            : $"{Describe()} did not write the line expected within {timeout.TotalSeconds} s.");
    }

    /// <summary>Waits until the process has exited and its output is read; returns its exit code.</summary>
    /// <exception cref="TimeoutException">It is still running after <paramref name="timeout"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            await Task.WhenAll(outputClosed.Task, errorClosed.Task).WaitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Describe()} was still running after {timeout.TotalSeconds} s.");
        }
        return process.ExitCode;
    }

    /// <summary>Asserts that the process exits with 0 within <paramref name="timeout"/>.</summary>
    public async Task AssertSucceedsAsync(TimeSpan timeout)
    {
        int code = await WaitForExitAsync(timeout);
        Assert.True(code == 0, $"{Describe()} failed.");
    }

    /// <summary>Kills the process at once (SIGKILL, whatever it spawned too) and waits until it is gone.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }
        }
        process.WaitForExit();
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits for it; returns its exit code.</summary>
    public Task<int> StopAsync(TimeSpan timeout)
    {
        if (!process.HasExited)
        {
            HostCommand.Try("kill", "-TERM", Id.ToString(CultureInfo.InvariantCulture));
        }
        return WaitForExitAsync(timeout);
    }

    /// <summary>Suspends the process (SIGSTOP): it holds its sockets and answers nothing.</summary>
    public void Freeze() => HostCommand.Signal(Id, "STOP");

    /// <summary>Resumes a frozen process (SIGCONT).</summary>
    public void Thaw() => HostCommand.Signal(Id, "CONT");

    /// <summary>The process, its state and the last lines of its output, for a failure message.</summary>
    public string Describe()
    {
        string state = process.HasExited ? $"exited with {process.ExitCode}" : "running";
        string[] tail;
        lock (gate)
        {
            tail = [.. lines.TakeLast(TailLines)];
        }
        return tail.Length == 0
            ? $"{Name}, pid {Id}, {state}; no output"
            : $"{Name}, pid {Id}, {state}; its last output lines:\n  {string.Join("\n  ", tail)}";
    }

    public void Dispose()
    {
        if (!disposed)
        {
            Kill();
            owed?.Dispose();
            process.Dispose();
            disposed = true;
        }
    }

    private void Receive(string? line, bool stdout)
    {
        if (line is null)
        {
            (stdout ? outputClosed : errorClosed).TrySetResult();
            return;
        }
        List<TaskCompletionSource<string>> matched = [];
        lock (gate)
        {
            Keep(lines, stdout ? line : ErrorPrefix + line);
            if (!stdout)
            {
                return;
            }
            Keep(output, line);
            foreach (var waiter in waiters.Where(waiter => waiter.Predicate(line)).ToList())
            {
                waiters.Remove(waiter);
                matched.Add(waiter.Found);
            }
        }
        foreach (var found in matched)
        {
            found.TrySetResult(line);
        }
    }

    /// <summary>Adds a line, forgetting the oldest beyond <see cref="KeptLines"/>.</summary>
    private static void Keep(List<string> kept, string line)
    {
        if (kept.Count == KeptLines)
        {
            kept.RemoveRange(0, KeptLines / 10);
        }
        kept.Add(line);
    }
}
