using System.Collections.Concurrent;

namespace OrleansPigmm.Storage;

/// <summary>An experiment as a backend's database knows it: its row number (the key of every
/// other table) and its record.</summary>
internal sealed record KnownExperiment(long Number, ExperimentRecord Record);

/// <summary>
/// The experiments a store instance has met, by id. An experiment's id and shape never change
/// once stored, so they are cached; its lifecycle does, so <see cref="LoadAsync"/> reads the
/// record afresh (and <see cref="IPigmmStore.GetExperimentAsync"/> uses it).
/// </summary>
/// <param name="store">The store's description, for messages.</param>
/// <param name="read">Reads the stored experiment with an id, or null.</param>
internal sealed class KnownExperiments(string store, Func<string, CancellationToken, Task<KnownExperiment?>> read)
{
    private readonly ConcurrentDictionary<string, KnownExperiment> cache = new(StringComparer.Ordinal);

    /// <summary>The cached or stored experiment with this id.</summary>
    /// <exception cref="KeyNotFoundException">There is none.</exception>
    public async ValueTask<KnownExperiment> GetAsync(string experimentId, CancellationToken cancellationToken) =>
        await FindAsync(experimentId, cancellationToken).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"There is no experiment '{experimentId}' in the store {store}.");

    /// <summary>The stored experiment with this id as it is now (lifecycle included), cached.</summary>
    public async Task<KnownExperiment?> LoadAsync(string experimentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentId);
        var known = await read(experimentId, cancellationToken).ConfigureAwait(false);
        if (known is not null)
        {
            cache[experimentId] = known;
        }
        return known;
    }

    /// <summary>Caches an experiment the store has just written or found.</summary>
    public void Remember(KnownExperiment known) => cache.TryAdd(known.Record.Id, known);

    /// <summary>Forgets every experiment (the database may have been replaced).</summary>
    public void Clear() => cache.Clear();

    private async ValueTask<KnownExperiment?> FindAsync(string experimentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentId);
        return cache.TryGetValue(experimentId, out var known) ? known : await LoadAsync(experimentId, cancellationToken).ConfigureAwait(false);
    }
}
