namespace OrleansPigmm.Storage;

/// <summary>The store could not be reached, opened or written; nothing of the failed operation
/// was kept, and everything committed before is intact.</summary>
public sealed class StoreUnavailableException : Exception
{
    /// <summary>Creates the error for <paramref name="store"/> (a description without credentials).</summary>
    public StoreUnavailableException(string store, string problem, Exception? inner = null)
        : base($"The store {store} is unavailable: {problem}", inner)
    {
        Store = store;
    }

    /// <summary>The store's description.</summary>
    public string Store { get; }
}
