using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Orleans.Runtime;
using OrleansPigmm.Benchmarks.Harness;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Postgres;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Benchmarks.Cluster;

/// <summary>An Orleans client connected to the cluster <paramref name="clusterId"/> whose
/// membership the benchmark's database keeps, as the console connects: its grains, and the
/// connection to dispose.</summary>
public delegate Task<(IGrainFactory Grains, IAsyncDisposable Connection)> ClusterConnector(string clusterId, CancellationToken cancellationToken);

/// <summary>A benchmark cannot run on what it was given; the message says why, in one line.</summary>
public sealed class BenchmarkRefusedException(string message) : Exception(message);

/// <summary>What the cluster benchmark runs.</summary>
/// <param name="PostgresUrl">The database of the clusters: postgres://USER@HOST:PORT/DB (password in PGPASSWORD).</param>
/// <param name="Store">The store in that database (its default schema, which silos use).</param>
/// <param name="Replicas">Replicas R of the paper's net, in both scenarios.</param>
/// <param name="Epochs">Epochs E of the overhead scenario.</param>
/// <param name="RecoveryEpochs">Epochs of the recovery scenario (at least 3: the kill comes during epoch 3).</param>
/// <param name="DataDirectory">Data folder, or null for the default.</param>
/// <param name="Executable">How to start pigmm consoles.</param>
/// <param name="Connect">How to connect an Orleans client to a cluster on the database.</param>
public sealed record ClusterBenchmarkOptions(
    string PostgresUrl, IPigmmStore Store, int Replicas, int Epochs, int RecoveryEpochs, string? DataDirectory, PigmmExecutable Executable, ClusterConnector Connect);

/// <summary>
/// What a cluster of silos on PostgreSQL costs against local mode, and how it recovers from a
/// silo that dies. Every silo and console is a child process of the pigmm console; each scenario
/// has a cluster id of its own and an experiment of its own seed (chosen afresh for each run of
/// the benchmark), so no run resumes another's work; the experiments stay in the database.
/// </summary>
public static class ClusterBenchmark
{
    /// <summary>The line a silo prints once it has joined its cluster.</summary>
    private const string ReadyLine = "pigmm silo: listening on gateway";

    /// <summary>Orleans' SiloStatus.Dead, as the membership table keeps it.</summary>
    private const int DeadStatus = 6;

    private static readonly TimeSpan SiloStartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task RunAsync(ClusterBenchmarkOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        long seed = Random.Shared.NextInt64(1, 1L << 40);
        var overheadSpec = ExperimentPresets.PaperGaussian with { Replicas = options.Replicas, Epochs = options.Epochs, Seed = seed };
        var recoverySpec = overheadSpec with { Epochs = options.RecoveryEpochs, Seed = seed + 1 };
        var store = options.Store;
        await RefuseRunningExperimentsAsync(store, cancellationToken).ConfigureAwait(false);
        output.WriteLine(Invariant(
            $"Cluster benchmark: paper net 784-10-10-10-10, R = {options.Replicas}, seed {seed}; clusters on {store.Description}; {Environment.ProcessorCount} cores on this host."));
        var folder = Directory.CreateTempSubdirectory("pigmm-bench-cluster-");
        var environment = new Dictionary<string, string>();
        if (options.DataDirectory is not null)
        {
            // pigmm submit checks the spec against the data too, and has no --data-dir.
            environment[DatasetCatalog.DataDirectoryVariable] = Path.GetFullPath(options.DataDirectory);
        }
        using var processes = new ConsoleProcesses(options.Executable, environment);
        var clusters = new List<string>();
        try
        {
            output.WriteLine();
            await OverheadAsync(options, overheadSpec, processes, clusters, folder.FullName, output, cancellationToken).ConfigureAwait(false);
            output.WriteLine();
            await RecoveryAsync(options, recoverySpec, processes, clusters, output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await processes.StopAllAsync(StopGrace).ConfigureAwait(false);
            // An experiment left running would be resumed by any later silo on this database.
            await CancelUnfinishedAsync(store, [overheadSpec.Id, recoverySpec.Id]).ConfigureAwait(false);
            await ForgetClustersAsync(options.PostgresUrl, clusters).ConfigureAwait(false);
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The same experiment by <c>pigmm run</c> on the embedded store (the baseline) and
    /// by two silos on PostgreSQL through <c>pigmm submit --wait</c>; their fits must be equal.</summary>
    private static async Task OverheadAsync(ClusterBenchmarkOptions options, ExperimentSpec spec, ConsoleProcesses processes, List<string> clusters, string folder,
        TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine(Invariant(
            $"Cluster overhead, E = {spec.Epochs}: wall time of pigmm run --device cpu:2 on a fresh SQLite file (the whole command), and of pigmm submit --wait to two silos of --device cpu:1 on PostgreSQL (silos started beforehand, not timed)."));
        string localFits = Path.Combine(folder, "local");
        double local = await processes.RunAsync("pigmm run", ["run", "--store", Path.Combine(folder, "local.db"), "--device", "cpu:2", .. SpecArguments(spec), "--out", localFits],
            cancellationToken).ConfigureAwait(false);

        string clusterFits = Path.Combine(folder, "cluster");
        var cluster = await BenchCluster.StartAsync(options, processes, clusters, 2, cancellationToken).ConfigureAwait(false);
        string[] target = ["--cluster", options.PostgresUrl, "--cluster-id", cluster.Id];
        var (grains, connection) = await options.Connect(cluster.Id, cancellationToken).ConfigureAwait(false);
        double clustered;
        IReadOnlyList<int> perSilo;
        await using (connection.ConfigureAwait(false))
        {
            var submit = processes.RunAsync("pigmm submit", ["submit", .. target, .. SpecArguments(spec), "--wait"], cancellationToken);
            // Where the replicas train, looked up once while they all do (every one has committed epoch 0).
            var progress = new ProgressClock(options.Store, spec.Id, cluster.Silos, PollInterval);
            await Task.WhenAny(submit, progress.UntilEveryReplicaAsync(0, cancellationToken)).ConfigureAwait(false);
            perSilo = cluster.ReplicaCounts(await PlacementAsync(grains, spec.Id).ConfigureAwait(false));
            clustered = await submit.ConfigureAwait(false);
        }
        await cluster.StopAsync().ConfigureAwait(false);
        await processes.RunAsync("pigmm fits", ["fits", .. target, spec.Id, "--out", clusterFits], cancellationToken).ConfigureAwait(false);

        long replicaEpochs = (long)spec.Replicas * (spec.Epochs + 1);
        var table = new TextTable("run", "wall time", "replica-epochs/s");
        table.Add("local: pigmm run, cpu:2, SQLite", Units.Seconds(local), Invariant($"{replicaEpochs / local:F1}"));
        table.Add("cluster: 2 silos of cpu:1, PostgreSQL", Units.Seconds(clustered), Invariant($"{replicaEpochs / clustered:F1}"));
        table.WriteTo(output);
        double ratio = clustered / local;
        output.WriteLine(Invariant($"Replica-epochs: R (E + 1) = {replicaEpochs}, epoch 0 (the initial weights) included. Replicas per silo in the cluster: {string.Join(", ", perSilo)}."));
        output.WriteLine(Invariant($"Cluster / local wall time: {ratio:F3} (target <= 1.10: {(ratio <= 1.10 ? "met" : "not met")})."));
        output.WriteLine(FitsComparison(Path.Combine(localFits, "fits.json"), Path.Combine(clusterFits, "fits.json"), spec.Id));
    }

    /// <summary>Three silos train an experiment; during epoch 3 the one hosting the most of its
    /// replicas is killed, and the store's progress shows when the others took its replicas over.</summary>
    private static async Task RecoveryAsync(ClusterBenchmarkOptions options, ExperimentSpec spec, ConsoleProcesses processes, List<string> clusters,
        TextWriter output, CancellationToken cancellationToken)
    {
        var store = options.Store;
        output.WriteLine(Invariant(
            $"Recovery, E = {spec.Epochs}: three silos of --device cpu:1 on PostgreSQL; halfway through epoch 3 the silo hosting the most replicas is killed (SIGKILL); progress polled from the store every {PollInterval.TotalMilliseconds:F0} ms."));
        var cluster = await BenchCluster.StartAsync(options, processes, clusters, 3, cancellationToken).ConfigureAwait(false);
        var silos = cluster.Silos;
        var (grains, connection) = await options.Connect(cluster.Id, cancellationToken).ConfigureAwait(false);
        await using var __ = connection.ConfigureAwait(false);
        await using var membership = NpgsqlDataSource.Create(PostgresMembership.ConnectionString(options.PostgresUrl));
        var experiment = grains.GetGrain<IExperimentGrain>(spec.Id);
        await experiment.SubmitAsync(spec).ConfigureAwait(false);

        var progress = new ProgressClock(store, spec.Id, silos, PollInterval);
        await progress.UntilEveryReplicaAsync(1, cancellationToken).ConfigureAwait(false);
        double epochStart = progress.Elapsed;
        await progress.UntilEveryReplicaAsync(2, cancellationToken).ConfigureAwait(false);
        double epochTime = progress.Elapsed - epochStart;
        await Task.Delay(TimeSpan.FromSeconds(epochTime / 2), cancellationToken).ConfigureAwait(false);

        var placement = await PlacementAsync(grains, spec.Id).ConfigureAwait(false);
        var counts = cluster.ReplicaCounts(placement);
        var victim = silos[counts.IndexOf(counts.Max())];
        victim.Process.Kill();
        var killed = Stopwatch.StartNew();
        var atKill = await store.ListCompletedEpochsAsync(spec.Id, cancellationToken).ConfigureAwait(false);
        var hosted = placement.Replicas.GetValueOrDefault(victim.SiloPort) ?? [];
        var moving = hosted.Where(r => atKill[r] < spec.Epochs).ToArray();
        if (moving.Length == 0)
        {
            throw new InvalidOperationException($"the killed silo hosted no unfinished replica ({hosted.Count} finished); give more --recovery-epochs or --replicas.");
        }

        double? dead = null, first = null, all = null;
        while (dead is null || all is null)
        {
            if (killed.Elapsed > RecoveryTimeout(epochTime))
            {
                throw new TimeoutException(Invariant(
                    $"the cluster had not recovered {killed.Elapsed.TotalSeconds:F0} s after the kill: declared dead {Seconds(dead)}, {moving.Count(r => first is not null)} replicas moved."));
            }
            dead ??= await StatusAsync(membership, cluster.Id, victim.SiloPort, cancellationToken).ConfigureAwait(false) == DeadStatus ? killed.Elapsed.TotalSeconds : null;
            var now = await store.ListCompletedEpochsAsync(spec.Id, cancellationToken).ConfigureAwait(false);
            int moved = moving.Count(r => now[r] > atKill[r]);
            first ??= moved > 0 ? killed.Elapsed.TotalSeconds : null;
            all ??= moved == moving.Length ? killed.Elapsed.TotalSeconds : null;
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
        var final = await UntilCompleteAsync(experiment, RecoveryTimeout(epochTime) * spec.Epochs, cancellationToken).ConfigureAwait(false);
        var fits = await store.ListFitsAsync(spec.Id, cancellationToken).ConfigureAwait(false);
        var completed = await store.ListCompletedEpochsAsync(spec.Id, cancellationToken).ConfigureAwait(false);

        output.WriteLine(Invariant(
            $"The killed silo hosted {hosted.Count} of {spec.Replicas} replicas ({moving.Length} unfinished at the kill){(placement.ExperimentSilo == victim.SiloPort ? " and the experiment grain" : "")}; replicas active on each silo at the kill: {string.Join(", ", cluster.ReplicaCounts(placement))}."));
        var table = new TextTable("event", "seconds after the kill");
        table.Add("silo declared dead (membership status 6)", Seconds(dead));
        table.Add("first of its replicas committed an epoch elsewhere", Seconds(first));
        table.Add("all of its unfinished replicas had", Seconds(all));
        table.WriteTo(output);
        output.WriteLine(Invariant($"Plain epoch time for context (epoch 2 of every replica, before the kill): {epochTime:F2} s."));
        int layers = final.Layers;
        int expectedFits = layers * (spec.Epochs + 1);
        bool countsRight = final.Phase == ExperimentPhase.Complete && final.ReplicaEpochsCommitted == final.ReplicaEpochsTotal
            && final.ReplicasFinished == spec.Replicas && completed.All(e => e == spec.Epochs) && fits.Count == expectedFits;
        output.WriteLine(Invariant(
            $"Run {final.Phase.ToString().ToLowerInvariant()}: {final.ReplicaEpochsCommitted} of {final.ReplicaEpochsTotal} replica-epochs, {completed.Count(e => e == spec.Epochs)} of {spec.Replicas} replicas at epoch {spec.Epochs}, {fits.Count} of {expectedFits} fits: {(countsRight ? "every count right" : "COUNTS WRONG")}."));
        if (!countsRight)
        {
            throw new InvalidOperationException("the recovered run's counts are wrong (see above).");
        }
    }

    /// <summary>How long recovery may take before the benchmark gives up: detection, the
    /// experiment's look for stalled replicas, and a few epochs.</summary>
    private static TimeSpan RecoveryTimeout(double epochSeconds) => TimeSpan.FromSeconds(120 + 4 * epochSeconds);

    /// <summary>The experiment's replicas on each silo and the silo of its experiment grain, as
    /// the cluster's management grain lists its activations (a finished replica has none).</summary>
    private static async Task<Placement> PlacementAsync(IGrainFactory grains, string experimentId)
    {
        var activations = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics().ConfigureAwait(false);
        var replicas = new Dictionary<int, List<int>>();
        int? experimentSilo = null;
        foreach (var activation in activations)
        {
            string key = activation.GrainId.Key.ToString()!;
            int port = activation.SiloAddress.Endpoint.Port;
            if (activation.GrainType.Contains("ReplicaGrain", StringComparison.Ordinal) && key.StartsWith(experimentId + "/", StringComparison.Ordinal))
            {
                var (_, replica) = GrainKeys.ParseReplica(key);
                if (!replicas.TryGetValue(port, out var list))
                {
                    replicas[port] = list = [];
                }
                list.Add(replica);
            }
            else if (activation.GrainType.Contains("ExperimentGrain", StringComparison.Ordinal) && key == experimentId)
            {
                experimentSilo = port;
            }
        }
        return new Placement(replicas, experimentSilo);
    }

    /// <summary>The membership status of the newest incarnation of the silo on <paramref name="port"/>.</summary>
    private static async Task<int?> StatusAsync(NpgsqlDataSource membership, string clusterId, int port, CancellationToken cancellationToken)
    {
        await using var command = membership.CreateCommand("SELECT status FROM orleans_members WHERE deployment_id = $1 AND port = $2 ORDER BY generation DESC LIMIT 1");
        command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = port });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as int?;
    }

    private static async Task<ExperimentStatus> UntilCompleteAsync(IExperimentGrain experiment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await experiment.GetStatusAsync().ConfigureAwait(false);
            if (status.Phase is ExperimentPhase.Complete or ExperimentPhase.Cancelled)
            {
                return status;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(Invariant($"the recovered experiment was not complete after {clock.Elapsed.TotalSeconds:F0} s: {status.ReplicaEpochsCommitted} of {status.ReplicaEpochsTotal} replica-epochs."));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A silo of the benchmark: its process and its silo-to-silo port, by which the
    /// cluster's membership and activations name it.</summary>
    private sealed record BenchSilo(ConsoleProcess Process, int SiloPort);

    /// <summary>A cluster of the benchmark: a fresh id, and silos of one training thread each.</summary>
    private sealed record BenchCluster(string Id, IReadOnlyList<BenchSilo> Silos)
    {
        /// <summary>Starts <paramref name="count"/> silos in a cluster of a new id (added to
        /// <paramref name="clusters"/>), and waits until every one has joined.</summary>
        public static async Task<BenchCluster> StartAsync(ClusterBenchmarkOptions options, ConsoleProcesses processes, List<string> clusters, int count,
            CancellationToken cancellationToken)
        {
            string id = $"bench-{Guid.NewGuid():N}"[..18];
            clusters.Add(id);
            var silos = Enumerable.Range(1, count).Select(number =>
            {
                int siloPort = FreePort(), gatewayPort = FreePort();
                var process = processes.Start(Invariant($"pigmm silo {number} of cluster {id}"), "silo", "--store", options.PostgresUrl, "--device", "cpu:1",
                    "--silo-port", Invariant($"{siloPort}"), "--gateway-port", Invariant($"{gatewayPort}"), "--advertise", "127.0.0.1", "--cluster-id", id);
                return new BenchSilo(process, siloPort);
            }).ToArray();
            await Task.WhenAll(silos.Select(s => s.Process.WaitForLineAsync(ReadyLine, SiloStartTimeout, cancellationToken))).ConfigureAwait(false);
            return new BenchCluster(id, silos);
        }

        /// <summary>The experiment's replicas active on each silo, in the order of <see cref="Silos"/>.</summary>
        public List<int> ReplicaCounts(Placement placement) => [.. Silos.Select(s => placement.Replicas.GetValueOrDefault(s.SiloPort)?.Count ?? 0)];

        /// <summary>Stops every silo gracefully (they leave the cluster).</summary>
        public Task StopAsync() => Task.WhenAll(Silos.Select(s => s.Process.StopAsync(StopGrace)));
    }

    /// <summary>The experiment's replicas on each silo (by silo port) and the silo of its experiment grain.</summary>
    private sealed record Placement(Dictionary<int, List<int>> Replicas, int? ExperimentSilo);

    /// <summary>Deletes the membership of the benchmark's clusters, every silo of which has ended.</summary>
    private static async Task ForgetClustersAsync(string url, IReadOnlyList<string> clusterIds)
    {
        try
        {
            await using var membership = NpgsqlDataSource.Create(PostgresMembership.ConnectionString(url));
            await using var command = membership.CreateCommand("DELETE FROM orleans_membership_versions WHERE deployment_id = ANY($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = clusterIds.ToArray() });
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // Rows of dead silos under ids no one uses again cost nothing but space.
        }
    }

    /// <summary>Refuses a database where experiments are running: the benchmark's silos would
    /// train them too (every silo wakes every running experiment of its store).</summary>
    private static async Task RefuseRunningExperimentsAsync(IPigmmStore store, CancellationToken cancellationToken)
    {
        var running = (await store.ListExperimentsAsync(cancellationToken).ConfigureAwait(false)).Where(e => e.Lifecycle == ExperimentLifecycle.Running).ToArray();
        if (running.Length > 0)
        {
            throw new BenchmarkRefusedException(
                $"{store.Description} has {running.Length} running experiment(s) ({string.Join(", ", running.Select(e => e.Id))}), which the benchmark's silos would train too; use a database where none runs (a fresh one: createdb), or cancel them (pigmm cancel --cluster URL ID while a silo of theirs runs).");
        }
    }

    private static async Task CancelUnfinishedAsync(IPigmmStore store, IEnumerable<string> experimentIds)
    {
        foreach (string id in experimentIds)
        {
            try
            {
                if (await store.GetExperimentAsync(id).ConfigureAwait(false) is { Lifecycle: ExperimentLifecycle.Running })
                {
                    await store.SetLifecycleAsync(id, ExperimentLifecycle.Cancelled).ConfigureAwait(false);
                }
            }
            catch (StoreUnavailableException)
            {
                // Nothing more can be done for it here; the failure that brought us here is reported.
            }
        }
    }

    private static string FitsComparison(string local, string cluster, string experimentId)
    {
        byte[] a = File.ReadAllBytes(local), b = File.ReadAllBytes(cluster);
        return a.AsSpan().SequenceEqual(b)
            ? Invariant($"fits.json of experiment {experimentId}: byte-identical in both runs ({a.Length} bytes).")
            : Invariant($"fits.json of experiment {experimentId}: DIFFERENT ({a.Length} bytes locally, {b.Length} in the cluster).");
    }

    /// <summary>The spec as options of pigmm run and pigmm submit.</summary>
    private static string[] SpecArguments(ExperimentSpec spec) =>
        ["--preset", "paper-gaussian", "--replicas", Invariant($"{spec.Replicas}"), "--epochs", Invariant($"{spec.Epochs}"), "--seed", Invariant($"{spec.Seed}")];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Seconds(double? seconds) => seconds is { } s ? Invariant($"{s:F2}") : "never";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Polls an experiment's progress in the store and times when every replica reached
    /// an epoch, while its silos all run.</summary>
    private sealed class ProgressClock(IPigmmStore store, string experimentId, IReadOnlyList<BenchSilo> silos, TimeSpan interval)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();

        public double Elapsed => clock.Elapsed.TotalSeconds;

        /// <exception cref="InvalidOperationException">A silo ends first.</exception>
        public async Task UntilEveryReplicaAsync(int epoch, CancellationToken cancellationToken)
        {
            while (await LeastEpochAsync(cancellationToken).ConfigureAwait(false) < epoch)
            {
                if (silos.FirstOrDefault(s => s.Process.HasExited) is { } ended)
                {
                    await ended.Process.WaitForSuccessAsync(cancellationToken).ConfigureAwait(false);
                    throw new InvalidOperationException($"{ended.Process.Name} stopped before every replica reached epoch {epoch}.");
                }
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>The least epoch any replica has committed; -1 before the experiment is stored.</summary>
        private async Task<int> LeastEpochAsync(CancellationToken cancellationToken)
        {
            try
            {
                return (await store.ListCompletedEpochsAsync(experimentId, cancellationToken).ConfigureAwait(false)).Min();
            }
            catch (KeyNotFoundException)
            {
                return -1;
            }
        }
    }
}
