using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains;

/// <summary>
/// Renews a work lease in the background (every third of its duration) while its batch trains,
/// and cancels <see cref="Lost"/> when a renewal finds the lease gone, so training stops instead
/// of computing epochs it could not commit.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly IPigmmStore store;
    private readonly TimeSpan duration;
    private readonly CancellationTokenSource lost = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task renewing;
    private WorkLease current;

    public LeaseKeeper(IPigmmStore store, WorkLease lease, TimeSpan duration)
    {
        this.store = store;
        this.duration = duration;
        current = lease;
        renewing = Task.Run(RenewAsync);
    }

    /// <summary>The lease with its latest expiry.</summary>
    public WorkLease Current => Volatile.Read(ref current);

    /// <summary>Cancelled once the lease is known to be lost.</summary>
    public CancellationToken Lost => lost.Token;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await renewing;
        stop.Dispose();
        lost.Dispose();
    }

    private async Task RenewAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(duration / 3, stop.Token);
                var renewed = await store.RenewAsync(Current, duration, stop.Token);
                if (renewed is null)
                {
                    await lost.CancelAsync();
                    return;
                }
                Volatile.Write(ref current, renewed);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (StoreUnavailableException)
        {
            // The store went away: whatever this batch computes now could not be committed.
            await lost.CancelAsync();
        }
    }
}
