namespace OrleansPigmm.Storage;

/// <summary>
/// An optional capability of a store: it announces changes as it learns of them, so that watchers
/// need not wait for their next poll (PostgreSQL: LISTEN/NOTIFY; SQLite: writes made through the
/// same store instance). Announcements may miss changes made elsewhere, so watchers keep polling
/// <see cref="IPigmmStore.GetChangeVersionAsync"/> as well; see <see cref="PigmmStoreQueries.WaitForChangeAsync"/>.
/// </summary>
public interface IStoreChangeNotifications
{
    /// <summary>A task that completes at the first change announced after this call.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    Task WhenChangedAsync(CancellationToken cancellationToken);
}
