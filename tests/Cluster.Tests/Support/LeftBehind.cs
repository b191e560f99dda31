using System.Diagnostics;
using System.Globalization;

namespace OrleansPigmm.Cluster.Tests.Support;

/// <summary>
/// Cleanups still owed should the test process end first. xunit abandons a test that timed out
/// while its fixture still holds processes, network namespaces and a server, and the test host
/// may then be killed outright, so no handler of its own would run: each owed cleanup is a shell
/// script that a watcher process of its own (in a session of its own, so that killing the test
/// host's process tree spares it) runs once the test host is gone. Disposing the registration
/// tells the watcher the cleanup was done, and it exits without running anything.
/// </summary>
internal static class LeftBehind
{
    /// <summary>Runs <paramref name="script"/> (bash) if this process ends before the returned
    /// registration is disposed.</summary>
    public static IDisposable Register(string script)
    {
        string done = Path.Combine(Path.GetTempPath(), $"pigmm-owed-{Guid.NewGuid():N}");
        string host = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        string watcher = $"while kill -0 {host} 2>/dev/null && [ ! -e '{done}' ]; do sleep 0.5; done; "
            + $"if [ -e '{done}' ]; then rm -f '{done}'; exit 0; fi; {script}";
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "bash", "-c", watcher })
        {
            start.ArgumentList.Add(argument);
        }
        using (var process = Process.Start(start)!)
        {
            process.StandardInput.Close();
        }
        return new Registration(done);
    }

    /// <summary>A shell word of <paramref name="value"/> (single-quoted).</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private sealed class Registration(string done) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (!disposed)
            {
                File.WriteAllText(done, "");
                disposed = true;
            }
        }
    }
}
