using Microsoft.Extensions.Logging;

namespace OrleansPigmm.Silo.Hosting;

/// <summary>
/// What a silo does when Orleans finds it cannot go on, above all when the cluster has declared it
/// dead (it was cut off or frozen past the detection time, and the others took over its
/// replicas): say so in one line and exit with <see cref="ExitCode"/>, so that an operator or an
/// orchestrator sees a silo to restart rather than a crash with a stack trace.
/// </summary>
/// <remarks>
/// Orleans' own handler aborts the process (exit code 134, a stack trace). Exiting normally runs
/// the host's shutdown, which for a silo already declared dead only deactivates grains that live
/// elsewhere by now; should it hang, the process aborts after <see cref="ShutdownLimit"/>.
/// </remarks>
internal sealed partial class DeclaredDeadExit(ILogger<DeclaredDeadExit> logger) : IFatalErrorHandler
{
    /// <summary>The exit code of a silo that stopped because it could not go on.</summary>
    public const int ExitCode = 3;

    private static readonly TimeSpan ShutdownLimit = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public bool IsUnexpected(Exception exception) => exception is not ThreadInterruptedException;

    /// <inheritdoc />
    public void OnFatalException(object? sender, string? context, Exception? exception)
    {
        string reason = exception is null ? context ?? "a fatal error" : $"{context}: {exception.Message}";
        LogStopping(logger, reason);
        Console.Error.WriteLine($"pigmm: this silo stops now ({reason}); start it again to rejoin the cluster.");
        Console.Error.Flush();
        var watchdog = new Thread(() =>
        {
            Thread.Sleep(ShutdownLimit);
            Environment.FailFast($"The silo did not stop within {ShutdownLimit.TotalSeconds:0} s of a fatal error: {reason}");
        })
        { IsBackground = true, Name = "pigmm shutdown watchdog" };
        watchdog.Start();
        Environment.Exit(ExitCode);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The silo stops: {Reason}")]
    private static partial void LogStopping(ILogger logger, string reason);
}
