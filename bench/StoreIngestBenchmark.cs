using System.Diagnostics;
using System.Globalization;
using Npgsql;
using OrleansPigmm.Benchmarks.Harness;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Postgres;
using OrleansPigmm.Storage.Sqlite;

namespace OrleansPigmm.Benchmarks;

/// <summary>One ingest case: an experiment whose replicas commit their epochs in groups through
/// <see cref="IPigmmStore.CommitEpochsAsync"/>, as a silo sends them.</summary>
/// <param name="MatrixSize">n of the n x n analysed matrices.</param>
/// <param name="Layers">Analysed layers per replica.</param>
/// <param name="Replicas">Replicas of the experiment; every epoch commits each of them once.</param>
/// <param name="ReplicasPerGroup">Replica-epochs committed together in one transaction (a divisor of <paramref name="Replicas"/>).</param>
/// <param name="CheckpointBytesPerReplica">Trainer state saved per replica with each epoch.</param>
/// <param name="TargetSnapshotsPerSecond">The ingest rate the store must reach, if there is one.</param>
public sealed record StoreIngestCase(int MatrixSize, int Layers, int Replicas, int ReplicasPerGroup, int CheckpointBytesPerReplica, double? TargetSnapshotsPerSecond)
{
    /// <summary>Snapshots per group: one per replica and layer.</summary>
    public int SnapshotsPerGroup => ReplicasPerGroup * Layers;

    /// <summary>Groups that commit one epoch of every replica.</summary>
    public int GroupsPerEpoch => Replicas / ReplicasPerGroup;

    /// <summary>Bytes of one group: weights (float32), invariant rows (float64) and the checkpoints.</summary>
    public long BytesPerGroup =>
        SnapshotsPerGroup * (4L * MatrixSize * MatrixSize + 8L * StoreIngestBenchmark.InvariantCount)
        + (long)ReplicasPerGroup * CheckpointBytesPerReplica;

    /// <summary>Checkpoint of an MLP 784 -> widths -> 10 without biases trained with Adam: its
    /// weights and Adam's two moment estimates, float32 each.</summary>
    public static int AdamCheckpointBytes(params int[] hiddenWidths)
    {
        int[] widths = [784, .. hiddenWidths, 10];
        int parameters = widths.Zip(widths.Skip(1), (input, output) => input * output).Sum();
        return 3 * 4 * parameters;
    }
}

/// <summary>Figures of one <see cref="StoreIngestCase"/> on one backend.</summary>
/// <param name="Store">The backend measured: "sqlite" or "postgres".</param>
public sealed record StoreIngestResult(StoreIngestCase Case, string Store, int Groups, double Seconds)
{
    /// <summary>Snapshots stored per second, groups included whole.</summary>
    public double SnapshotsPerSecond => Groups * Case.SnapshotsPerGroup / Seconds;

    /// <summary>Payload bytes stored per second.</summary>
    public double BytesPerSecond => Groups * Case.BytesPerGroup / Seconds;

    /// <summary>Snapshots per second over the case's target, if it has one.</summary>
    public double? RatioToTarget => SnapshotsPerSecond / Case.TargetSnapshotsPerSecond;
}

/// <summary>
/// Ingest throughput of the stores: groups of replica-epoch commits written one after another
/// through <see cref="IPigmmStore.CommitEpochsAsync"/> into a fresh SQLite file, and into a fresh
/// schema of a PostgreSQL database when one is named, epoch after epoch of every replica; each commit holds the replica's checkpoint, one snapshot per
/// analysed layer (weights, 52-value invariant row) and its metrics, as the trainer writes them.
/// Reported against each case's target (20,000 snapshots/s for n = 10).
/// </summary>
public static class StoreIngestBenchmark
{
    /// <summary>Length of the invariant row stored with each snapshot (I1..I52).</summary>
    public const int InvariantCount = 52;

    /// <summary>The paper's ensemble (1,000 replicas of 784 -> 10 -> 10 -> 10 -> 10, three 10 x 10
    /// matrices analysed), 250 replicas per group; and the width sweep's widest (784 -> 640 -> 640
    /// -> 10, one 640 x 640 matrix), 10 replicas per group since each replica's checkpoint is 11 MB.</summary>
    public static IReadOnlyList<StoreIngestCase> Cases { get; } =
    [
        new(10, 3, 1000, 250, StoreIngestCase.AdamCheckpointBytes(10, 10, 10), TargetSnapshotsPerSecond: 20_000),
        new(640, 1, 10, 10, StoreIngestCase.AdamCheckpointBytes(640, 640), TargetSnapshotsPerSecond: null),
    ];

    /// <summary>Runs every case of <see cref="Cases"/> for about <paramref name="timePerCase"/>
    /// (and at least 3 groups) after a warm-up, on SQLite and, when <paramref name="postgresUrl"/>
    /// names a database (postgres://USER@HOST:PORT/DB, password in PGPASSWORD), on PostgreSQL too,
    /// and writes a table of the figures to <paramref name="output"/>.</summary>
    public static async Task<IReadOnlyList<StoreIngestResult>> RunAsync(TextWriter output, TimeSpan timePerCase, string? postgresUrl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var results = new List<StoreIngestResult>();
        foreach (var ingestCase in Cases)
        {
            results.Add(await MeasureAsync(ingestCase, timePerCase, cancellationToken).ConfigureAwait(false));
            if (postgresUrl is not null)
            {
                results.Add(await MeasureAsync(ingestCase, timePerCase, postgresUrl, cancellationToken).ConfigureAwait(false));
            }
        }
        var table = new TextTable("case", "store", "snapshot KiB", "group MiB", "groups", "snapshots/s", "MiB/s", "target/s", "vs target");
        foreach (var result in results)
        {
            var c = result.Case;
            table.Add(
                $"n = {c.MatrixSize}, {c.ReplicasPerGroup} of {c.Replicas} replicas x {c.Layers} layers",
                result.Store,
                Number(4.0 * c.MatrixSize * c.MatrixSize / 1024 + 8.0 * InvariantCount / 1024),
                Number(c.BytesPerGroup / 1048576.0),
                result.Groups.ToString(CultureInfo.InvariantCulture),
                Number(result.SnapshotsPerSecond),
                Number(result.BytesPerSecond / 1048576.0),
                c.TargetSnapshotsPerSecond is { } target ? Number(target) : "-",
                result.RatioToTarget is { } ratio ? Units.Ratio(ratio) : "-");
        }
        output.WriteLine("Store ingest: groups of replica-epoch commits (checkpoint, snapshots with weights, metrics), one transaction each, written one after another into a fresh SQLite store (WAL, synchronous = NORMAL)"
            + (postgresUrl is null ? "." : $" and into a fresh schema of {PostgresLocation.Parse(postgresUrl).Description} (the server's own durability settings)."));
        table.WriteTo(output);
        return results;
    }

    /// <summary>Measures <paramref name="ingestCase"/> on a fresh SQLite file (see <see cref="MeasureStoreAsync"/>).</summary>
    public static async Task<StoreIngestResult> MeasureAsync(StoreIngestCase ingestCase, TimeSpan time, CancellationToken cancellationToken = default)
    {
        var folder = Directory.CreateTempSubdirectory("pigmm-ingest-");
        try
        {
            await using var store = SqliteStore.Open(Path.Combine(folder.FullName, "ingest.db"));
            return await MeasureStoreAsync(store, "sqlite", ingestCase, time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Measures <paramref name="ingestCase"/> in a fresh schema of the PostgreSQL database
    /// <paramref name="postgresUrl"/>, dropped afterwards.</summary>
    public static async Task<StoreIngestResult> MeasureAsync(StoreIngestCase ingestCase, TimeSpan time, string postgresUrl, CancellationToken cancellationToken = default)
    {
        var options = new PostgresStoreOptions { Schema = $"pigmm_ingest_{Guid.NewGuid():N}"[..29] };
        var store = PostgresStore.Open(postgresUrl, options);
        try
        {
            return await MeasureStoreAsync(store, "postgres", ingestCase, time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await store.DisposeAsync().ConfigureAwait(false);
            await DropSchemaAsync(postgresUrl, options.Schema).ConfigureAwait(false);
        }
    }

    /// <summary>Drops a schema the benchmark made, with everything in it.</summary>
    private static async Task DropSchemaAsync(string postgresUrl, string schema)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresLocation.Parse(postgresUrl).ConnectionString(Environment.GetEnvironmentVariable("PGPASSWORD")))
        {
            Pooling = false,
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var drop = new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Commits groups into <paramref name="store"/>, fresh, for <paramref name="time"/>,
    /// after half of that (and at least two groups) untimed, for JIT compilation and file growth.</summary>
    private static async Task<StoreIngestResult> MeasureStoreAsync(IPigmmStore store, string name, StoreIngestCase ingestCase, TimeSpan time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ingestCase);
        if (ingestCase.ReplicasPerGroup < 1 || ingestCase.Replicas % ingestCase.ReplicasPerGroup != 0)
        {
            throw new ArgumentException($"Groups of {ingestCase.ReplicasPerGroup} replicas do not split {ingestCase.Replicas} replicas evenly.", nameof(ingestCase));
        }
        var experiment = new ExperimentRecord(
            "ingest", "{}", ingestCase.Replicas, int.MaxValue - 1, ingestCase.Layers, ingestCase.MatrixSize, DateTimeOffset.UtcNow);
        await store.CreateExperimentAsync(experiment, cancellationToken).ConfigureAwait(false);
        var payload = Payload.Create(ingestCase);

        int group = 0;
        var clock = Stopwatch.StartNew();
        while (group < 2 || clock.Elapsed < time / 2)
        {
            await CommitAsync(store, experiment, payload, group++, cancellationToken).ConfigureAwait(false);
        }
        int groups = 0;
        clock.Restart();
        while (groups < 3 || clock.Elapsed < time)
        {
            await CommitAsync(store, experiment, payload, group++, cancellationToken).ConfigureAwait(false);
            groups++;
        }
        return new StoreIngestResult(ingestCase, name, groups, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Commits group number <paramref name="group"/>: groups go through the replicas in
    /// order, epoch after epoch.</summary>
    private static async Task CommitAsync(IPigmmStore store, ExperimentRecord experiment, Payload payload, int group, CancellationToken cancellationToken)
    {
        int perGroup = payload.Case.ReplicasPerGroup;
        int epoch = group / payload.Case.GroupsPerEpoch;
        int firstReplica = group % payload.Case.GroupsPerEpoch * perGroup;
        var commits = new ReplicaEpochCommit[perGroup];
        for (int i = 0; i < perGroup; i++)
        {
            int replica = firstReplica + i;
            commits[i] = new ReplicaEpochCommit(
                experiment.Id,
                replica,
                epoch,
                payload.Checkpoint,
                [.. payload.Snapshots[replica].Select(s => s with { Epoch = epoch })],
                payload.Metrics[replica] with { Epoch = epoch });
        }
        var outcomes = await store.CommitEpochsAsync(commits, cancellationToken).ConfigureAwait(false);
        if (outcomes.Any(outcome => outcome != CommitOutcome.Committed))
        {
            throw new InvalidOperationException($"The benchmark's group {group} (epoch {epoch}) was not written whole: {string.Join(", ", outcomes.Distinct())}.");
        }
    }

    /// <summary>Random weights, invariants and checkpoint bytes (fixed seed), per replica, reused
    /// by every epoch; one checkpoint serves every replica.</summary>
    private sealed record Payload(StoreIngestCase Case, byte[] Checkpoint, SnapshotRecord[][] Snapshots, ReplicaMetrics[] Metrics)
    {
        public static Payload Create(StoreIngestCase c)
        {
            var random = new Random(20_000);
            var checkpoint = new byte[c.CheckpointBytesPerReplica];
            random.NextBytes(checkpoint);
            var snapshots = Enumerable.Range(0, c.Replicas).Select(replica => Enumerable.Range(1, c.Layers).Select(layer => new SnapshotRecord(
                replica,
                layer,
                0,
                Enumerable.Range(0, c.MatrixSize * c.MatrixSize).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(),
                Enumerable.Range(0, InvariantCount).Select(_ => random.NextDouble()).ToArray(),
                Diverged: false)).ToArray());
            var metrics = Enumerable.Range(0, c.Replicas).Select(r => new ReplicaMetrics(r, 0, random.NextDouble(), random.NextDouble(), false));
            return new Payload(c, checkpoint, [.. snapshots], [.. metrics]);
        }
    }

    private static string Number(double value) => value.ToString(value >= 100 ? "N0" : "N2", CultureInfo.InvariantCulture);
}
