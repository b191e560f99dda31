using System.Diagnostics;
using System.Globalization;
using OrleansPigmm.Storage.Tests.Postgres;
using Xunit.Abstractions;

namespace OrleansPigmm.Cluster.Tests.Support;

/// <summary>One <c>pigmm silo</c> process of a harness, and where it listens.</summary>
/// <param name="Namespace">The network namespace it runs in, or null on the host.</param>
internal sealed record SiloHandle(PigmmProcess Process, int? Namespace, string Address, int SiloPort, int GatewayPort)
{
    public bool IsRunning => !Process.HasExited;

    public override string ToString() => $"silo {Address}:{SiloPort} (pid {Process.Id})";
}

/// <summary>
/// The fixture of one fault test: a throwaway PostgreSQL server, an Orleans cluster id of its own,
/// N <c>pigmm silo</c> processes on the server's database (each in a network namespace of its own
/// when partitioned), consoles against the cluster, and the store's counts read straight from the
/// database. Disposing kills every process, then removes the namespaces, the server and the
/// temporary folder, and writes the last lines of every process to the test's output.
/// </summary>
internal sealed class ClusterHarness : IAsyncDisposable
{
    /// <summary>How long a silo may take to join (two cores, several dotnet processes starting).</summary>
    public static readonly TimeSpan SiloReady = TimeSpan.FromSeconds(90);

    /// <summary>How long a whole faulty run may take.</summary>
    public static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(4);

    private const string ReadyLine = "pigmm silo: listening on gateway";
    private readonly ITestOutputHelper log;
    private readonly List<SiloHandle> silos = [];
    private readonly List<PigmmProcess> consoles = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private int outputs;
    private IDisposable? owed;

    private ClusterHarness(ITestOutputHelper log, ThrowawayServer server, NetworkNamespaces? network, string folder)
    {
        this.log = log;
        Server = server;
        Network = network;
        Folder = folder;
        StoreUrl = server.Url("postgres", network?.BridgeAddress ?? "127.0.0.1");
        Database = new StoreDatabase(server.Url("postgres"));
        ClusterId = $"faults-{Guid.NewGuid():N}"[..20];
        int seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), CultureInfo.InvariantCulture, out int given) ? given : Environment.TickCount & 0xFFFFF;
        Random = new Random(seed);
        log.WriteLine($"random choices of seed {seed} (set {SeedVariable} to repeat them)");
    }

    /// <summary>The variable that fixes the random choices of the tests (moments, victims).</summary>
    public const string SeedVariable = "PIGMM_FAULT_SEED";

    /// <summary>The random choices of this test: its seed is written to the test's output.</summary>
    public Random Random { get; }

    public ThrowawayServer Server { get; }

    /// <summary>The namespaces of a partitioned harness (silo i in namespace i), else null.</summary>
    public NetworkNamespaces? Network { get; }

    /// <summary>The store every silo and console is given (the bridge address when partitioned).</summary>
    public string StoreUrl { get; }

    /// <summary>The Orleans cluster id of this test, apart from every other test's.</summary>
    public string ClusterId { get; }

    public StoreDatabase Database { get; }

    public string Folder { get; }

    /// <summary>Every silo started, dead or alive, in order.</summary>
    public IReadOnlyList<SiloHandle> Silos => silos;

    public IReadOnlyList<SiloHandle> Running => silos.Where(silo => silo.IsRunning).ToList();

    /// <summary>Starts the server and <paramref name="count"/> silos, and waits until each has joined.</summary>
    /// <param name="partitioned">Each silo in a network namespace of its own, the server on their bridge.</param>
    public static async Task<ClusterHarness> StartAsync(ITestOutputHelper log, int count, bool partitioned = false)
    {
        NetworkNamespaces? network = partitioned ? NetworkNamespaces.Create(count) : null;
        ThrowawayServer server;
        try
        {
            server = network is null ? await ThrowawayServer.StartAsync() : await ThrowawayServer.StartAsync([network.BridgeAddress], network.Subnet);
        }
        catch
        {
            network?.Dispose();
            throw;
        }
        var harness = new ClusterHarness(log, server, network, Directory.CreateTempSubdirectory("pigmm-cluster-").FullName);
        // The server stops at once on SIGQUIT; its postmaster's pid heads postmaster.pid.
        string data = LeftBehind.Quote(Path.Combine(server.Folder, "data"));
        harness.owed = LeftBehind.Register($"kill -QUIT $(head -1 {data}/postmaster.pid); sleep 2; rm -rf {LeftBehind.Quote(server.Folder)} {LeftBehind.Quote(harness.Folder)}");
        try
        {
            harness.Log($"store {harness.StoreUrl}, cluster id {harness.ClusterId}");
            var starting = Enumerable.Range(0, count).Select(index => harness.Launch(partitioned ? index : null)).ToList();
            foreach (var silo in starting)
            {
                await harness.WaitUntilJoinedAsync(silo);
            }
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more silo (in namespace <paramref name="namespaceIndex"/> when given)
    /// and waits until it has joined.</summary>
    public async Task<SiloHandle> StartSiloAsync(int? namespaceIndex = null)
    {
        var silo = Launch(namespaceIndex);
        await WaitUntilJoinedAsync(silo);
        return silo;
    }

    /// <summary>Starts <c>pigmm COMMAND --cluster STORE --cluster-id ID ARGUMENTS</c> on the host.</summary>
    public PigmmProcess StartConsole(string command, params IEnumerable<string> arguments)
    {
        var console = PigmmProcess.Start($"console {consoles.Count + 1}", [command, "--cluster", StoreUrl, "--cluster-id", ClusterId, .. arguments]);
        consoles.Add(console);
        Log($"started {console.Name}, pid {console.Id}");
        return console;
    }

    /// <summary>Submits <see cref="FaultExperiment"/>; with <paramref name="wait"/> the console
    /// waits for its completion.</summary>
    public PigmmProcess Submit(bool wait) =>
        StartConsole("submit", [.. FaultExperiment.SpecArguments, .. wait ? new[] { "--wait" } : []]);

    /// <summary>Waits until <paramref name="count"/> replica-epochs of <paramref name="experiment"/>
    /// are committed; returns how many are.</summary>
    /// <param name="consoles">Consoles that must not end before (a console that ends means the
    /// run ended or failed before the fault could land).</param>
    public async Task<long> WaitForCommittedAsync(string experiment, long count, params PigmmProcess[] consoles)
    {
        var deadline = clock.Elapsed + RunLimit;
        while (true)
        {
            long? committed = await Database.CommittedAsync(experiment);
            if (committed >= count)
            {
                Log($"{committed} of {FaultExperiment.ReplicaEpochs} replica-epochs committed");
                Assert.True(committed < FaultExperiment.ReplicaEpochs, $"the run was complete before the fault meant for {count} replica-epochs could land: make it longer.");
                return committed.Value;
            }
            if (consoles.FirstOrDefault(console => console.HasExited) is { } ended)
            {
                Assert.Fail($"the run was to reach {count} replica-epochs ({committed} now) but a console ended first: {ended.Describe()}");
            }
            if (clock.Elapsed > deadline)
            {
                Assert.Fail($"{committed} replica-epochs committed, not {count}, after {RunLimit.TotalMinutes} min.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Waits for <paramref name="duration"/> of a fault, then asserts that the run went on
    /// meanwhile without the faulty silo: more replica-epochs are committed than
    /// <paramref name="before"/>, the count when the fault began.</summary>
    public async Task AssertProgressDuringAsync(TimeSpan duration, long before, string experiment)
    {
        var end = clock.Elapsed + duration;
        long? committed = null;
        while (clock.Elapsed < end)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            committed = await Database.CommittedAsync(experiment) ?? committed;
        }
        Log($"{committed} replica-epochs committed at the end of the fault, {before} at its start");
        if (!(committed > before))
        {
            Assert.Fail($"the run made no progress in {duration.TotalSeconds} s of the fault ({before} replica-epochs committed before, {committed} after); "
                + $"the sessions of the server:\n  {await Database.ActivityAsync()}");
        }
    }

    /// <summary>Asserts that <paramref name="silo"/>, declared dead while it could not answer,
    /// stops of itself within <paramref name="timeout"/> once it can again, with the exit code
    /// of a silo the cluster declared dead (3).</summary>
    public async Task AssertStopsAsync(SiloHandle silo, TimeSpan timeout)
    {
        int code = await silo.Process.WaitForExitAsync(timeout);
        Log($"{silo} stopped of itself with exit code {code}");
        Assert.Equal(3, code);
    }

    /// <summary>
    /// Runs <see cref="FaultExperiment"/> to completion through a silo made silent (frozen, cut
    /// off) for <paramref name="duration"/> at a random moment early in the run, and asserts what a
    /// silent silo must cost: it is declared dead, the run goes on meanwhile, it stops of itself
    /// once it can hear again, a new silo takes its place, and the run ends exactly as the local one.
    /// </summary>
    /// <param name="silence">Makes the silo silent.</param>
    /// <param name="restore">Lets it be heard again (also when an assertion failed meanwhile).</param>
    public async Task RunThroughASilentSiloAsync(LocalReference reference, TimeSpan duration, Action<SiloHandle> silence, Action<SiloHandle> restore)
    {
        string experiment = reference.ExperimentId;
        var submit = Submit(wait: true);
        long before = await WaitForCommittedAsync(experiment, FaultExperiment.Between(Random, 0.20, 0.35), submit);
        var victim = silos[Random.Next(silos.Count)];
        silence(victim);
        Log($"silenced {victim}");
        try
        {
            var progress = AssertProgressDuringAsync(duration, before, experiment);
            await AssertDeclaredDeadAsync(victim, duration);
            await progress;
        }
        finally
        {
            restore(victim);
            Log($"let {victim} be heard again");
        }
        await AssertStopsAsync(victim, TimeSpan.FromSeconds(60));
        await StartSiloAsync(victim.Namespace);
        await AssertSubmitCompletesAsync(submit, experiment);
        await AssertSameAsReferenceAsync(experiment, reference);
    }

    /// <summary>Kills <paramref name="silo"/> (SIGKILL).</summary>
    public void Kill(SiloHandle silo)
    {
        silo.Process.Kill();
        Log($"killed {silo}");
    }

    /// <summary>Asserts that <paramref name="console"/> (pigmm submit --wait) exits with 0 and
    /// prints the one final line of <paramref name="experiment"/>.</summary>
    public async Task AssertSubmitCompletesAsync(PigmmProcess console, string experiment)
    {
        await console.AssertSucceedsAsync(RunLimit);
        Log($"{console.Name} exited with 0");
        Assert.Equal([$"Experiment {experiment} complete: {FaultExperiment.Replicas} replicas x {FaultExperiment.Epochs} epochs."], console.Output);
    }

    /// <summary>Asserts that the store holds <paramref name="experiment"/> complete, each
    /// replica-epoch committed and folded once, and that its fits.json is the local reference's.</summary>
    public async Task AssertSameAsReferenceAsync(string experiment, LocalReference reference)
    {
        var counts = await Database.CountsAsync(experiment);
        Log($"store counts: {counts}");
        counts.AssertCompleteExactlyOnce(FaultExperiment.Replicas, FaultExperiment.Epochs);
        string folder = Path.Combine(Folder, $"fits-{++outputs}");
        using (var fits = PigmmProcess.Start("fits", ["fits", "--cluster", StoreUrl, experiment, "--out", folder]))
        {
            await fits.AssertSucceedsAsync(TimeSpan.FromMinutes(2));
        }
        byte[] written = await File.ReadAllBytesAsync(Path.Combine(folder, "fits.json"));
        Assert.True(written.AsSpan().SequenceEqual(reference.FitsJson),
            $"fits.json of the cluster run ({written.Length} bytes, in {folder}) differs from the local run's ({reference.FitsJson.Length} bytes).");
    }

    /// <summary>The membership rows of <paramref name="silo"/>'s address and silo port.</summary>
    public async Task<IReadOnlyList<MemberRow>> MembershipOfAsync(SiloHandle silo) =>
        (await Database.MembersAsync(ClusterId)).Where(row => row.Address == silo.Address && row.Port == silo.SiloPort).ToList();

    /// <summary>Asserts that the cluster's membership table declares <paramref name="silo"/> dead
    /// within <paramref name="timeout"/>.</summary>
    public async Task AssertDeclaredDeadAsync(SiloHandle silo, TimeSpan timeout)
    {
        var deadline = clock.Elapsed + timeout;
        while (true)
        {
            var rows = await MembershipOfAsync(silo);
            if (rows.Count > 0 && rows.All(row => row.Status == MemberRow.Dead))
            {
                Log($"{silo} declared dead in the membership table");
                return;
            }
            if (clock.Elapsed > deadline)
            {
                Assert.Fail($"{silo} is not declared dead after {timeout.TotalSeconds} s; its membership rows: {string.Join(", ", rows)}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Writes a line, with the seconds since the harness started, to the test's output.</summary>
    public void Log(string line) => log.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1} s] {line}");

    public async ValueTask DisposeAsync()
    {
        foreach (var process in consoles.Concat(silos.Select(silo => silo.Process)))
        {
            process.Kill();
            log.WriteLine(process.Describe());
            process.Dispose();
        }
        Network?.Dispose();
        try
        {
            await Server.DisposeAsync();
        }
        finally
        {
            Directory.Delete(Folder, recursive: true);
        }
        // Only once everything is gone: a failure above leaves it to the watcher at exit.
        owed?.Dispose();
    }

    private SiloHandle Launch(int? namespaceIndex)
    {
        if (namespaceIndex is not null && Network is null)
        {
            throw new InvalidOperationException("Only a partitioned harness has namespaces.");
        }
        string address = namespaceIndex is { } index ? Network!.Address(index) : "127.0.0.1";
        var (siloPort, gatewayPort) = (FreePorts.Next(), FreePorts.Next());
        string[] arguments =
        [
            "silo", "--store", StoreUrl, "--cluster-id", ClusterId, "--device", "cpu:1",
            "--silo-port", siloPort.ToString(CultureInfo.InvariantCulture), "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture),
            "--advertise", address,
        ];
        var process = PigmmProcess.Start($"silo {silos.Count + 1}", arguments, namespaceIndex is { } inside ? Network!.Exec(inside) : null);
        var silo = new SiloHandle(process, namespaceIndex, address, siloPort, gatewayPort);
        silos.Add(silo);
        Log($"started {silo}{(namespaceIndex is null ? "" : $" in {Network!.Name(namespaceIndex.Value)}")}");
        return silo;
    }

    private async Task WaitUntilJoinedAsync(SiloHandle silo)
    {
        await silo.Process.WaitForLineAsync(line => line.StartsWith(ReadyLine, StringComparison.Ordinal), SiloReady);
        Log($"{silo} joined");
    }
}
