using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace OrleansPigmm.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, shared safely by the threads of this process
/// and by other processes that open the same file (each write is a BEGIN IMMEDIATE transaction;
/// a process waits up to <see cref="SqliteStoreOptions.BusyTimeout"/> for another's to end).
/// </summary>
/// <remarks>
/// Writes of one instance go through a single connection, one at a time; reads use a pool of
/// connections and see the last committed state. Calls run on the thread pool, never on the
/// caller's scheduler, because SQLite blocks. After any SQLite failure every connection is
/// reopened on next use, so a file that is restored or replaced is picked up. Local writes are
/// announced to <see cref="IStoreChangeNotifications"/> waiters at once; writes by other
/// processes are seen by polling <see cref="GetChangeVersionAsync"/>.
/// </remarks>
public sealed partial class SqliteStore : IPigmmStore, IStoreChangeNotifications
{
    private const int RowsPerChunkWithoutWeights = 1024;
    private const int BytesPerChunk = 4 << 20;

    private readonly string connectionString;
    private readonly TimeSpan busyTimeout;
    private readonly SemaphoreSlim writerGate = new(1, 1);
    private readonly ConcurrentBag<SqliteSession> idleReaders = [];
    private readonly KnownExperiments experiments;
    private SqliteSession? writer; // used only while writerGate is held
    private int generation;
    private int disposed;
    private TaskCompletionSource changed = NewChangeSignal();


    private SqliteStore(string path, TimeSpan busyTimeout)
    {
        Description = "sqlite:" + path;
        this.busyTimeout = busyTimeout;
        connectionString = ConnectionString(path, SqliteOpenMode.ReadWrite, busyTimeout);
        experiments = new KnownExperiments(Description, (id, cancellationToken) => ReadAsync(session => FindExperiment(session, id), cancellationToken));
    }

    /// <summary>
    /// Opens the store in the file at <paramref name="path"/>, creating the file and its folder if
    /// missing and bringing an older schema up to date.
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <param name="options">Settings; defaults if null.</param>
    /// <exception cref="StoreUnavailableException">The file cannot be created or opened, is not a
    /// SQLite database, belongs to another application, or was written by a newer schema.</exception>
    public static SqliteStore Open(string path, SqliteStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new SqliteStoreOptions();
        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BusyTimeout, "The busy timeout must be more than 0 and at most 1 hour.");
        }
        var busyTimeout = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(options.BusyTimeout.TotalSeconds)));
        string fullPath = Path.GetFullPath(path);
        var store = new SqliteStore(fullPath, busyTimeout);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException(store.Description, $"its folder cannot be created ({error.Message}).", error);
        }
        // Only this first connection may create the file; later ones fail if it has gone.
        using var connection = new SqliteConnection(ConnectionString(fullPath, SqliteOpenMode.ReadWriteCreate, busyTimeout));
        store.Guard(() =>
        {
            connection.Open();
            Configure(connection, busyTimeout);
            SqliteSchema.Upgrade(connection, store.Description, SqliteSchema.LatestVersion);
            return true;
        });
        return store;
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public Task WhenChangedAsync(CancellationToken cancellationToken) => Volatile.Read(ref changed).Task.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }
        // Let a write in progress finish before its connection closes.
        await writerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            writer?.Dispose();
            writer = null;
            while (idleReaders.TryTake(out var session))
            {
                session.Dispose();
            }
        }
        finally
        {
            writerGate.Release();
        }
    }

    private static string ConnectionString(string path, SqliteOpenMode mode, TimeSpan busyTimeout) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        // Sessions are pooled here, with their prepared commands.
        Pooling = false,
        // Microsoft.Data.Sqlite retries a busy statement until this many seconds have passed;
        // SQLite's own busy handler (below) does the waiting, so the two limits are the same.
        DefaultTimeout = (int)busyTimeout.TotalSeconds,
    }.ToString();

    private static void Configure(SqliteConnection connection, TimeSpan busyTimeout)
    {
        using var command = connection.CreateCommand();
        // synchronous = NORMAL: in WAL mode no committed transaction is lost when a process dies;
        // a power cut may roll back the last commits as a whole, which leaves an earlier consistent
        // store: the replicas concerned redo those epochs from their checkpoints.
        command.CommandText = $"""
            PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds};
            PRAGMA synchronous = NORMAL;
            PRAGMA foreign_keys = ON;
            """;
        command.ExecuteNonQuery();
    }

    private SqliteSession OpenSession(bool forWrites = false)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Configure(connection, busyTimeout);
            if (forWrites)
            {
                using var command = connection.CreateCommand();
                // A commit replaces its replica's checkpoint: with the old one's pages still
                // cached (64 MiB), SQLite need not read them back to overwrite them. And copying
                // the log into the database every 10,000 pages (40 MiB) instead of 1,000 writes a
                // page rewritten by several commits once, with one fsync pair for all. Together
                // they took n = 10 ingest from 4,000-11,000 to 30,000-40,000 snapshots/s on a
                // 2-core test machine (one batch of 100 replicas per commit).
                command.CommandText = """
                    PRAGMA cache_size = -65536;
                    PRAGMA wal_autocheckpoint = 10000;
                    """;
                command.ExecuteNonQuery();
            }
            return new SqliteSession(connection, Volatile.Read(ref generation));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary><paramref name="session"/> if it can serve another call, else null (it is closed).</summary>
    private SqliteSession? Reusable(SqliteSession? session)
    {
        if (session is null)
        {
            return null;
        }
        int current = Volatile.Read(ref generation);
        if (session.Generation == current && !SqliteNative.FileHasMoved(session.Connection))
        {
            return session;
        }
        if (session.Generation == current)
        {
            // The file was deleted, moved or replaced: every open connection points at the old one.
            StartNewGeneration();
        }
        session.Dispose();
        return null;
    }

    /// <summary>Retires every open connection: idle ones now, busy ones when their call ends.</summary>
    private void StartNewGeneration()
    {
        Interlocked.Increment(ref generation);
        while (idleReaders.TryTake(out var idle))
        {
            idle.Dispose();
        }
        // A replaced file may number its experiments differently.
        experiments.Clear();
    }

    private SqliteSession RentReader()
    {
        while (idleReaders.TryTake(out var idle))
        {
            if (Reusable(idle) is { } session)
            {
                return session;
            }
        }
        return OpenSession();
    }

    private void ReturnReader(SqliteSession session)
    {
        if (session.Generation == Volatile.Read(ref generation) && Volatile.Read(ref disposed) == 0 && session.TryRollback())
        {
            idleReaders.Add(session);
        }
        else
        {
            session.Dispose();
        }
    }

    /// <summary>Runs <paramref name="work"/>, turning SQLite errors into
    /// <see cref="StoreUnavailableException"/> and reopening every connection afterwards.</summary>
    private T Guard<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (SqliteException error)
        {
            StartNewGeneration();
            throw SqliteFailures.Unavailable(Description, error, busyTimeout);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) == 1, this);

    /// <summary>Runs <paramref name="query"/> on a pooled read connection.</summary>
    private Task<T> ReadAsync<T>(Func<SqliteSession, T> query, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return Task.Run(() =>
        {
            var session = Guard(RentReader);
            try
            {
                return Guard(() => query(session));
            }
            finally
            {
                ReturnReader(session);
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Streams the rows <paramref name="rows"/> yields, read in one read transaction (one
    /// consistent state) and fetched in chunks of <paramref name="rowsPerChunk"/> on the thread pool.
    /// </summary>
    private async IAsyncEnumerable<T> StreamAsync<T>(Func<SqliteSession, IEnumerable<T>> rows, int rowsPerChunk, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var session = await Task.Run(() => Guard(RentReader), cancellationToken).ConfigureAwait(false);
        IEnumerator<T>? cursor = null;
        try
        {
            Guard(() => session.Execute("BEGIN"));
            cursor = rows(session).GetEnumerator();
            var chunk = new List<T>(rowsPerChunk);
            bool more = true;
            while (more)
            {
                chunk.Clear();
                more = await Task.Run(() => Guard(() =>
                {
                    while (chunk.Count < rowsPerChunk)
                    {
                        if (!cursor.MoveNext())
                        {
                            return false;
                        }
                        chunk.Add(cursor.Current);
                    }
                    return true;
                }), cancellationToken).ConfigureAwait(false);
                foreach (var row in chunk)
                {
                    yield return row;
                }
            }
        }
        finally
        {
            cursor?.Dispose();
            ReturnReader(session);
        }
    }

    /// <summary>
    /// Runs <paramref name="transaction"/> in a BEGIN IMMEDIATE transaction on the write connection
    /// and commits it; any failure rolls it back whole. A call cancelled while it waits for the
    /// write connection writes nothing; once started, the transaction runs to its end.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<SqliteSession, T> transaction, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            cancellationToken.ThrowIfCancellationRequested();
            return await Task.Run(() => Guard(() => RunWriteTransaction(transaction)), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            writerGate.Release();
        }
    }

    private T RunWriteTransaction<T>(Func<SqliteSession, T> transaction)
    {
        writer = Reusable(writer);
        var session = writer ??= OpenSession(forWrites: true);
        try
        {
            session.Changed = false;
            session.Execute("BEGIN IMMEDIATE");
            var result = transaction(session);
            // Checked last so that nothing is committed into a file that is no longer the store's.
            if (SqliteNative.FileHasMoved(session.Connection))
            {
                StartNewGeneration();
                throw new StoreUnavailableException(Description, SqliteFailures.Moved);
            }
            session.Execute("COMMIT");
            if (session.Changed)
            {
                AnnounceChange();
            }
            return result;
        }
        catch
        {
            if (!session.TryRollback())
            {
                // Closing the connection ends its transaction and frees the write lock now.
                writer = null;
                session.Dispose();
                StartNewGeneration();
            }
            throw;
        }
    }

    /// <summary>Counts a write in the change version; called by every transaction that writes.</summary>
    private static void RecordChange(SqliteSession session)
    {
        session.Execute("UPDATE store_state SET change_version = change_version + 1");
        session.Changed = true;
    }

    private void AnnounceChange() => Interlocked.Exchange(ref changed, NewChangeSignal()).TrySetResult();

    private static TaskCompletionSource NewChangeSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
