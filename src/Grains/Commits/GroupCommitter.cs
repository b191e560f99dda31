using System.Diagnostics;
using System.Threading.Channels;
using OrleansPigmm.Grains.Telemetry;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains.Commits;

/// <summary>
/// The silo's group commit: replica grains hand it their epoch commits one by one, and it writes
/// whatever has gathered in one store transaction (<see cref="IPigmmStore.CommitEpochsAsync"/>)
/// while the previous transaction runs, so that R replicas finishing an epoch together cost a few
/// transactions, not R. One writer means at most one transaction of this silo in flight.
/// </summary>
public sealed class GroupCommitter : IAsyncDisposable
{
    /// <summary>Most commits in one transaction: bounds its size (the paper's net checkpoints take about 100 KB each).</summary>
    public const int MaxGroupSize = 1000;

    /// <summary>How long the writer waits after the first commit of a group for others to join it.</summary>
    public static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(2);

    private readonly IPigmmStore store;
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task writer;
    private long groups;
    private long commits;

    /// <summary>A group committer writing to <paramref name="store"/>.</summary>
    public GroupCommitter(IPigmmStore store)
    {
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        writer = Task.Run(WriteAsync);
    }

    /// <summary>Transactions written so far.</summary>
    public long Groups => Interlocked.Read(ref groups);

    /// <summary>Commits written so far (over all transactions).</summary>
    public long Commits => Interlocked.Read(ref commits);

    /// <summary>Commits one replica-epoch together with whatever else is waiting.</summary>
    /// <returns>What the store made of it (see <see cref="CommitOutcome"/>).</returns>
    /// <exception cref="StoreUnavailableException">The store could not write the group; nothing of it was written.</exception>
    /// <exception cref="ObjectDisposedException">The committer is shut down.</exception>
    public Task<CommitOutcome> CommitAsync(ReplicaEpochCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var pending = new Pending(commit, Stopwatch.GetTimestamp(), new TaskCompletionSource<CommitOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        return queue.Writer.TryWrite(pending) ? pending.Outcome.Task : throw new ObjectDisposedException(nameof(GroupCommitter));
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await writer.ConfigureAwait(false);
    }

    private async Task WriteAsync()
    {
        var group = new List<Pending>(MaxGroupSize);
        while (await queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await Task.Delay(Gathering).ConfigureAwait(false);
            while (group.Count < MaxGroupSize && queue.Reader.TryRead(out var pending))
            {
                group.Add(pending);
            }
            try
            {
                var outcomes = await store.CommitEpochsAsync(group.Select(p => p.Commit).ToArray()).ConfigureAwait(false);
                Interlocked.Increment(ref groups);
                Interlocked.Add(ref commits, group.Count);
                for (int i = 0; i < group.Count; i++)
                {
                    PigmmTelemetry.CommitLatency.Record(Stopwatch.GetElapsedTime(group[i].Queued).TotalSeconds);
                    group[i].Outcome.SetResult(outcomes[i]);
                }
            }
            catch (Exception error)
            {
                // A bad commit fails its whole group (the store wrote nothing): each replica
                // retries on its own, so one bad commit cannot keep the others out for long.
                PigmmTelemetry.StoreErrors.Add(1, new KeyValuePair<string, object?>(PigmmTelemetry.StoreErrorKind, "commit"));
                foreach (var pending in group)
                {
                    pending.Outcome.SetException(error);
                }
            }
            group.Clear();
        }
    }

    private sealed record Pending(ReplicaEpochCommit Commit, long Queued, TaskCompletionSource<CommitOutcome> Outcome);
}
