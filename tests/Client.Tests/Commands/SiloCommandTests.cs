using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OrleansPigmm.Client.Tests.Support;

namespace OrleansPigmm.Client.Tests.Commands;

/// <summary>A real <c>pigmm silo</c> process on free ports, shared by the tests of a class.</summary>
public sealed class SiloProcessFixture : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public SiloProcessFixture()
    {
        Store = directory.File("silo.db");
        Silo = SiloProcess.Start(Store, out int siloPort, out int gatewayPort);
        (SiloPort, GatewayPort) = (siloPort, gatewayPort);
    }

    public string Store { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    internal SiloProcess Silo { get; }

    public string File(string name) => directory.File(name);

    public void Dispose()
    {
        Silo.Dispose();
        directory.Dispose();
    }
}

/// <summary>A <c>pigmm silo</c> process, its output collected, killed on dispose.</summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly TaskCompletionSource<string> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> output = new();

    private SiloProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Starts a silo on <paramref name="store"/> on free ports with <paramref name="options"/>
    /// (two training threads unless they name a --device), and waits until it says it is ready.</summary>
    public static SiloProcess Start(string store, out int siloPort, out int gatewayPort, params string[] options)
    {
        (siloPort, gatewayPort) = (FreePort(), FreePort());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] device = options.Contains("--device") ? [] : ["--device", "cpu:2"];
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "pigmm.dll"), "silo", "--store", store,
            "--silo-port", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--gateway-port", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            .Concat(device).Concat(options))
        {
            start.ArgumentList.Add(arg);
        }
        var silo = new SiloProcess(new Process { StartInfo = start });
        silo.Process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                silo.output.Enqueue(text);
                if (text.StartsWith("pigmm silo: listening", StringComparison.Ordinal))
                {
                    silo.ready.TrySetResult(text);
                }
            }
        };
        silo.Process.ErrorDataReceived += (_, _) => { };
        silo.Process.Start();
        silo.Process.BeginOutputReadLine();
        silo.Process.BeginErrorReadLine();
        if (!silo.ready.Task.Wait(TimeSpan.FromSeconds(30)))
        {
            silo.Dispose();
            throw new TimeoutException("pigmm silo did not say it was ready within 30 s");
        }
        return silo;
    }

    public string ReadyLine => ready.Task.Result;

    /// <summary>The lines the silo wrote on standard output so far.</summary>
    public IReadOnlyCollection<string> Output => output;

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }
        Process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class SiloCommandTests(SiloProcessFixture silo) : IClassFixture<SiloProcessFixture>
{
    [Fact]
    public void SubmittedExperimentsCompleteOnTheSiloAndTheirFitsAreInItsStore()
    {
        Assert.Contains($"listening on gateway {silo.Gateway} (silo 127.0.0.1:{silo.SiloPort}), a cluster of one, store sqlite:", silo.Silo.ReadyLine);
        Assert.Contains("device cpu, 2 threads", silo.Silo.ReadyLine);

        var first = Cli.Run("submit", "--gateway", silo.Gateway, "--preset", "quick", "--replicas", "4", "--epochs", "1", "--wait");

        Assert.True(first.ExitCode == 0, first.Error);
        var line = Assert.Single(first.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches("^Experiment [0-9a-f]{16} complete: 4 replicas x 1 epochs\\.$", line.TrimEnd('\r'));
        string id = line.Split(' ')[1];
        var status = Cli.Run("status", "--gateway", silo.Gateway, id);
        Assert.Equal(0, status.ExitCode);
        Assert.Equal($"Experiment {id}: complete, 8 of 8 replica-epochs committed, 4 of 4 replicas finished.", status.Output.Trim());

        var fits = Cli.Run("fits", "--store", silo.Store, id, "--out", silo.File("fits"));
        Assert.True(fits.ExitCode == 0, fits.Error);
        using (var document = JsonDocument.Parse(File.ReadAllText(silo.File("fits/fits.json"))))
        {
            Assert.Equal(3 * 2, document.RootElement.GetProperty("fits").GetArrayLength());
        }

        // The same silo takes any number of experiments.
        var second = Cli.Run("submit", "--gateway", silo.Gateway, "--preset", "quick", "--replicas", "3", "--epochs", "1", "--seed", "7", "--wait");
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("complete: 3 replicas x 1 epochs.", second.Output);
        Assert.DoesNotContain(id, second.Output);
    }

    [Fact]
    public void CancelStopsARunningExperiment()
    {
        var submitted = Cli.Run("submit", "--gateway", silo.Gateway, "--preset", "quick", "--replicas", "40", "--epochs", "5", "--seed", "11");
        Assert.True(submitted.ExitCode == 0, submitted.Error);
        Assert.Matches("^Experiment [0-9a-f]{16} submitted \\(40 replicas x 5 epochs\\)\\.$", submitted.Output.Trim());
        string id = submitted.Output.Split(' ')[1];

        var cancelled = Cli.Run("cancel", "--gateway", silo.Gateway, id);

        Assert.True(cancelled.ExitCode == 0, cancelled.Error);
        Assert.StartsWith($"Experiment {id}: cancelled, ", cancelled.Output.Trim());
        Assert.StartsWith($"Experiment {id}: cancelled, ", Cli.Run("status", "--gateway", silo.Gateway, id).Output.Trim());
    }

    [Fact]
    public void AnUnknownExperimentIsOneLine()
    {
        var line = Cli.Run("status", "--gateway", silo.Gateway, "0000000000000000").AssertBadInput("status");

        Assert.Contains("no experiment '0000000000000000'", line);
        Assert.Contains("no experiment", Cli.Run("cancel", "--gateway", silo.Gateway, "0000000000000000").AssertBadInput("cancel"));
    }

    [Fact]
    public void AnUnreachableGatewayIsOneLineWithinSeconds()
    {
        int closed;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closed = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var clock = Stopwatch.StartNew();

        var line = Cli.Run("submit", "--gateway", $"127.0.0.1:{closed}", "--preset", "quick", "--wait").AssertBadInput("submit");

        Assert.StartsWith($"pigmm submit: cannot reach the cluster at 127.0.0.1:{closed}: ", line);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public void ASecondSiloOnTheSamePortsIsOneLineNamingThePort()
    {
        var line = Cli.Run("silo", "--store", silo.File("other.db"), "--silo-port", silo.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", silo.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture)).AssertBadInput("silo");

        Assert.Contains($"port {silo.SiloPort}", line);
        Assert.Contains("already in use", line);
    }

    [Theory]
    [InlineData("--device", "tpu", "--device must be cpu, cpu:N (N training threads, at least 1), gpu, gpu:K (CUDA device K) or gpu-emulated")]
    [InlineData("--device", "cpu:0", "--device must be cpu, cpu:N")]
    [InlineData("--device", "gpu:99", "no CUDA device")]
    [InlineData("--store", "", "the file is not a SQLite database")]
    public void RefusesABadDeviceOrStoreWithOneLine(string option, string value, string expected)
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.File("junk.db"), "not a database");
        string[] args = option == "--store" ? ["silo", "--store", directory.File("junk.db")] : ["silo", "--store", directory.File("s.db"), option, value];

        string[] ports = ["--silo-port", SiloProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--gateway-port", SiloProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)];

        var line = Cli.Run([.. args, .. ports]).AssertBadInput("silo");

        Assert.Contains(expected, line);
    }

    [Theory]
    [InlineData("silo", "8080", null, "--http must be ADDRESS:PORT")]
    [InlineData("silo", "127.0.0.1:70000", null, "--http must be ADDRESS:PORT")]
    [InlineData("silo", null, "token.txt", "--api-token-file needs --http")]
    [InlineData("silo", "127.0.0.1:FREE", "missing.txt", "the API token file")]
    [InlineData("run", "localhost", null, "--http must be ADDRESS:PORT")]
    public void RefusesABadHttpEndpointOrTokenFileWithOneLine(string command, string? http, string? tokenFile, string expected)
    {
        // Proves the HTTP API's options are checked before anything starts.
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.File("token.txt"), "secret\n");
        var args = new List<string> { command, "--store", directory.File("s.db") };
        if (command == "silo")
        {
            args.AddRange(["--silo-port", Port(SiloProcess.FreePort()), "--gateway-port", Port(SiloProcess.FreePort())]);
        }
        else
        {
            args.AddRange(["--preset", "quick"]);
        }
        if (http is not null)
        {
            args.AddRange(["--http", http.Replace("FREE", Port(SiloProcess.FreePort()), StringComparison.Ordinal)]);
        }
        if (tokenFile is not null)
        {
            args.AddRange(["--api-token-file", directory.File(tokenFile)]);
        }

        var line = Cli.Run([.. args]).AssertBadInput(command);

        Assert.Contains(expected, line);
    }

    [Fact]
    public async Task A_silo_with_http_serves_the_API_with_the_token_of_its_token_file()
    {
        // Proves --http and --api-token-file reach the API: its address in the ready line, writes
        // taken with the file's token and refused with another.
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.File("token.txt"), "file-token\n");
        int port = SiloProcess.FreePort();
        using var own = SiloProcess.Start(directory.File("api.db"), out _, out _, "--http", $"127.0.0.1:{port}", "--api-token-file", directory.File("token.txt"));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        HttpRequestMessage Submit(string token) => new(HttpMethod.Post, "/api/experiments")
        {
            Content = new StringContent("""{"preset": "quick", "replicas": 2, "epochs": 1}"""),
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token) },
        };

        using var refused = await client.SendAsync(Submit("other"));
        using var created = await client.SendAsync(Submit("file-token"));

        Assert.Contains($"HTTP API http://127.0.0.1:{port}", own.ReadyLine);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task SigtermStopsTheSiloGracefullyWithExitCodeZero()
    {
        using var directory = new TemporaryDirectory();
        using var own = SiloProcess.Start(directory.File("own.db"), out _, out _);

        using (var kill = Process.Start("kill", ["-TERM", own.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await own.Process.WaitForExitAsync(limit.Token);

        Assert.Equal(0, own.Process.ExitCode);
    }
}
