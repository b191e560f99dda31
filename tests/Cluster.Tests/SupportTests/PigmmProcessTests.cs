using System.Globalization;
using OrleansPigmm.Cluster.Tests.Support;

namespace OrleansPigmm.Cluster.Tests.SupportTests;

/// <summary>The process wrapper of the fault tests, on today's local <c>pigmm silo</c>: started on
/// the host or in a namespace, its lines awaited, frozen, thawed, stopped and killed.</summary>
public sealed class PigmmProcessTests : IDisposable
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(60);
    private readonly string folder = Directory.CreateTempSubdirectory("pigmm-process-").FullName;

    [Fact(Timeout = 120_000)]
    public async Task ASiloInANamespaceIsFrozenThawedAndStoppedBySignals()
    {
        using var network = NetworkNamespaces.Create(1);
        using var silo = PigmmProcess.Start("silo in a namespace", SiloArguments("frozen.db"), network.Exec(0));

        string ready = await silo.WaitForLineAsync(line => line.StartsWith("pigmm silo: listening on gateway", StringComparison.Ordinal), Ready);

        Assert.Contains("device cpu, 1 threads", ready);
        Assert.Contains(silo.Id, network.Processes(0));
        Assert.Equal("dotnet", File.ReadAllText($"/proc/{Pid(silo)}/comm").Trim());
        silo.Freeze();
        Assert.True(await StateBecomesAsync(silo, "T"), "SIGSTOP stops the process");
        silo.Thaw();
        Assert.True(await StateBecomesAsync(silo, "S", "R"), "SIGCONT resumes it");
        Assert.Equal(0, await silo.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.True(silo.HasExited);
    }

    [Fact(Timeout = 120_000)]
    public async Task KillEndsTheProcessAtOnceAndDisposeOfARunningOneToo()
    {
        var silo = PigmmProcess.Start("silo", SiloArguments("killed.db"));
        await silo.WaitForLineAsync(line => line.StartsWith("pigmm silo: listening on gateway", StringComparison.Ordinal), Ready);

        silo.Kill();

        Assert.True(silo.HasExited);
        Assert.Equal(128 + 9, silo.ExitCode);
        using var other = PigmmProcess.Start("other silo", SiloArguments("disposed.db"));
        int pid = other.Id;
        await other.WaitForLineAsync(line => line.StartsWith("pigmm silo: listening on gateway", StringComparison.Ordinal), Ready);
        other.Dispose();
        Assert.False(Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}"));
        silo.Dispose();
    }

    [Fact(Timeout = 60_000)]
    public async Task AProcessThatEndsWithoutTheLineFailsTheWaitWithItsLastLines()
    {
        using var silo = PigmmProcess.Start("bad silo", ["silo", "--store", Path.Combine(folder, "bad.db"), "--device", "tpu"]);

        var failure = await Assert.ThrowsAsync<TimeoutException>(() => silo.WaitForLineAsync(line => line.Contains("listening", StringComparison.Ordinal), Ready));

        Assert.Equal(2, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("ended without the line expected", failure.Message);
        Assert.Contains("stderr: pigmm silo: --device must be cpu, cpu:N", silo.Describe());
        Assert.Contains("exited with 2", silo.Describe());
    }

    [Fact(Timeout = 60_000)]
    public async Task AWaitForALineThatNeverComesTimesOut()
    {
        using var silo = PigmmProcess.Start("silo", SiloArguments("waiting.db"));

        var failure = await Assert.ThrowsAsync<TimeoutException>(() => silo.WaitForLineAsync(line => line == "never", TimeSpan.FromSeconds(2)));

        Assert.Contains("did not write the line expected within 2 s", failure.Message);
        Assert.Contains("running", failure.Message);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string[] SiloArguments(string store) =>
    [
        "silo", "--store", Path.Combine(folder, store), "--device", "cpu:1",
        "--silo-port", FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        "--gateway-port", FreePorts.Next().ToString(CultureInfo.InvariantCulture),
    ];

    private static string Pid(PigmmProcess process) => process.Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether the process's state (the third field of /proc/PID/stat) becomes one of
    /// <paramref name="states"/> within a few seconds.</summary>
    private static async Task<bool> StateBecomesAsync(PigmmProcess process, params string[] states)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            string stat = await File.ReadAllTextAsync($"/proc/{Pid(process)}/stat");
            if (states.Contains(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0]))
            {
                return true;
            }
            await Task.Delay(100);
        }
        return false;
    }
}
