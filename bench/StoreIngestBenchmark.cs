using System.Diagnostics;
using System.Globalization;
using OrleansPigmm.Benchmarks.Harness;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Sqlite;

namespace OrleansPigmm.Benchmarks;

/// <summary>One ingest case: what each <see cref="IPigmmStore.CommitEpochAsync"/> carries.</summary>
/// <param name="MatrixSize">n of the n x n analysed matrices.</param>
/// <param name="Layers">Analysed layers per replica.</param>
/// <param name="ReplicasPerCommit">Replicas of the leased batch, all committed together.</param>
/// <param name="CheckpointBytesPerReplica">Trainer state saved per replica with each epoch.</param>
/// <param name="TargetSnapshotsPerSecond">The ingest rate the store must reach, if there is one.</param>
public sealed record StoreIngestCase(int MatrixSize, int Layers, int ReplicasPerCommit, int CheckpointBytesPerReplica, double? TargetSnapshotsPerSecond)
{
    /// <summary>Snapshots per commit: one per replica and layer.</summary>
    public int SnapshotsPerCommit => ReplicasPerCommit * Layers;

    /// <summary>Bytes of one commit: weights (float32), invariant rows (float64) and the checkpoint.</summary>
    public long BytesPerCommit =>
        SnapshotsPerCommit * (4L * MatrixSize * MatrixSize + 8L * StoreIngestBenchmark.InvariantCount)
        + (long)ReplicasPerCommit * CheckpointBytesPerReplica;

    /// <summary>Checkpoint of an MLP 784 -> widths -> 10 without biases trained with Adam: its
    /// weights and Adam's two moment estimates, float32 each.</summary>
    public static int AdamCheckpointBytes(params int[] hiddenWidths)
    {
        int[] widths = [784, .. hiddenWidths, 10];
        int parameters = widths.Zip(widths.Skip(1), (input, output) => input * output).Sum();
        return 3 * 4 * parameters;
    }
}

/// <summary>Figures of one <see cref="StoreIngestCase"/>.</summary>
public sealed record StoreIngestResult(StoreIngestCase Case, int Commits, double Seconds)
{
    /// <summary>Snapshots stored per second, commits included whole.</summary>
    public double SnapshotsPerSecond => Commits * Case.SnapshotsPerCommit / Seconds;

    /// <summary>Payload bytes stored per second.</summary>
    public double BytesPerSecond => Commits * Case.BytesPerCommit / Seconds;

    /// <summary>Snapshots per second over the case's target, if it has one.</summary>
    public double? RatioToTarget => SnapshotsPerSecond / Case.TargetSnapshotsPerSecond;
}

/// <summary>
/// Ingest throughput of the embedded store: epochs of a leased batch committed one after another
/// through <see cref="IPigmmStore.CommitEpochAsync"/> into a fresh SQLite file, each commit
/// holding every replica's snapshots (weights, 52-value invariant row), metrics and checkpoint,
/// as the trainer writes them. Reported against each case's target (20,000 snapshots/s for n = 10).
/// </summary>
public static class StoreIngestBenchmark
{
    /// <summary>Length of the invariant row stored with each snapshot (I1..I52).</summary>
    public const int InvariantCount = 52;

    /// <summary>The paper's network (784 -> 10 -> 10 -> 10 -> 10, three 10 x 10 matrices analysed),
    /// 100 replicas per batch; and the width sweep's widest (784 -> 640 -> 640 -> 10, one 640 x 640
    /// matrix), 10 replicas per batch since each replica's checkpoint is 11 MB.</summary>
    public static IReadOnlyList<StoreIngestCase> Cases { get; } =
    [
        new(10, 3, 100, StoreIngestCase.AdamCheckpointBytes(10, 10, 10), TargetSnapshotsPerSecond: 20_000),
        new(640, 1, 10, StoreIngestCase.AdamCheckpointBytes(640, 640), TargetSnapshotsPerSecond: null),
    ];

    /// <summary>Runs every case of <see cref="Cases"/> for about <paramref name="timePerCase"/>
    /// (and at least 3 commits) after a warm-up, and writes a table of the figures to <paramref name="output"/>.</summary>
    public static async Task<IReadOnlyList<StoreIngestResult>> RunAsync(TextWriter output, TimeSpan timePerCase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var results = new List<StoreIngestResult>();
        foreach (var ingestCase in Cases)
        {
            results.Add(await MeasureAsync(ingestCase, timePerCase, cancellationToken).ConfigureAwait(false));
        }
        var table = new TextTable("case", "snapshot KiB", "commit MiB", "commits", "snapshots/s", "MiB/s", "target/s", "vs target");
        foreach (var result in results)
        {
            var c = result.Case;
            table.Add(
                $"n = {c.MatrixSize}, {c.ReplicasPerCommit} replicas x {c.Layers} layers",
                Number(4.0 * c.MatrixSize * c.MatrixSize / 1024 + 8.0 * InvariantCount / 1024),
                Number(c.BytesPerCommit / 1048576.0),
                result.Commits.ToString(CultureInfo.InvariantCulture),
                Number(result.SnapshotsPerSecond),
                Number(result.BytesPerSecond / 1048576.0),
                c.TargetSnapshotsPerSecond is { } target ? Number(target) : "-",
                result.RatioToTarget is { } ratio ? Units.Ratio(ratio) : "-");
        }
        output.WriteLine("Store ingest: epochs committed one after another into a fresh SQLite store (WAL, synchronous = NORMAL).");
        table.WriteTo(output);
        return results;
    }

    /// <summary>Commits epochs of one leased batch for <paramref name="time"/>, after half of that
    /// (and at least two commits) untimed, for JIT compilation and file growth.</summary>
    public static async Task<StoreIngestResult> MeasureAsync(StoreIngestCase ingestCase, TimeSpan time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ingestCase);
        var folder = Directory.CreateTempSubdirectory("pigmm-ingest-");
        try
        {
            await using var store = SqliteStore.Open(Path.Combine(folder.FullName, "ingest.db"));
            var experiment = new ExperimentRecord(
                "ingest", "{}", ingestCase.ReplicasPerCommit, int.MaxValue - 1, ingestCase.Layers, ingestCase.MatrixSize, DateTimeOffset.UtcNow);
            await store.CreateExperimentAsync(experiment, [new ReplicaBatch(0, 0, ingestCase.ReplicasPerCommit)], cancellationToken).ConfigureAwait(false);
            var lease = await store.TryClaimAsync("bench", TimeSpan.FromDays(1), cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The benchmark's batch could not be claimed.");
            var payload = Payload.Create(ingestCase);

            int epoch = 0;
            var clock = Stopwatch.StartNew();
            while (epoch < 2 || clock.Elapsed < time / 2)
            {
                await CommitAsync(store, lease, payload, epoch++, cancellationToken).ConfigureAwait(false);
            }
            int commits = 0;
            clock.Restart();
            while (commits < 3 || clock.Elapsed < time)
            {
                await CommitAsync(store, lease, payload, epoch++, cancellationToken).ConfigureAwait(false);
                commits++;
            }
            return new StoreIngestResult(ingestCase, commits, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task CommitAsync(IPigmmStore store, WorkLease lease, Payload payload, int epoch, CancellationToken cancellationToken)
    {
        var commit = new EpochCommit(
            epoch,
            payload.Checkpoint,
            payload.Snapshots.Select(s => s with { Epoch = epoch }).ToList(),
            payload.Metrics.Select(m => m with { Epoch = epoch }).ToList());
        if (!await store.CommitEpochAsync(lease, commit, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"The benchmark lost its lease at epoch {epoch}.");
        }
    }

    /// <summary>Random weights, invariants and checkpoint bytes (fixed seed), reused by every epoch.</summary>
    private sealed record Payload(byte[] Checkpoint, SnapshotRecord[] Snapshots, ReplicaMetrics[] Metrics)
    {
        public static Payload Create(StoreIngestCase c)
        {
            var random = new Random(20_000);
            var checkpoint = new byte[(long)c.ReplicasPerCommit * c.CheckpointBytesPerReplica];
            random.NextBytes(checkpoint);
            var snapshots =
                from replica in Enumerable.Range(0, c.ReplicasPerCommit)
                from layer in Enumerable.Range(1, c.Layers)
                select new SnapshotRecord(
                    replica,
                    layer,
                    0,
                    Enumerable.Range(0, c.MatrixSize * c.MatrixSize).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(),
                    Enumerable.Range(0, InvariantCount).Select(_ => random.NextDouble()).ToArray(),
                    Diverged: false);
            var metrics = Enumerable.Range(0, c.ReplicasPerCommit).Select(r => new ReplicaMetrics(r, 0, random.NextDouble(), random.NextDouble(), false));
            return new Payload(checkpoint, snapshots.ToArray(), metrics.ToArray());
        }
    }

    private static string Number(double value) => value.ToString(value >= 100 ? "N0" : "N2", CultureInfo.InvariantCulture);
}
