using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Npgsql;

namespace OrleansPigmm.Storage.Postgres;

/// <summary>
/// The shared store: one PostgreSQL database, used by any number of silos and clients at once.
/// Every write is one transaction on a pooled connection; reads see the last committed state.
/// </summary>
/// <remarks>
/// Every writing transaction increments the change version and notifies the channel
/// <c>SCHEMA_change</c> (pigmm_change by default) with it; <see cref="WhenChangedAsync"/> listens on that channel (on one
/// connection opened at its first use), so watchers learn of writes made anywhere at once. After
/// a lost connection the pool is emptied and the next call connects afresh, so a restarted
/// server is picked up; the failed call itself gives <see cref="StoreUnavailableException"/>.
/// </remarks>
public sealed partial class PostgresStore : IPigmmStore, IStoreChangeNotifications
{
    /// <summary>The environment variable the password is read from when no password file is named
    /// (libpq's name, so that psql and this store take the same setting).</summary>
    public const string PasswordVariable = "PGPASSWORD";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,49}$")]
    private static partial Regex SchemaName();

    private readonly NpgsqlDataSource dataSource;
    private readonly PostgresLocation location;
    private readonly string channel;
    private readonly string recordChangeSql;
    private readonly KnownExperiments experiments;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock listenerLock = new();
    private Task? listener;
    private int disposed;
    private TaskCompletionSource changed = NewChangeSignal();


    private PostgresStore(PostgresLocation location, string schema, NpgsqlDataSource dataSource)
    {
        this.location = location;
        this.dataSource = dataSource;
        channel = PostgresSchema.ChangeChannel(schema);
        // Counts a write in the change version and announces it, delivered at commit.
        recordChangeSql = $"""
            WITH bumped AS (UPDATE store_state SET change_version = change_version + 1 RETURNING change_version)
            SELECT pg_notify('{channel}', change_version::text) FROM bumped
            """;
        Description = schema == PostgresSchema.DefaultName ? location.Description : $"{location.Description} (schema {schema})";
        experiments = new KnownExperiments(Description, (id, cancellationToken) => ReadAsync(connection => FindExperimentAsync(connection, id, cancellationToken), cancellationToken));
    }

    /// <summary>
    /// Opens the store in the database named by <paramref name="url"/>
    /// (postgres://USER@HOST[:PORT]/DB), creating its schema in an empty database and bringing an
    /// older one up to date.
    /// </summary>
    /// <exception cref="ArgumentException">The URL is malformed, or the options out of range.</exception>
    /// <exception cref="StoreUnavailableException">The server cannot be reached, refuses the login
    /// or has no such database, the password file cannot be read, or the database was written by a
    /// newer schema.</exception>
    public static PostgresStore Open(string url, PostgresStoreOptions? options = null) =>
        Open(url, options, PostgresSchema.LatestVersion);

    /// <summary>Opens the store, bringing its schema to <paramref name="schemaVersion"/>.</summary>
    internal static PostgresStore Open(string url, PostgresStoreOptions? options, int schemaVersion)
    {
        var location = PostgresLocation.Parse(url);
        options ??= new PostgresStoreOptions();
        var builder = ConnectionSettings(location, options);
        // Nothing of a session is left to reset when a connection goes back to the pool
        // (settings are per transaction, staging tables empty), and keeping its staging
        // tables saves recreating them at every commit.
        builder.NoResetOnClose = true;
        var sourceBuilder = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        // The store uses built-in types only, which Npgsql knows without reading the server's
        // catalogue: that read took about 40 ms of every store's first connection.
        sourceBuilder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        var store = new PostgresStore(location, options.Schema, sourceBuilder.Build());
        try
        {
            store.Guard(() =>
            {
                using var connection = store.dataSource.OpenConnection();
                PostgresSchema.Upgrade(connection, options.Schema, store.Description, schemaVersion);
                return true;
            });
            return store;
        }
        catch
        {
            store.dataSource.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public Task WhenChangedAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var signal = Volatile.Read(ref changed).Task;
        EnsureListening();
        return signal.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }
        await stopping.CancelAsync().ConfigureAwait(false);
        Task? running;
        lock (listenerLock)
        {
            running = listener;
        }
        if (running is not null)
        {
            await running.ConfigureAwait(false);
        }
        await dataSource.DisposeAsync().ConfigureAwait(false);
        stopping.Dispose();
    }

    /// <summary>How long the server lets a transaction of the store wait for its client between
    /// statements before ending it; the store's transactions never wait on anything but the server.</summary>
    internal static readonly TimeSpan IdleInTransactionLimit = TimeSpan.FromSeconds(5);

    /// <summary>The connection settings of the store at <paramref name="location"/>: its schema as
    /// the search path, the options' timeouts and the password (never from the URL).</summary>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    /// <exception cref="StoreUnavailableException">The password file cannot be read.</exception>
    internal static NpgsqlConnectionStringBuilder ConnectionSettings(PostgresLocation location, PostgresStoreOptions options)
    {
        CheckSeconds(options.ConnectTimeout, 1024, nameof(options.ConnectTimeout));
        CheckSeconds(options.CommandTimeout, 3600, nameof(options.CommandTimeout));
        if (options.Schema is null || !SchemaName().IsMatch(options.Schema))
        {
            throw new ArgumentException($"The schema name '{options.Schema}' is not one the store takes: lowercase letters, digits and underscores, starting with a letter or underscore, at most 50 characters.", nameof(options));
        }
        return new NpgsqlConnectionStringBuilder(location.ConnectionString(Password(location, options)))
        {
            // A client that stops between the statements of a transaction (a frozen or cut-off
            // silo) would otherwise hold its row locks, the change version's among them, and stall
            // every writer of the cluster until it came back: the server ends such a transaction.
            Options = $"-c idle_in_transaction_session_timeout={(int)IdleInTransactionLimit.TotalMilliseconds}",
            SearchPath = options.Schema,
            ApplicationName = "OrleansPigmm",
            Timeout = (int)Math.Ceiling(options.ConnectTimeout.TotalSeconds),
            CommandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds),
        };
    }

    private static void CheckSeconds(TimeSpan value, int maxSeconds, string name)
    {
        if (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromSeconds(maxSeconds))
        {
            throw new ArgumentOutOfRangeException("options", value, $"{name} must be from 1 s to {maxSeconds} s.");
        }
    }

    /// <summary>The password from the options' file, else PGPASSWORD, else none.</summary>
    private static string? Password(PostgresLocation location, PostgresStoreOptions options)
    {
        if (options.PasswordFile is { } file)
        {
            try
            {
                using var reader = new StreamReader(file);
                return reader.ReadLine() ?? "";
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                throw new StoreUnavailableException(location.Description, $"the password file '{file}' cannot be read ({error.GetType().Name}).", error);
            }
        }
        return Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } password ? password : null;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) == 1, this);

    /// <summary>The failure for an Npgsql error; a lost connection also empties the pool, so the
    /// next call connects afresh.</summary>
    private StoreUnavailableException Unavailable(NpgsqlException error)
    {
        if (PostgresFailures.IsConnectionLost(error))
        {
            dataSource.Clear();
        }
        return PostgresFailures.Unavailable(location, Description, error);
    }

    private T Guard<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (NpgsqlException error)
        {
            throw Unavailable(error);
        }
    }

    private async Task<T> GuardAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (NpgsqlException error)
        {
            throw Unavailable(error);
        }
    }

    /// <summary>Runs <paramref name="query"/> on a pooled connection.</summary>
    private Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> query, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return GuardAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await query(connection).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Runs <paramref name="transaction"/> in one transaction and commits it; any failure rolls it
    /// back whole. When it reports a change, the same transaction increments the change version
    /// and notifies the channel. A call cancelled before the commit writes nothing.
    /// </summary>
    private Task<T> WriteAsync<T>(Func<NpgsqlConnection, Task<(T Result, bool Changed)>> transaction, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return GuardAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var open = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var (result, wrote) = await transaction(connection).ConfigureAwait(false);
            if (wrote)
            {
                await using var record = new NpgsqlCommand(recordChangeSql, connection);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            await open.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            if (wrote)
            {
                AnnounceChange();
            }
            return result;
        });
    }

    /// <summary>
    /// Streams the rows of one query, read in one statement (one consistent state) as the server
    /// sends them. A consumer that stops early cancels the rest of the query.
    /// </summary>
    private async IAsyncEnumerable<T> StreamAsync<T>(string sql, Action<NpgsqlParameterCollection> parameters, Func<NpgsqlDataReader, T> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        NpgsqlConnection? connection = null;
        NpgsqlCommand? command = null;
        NpgsqlDataReader? reader = null;
        bool finished = false;
        try
        {
            connection = await GuardAsync(() => dataSource.OpenConnectionAsync(cancellationToken).AsTask()).ConfigureAwait(false);
            command = new NpgsqlCommand(sql, connection);
            parameters(command.Parameters);
            reader = await GuardAsync(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
            while (await GuardAsync(() => reader.ReadAsync(cancellationToken)).ConfigureAwait(false))
            {
                yield return Guard(() => read(reader));
            }
            finished = true;
        }
        finally
        {
            if (!finished && reader is not null)
            {
                try
                {
                    command!.Cancel();
                }
                catch (Exception error) when (error is NpgsqlException or InvalidOperationException)
                {
                    // The query ended meanwhile, or the connection is gone: nothing left to cancel.
                }
            }
            await DisposeQuietlyAsync(reader).ConfigureAwait(false);
            await DisposeQuietlyAsync(command).ConfigureAwait(false);
            await DisposeQuietlyAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>Disposes what a stream used; an abandoned or failed query may complain as it
    /// ends, and the caller has its answer (or its error) already.</summary>
    private static async ValueTask DisposeQuietlyAsync(IAsyncDisposable? resource)
    {
        try
        {
            if (resource is not null)
            {
                await resource.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is NpgsqlException or OperationCanceledException or InvalidOperationException or IOException)
        {
        }
    }

    private void AnnounceChange() => Interlocked.Exchange(ref changed, NewChangeSignal()).TrySetResult();

    private static TaskCompletionSource NewChangeSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts the listener at the first wait for a change.</summary>
    private void EnsureListening()
    {
        lock (listenerLock)
        {
            if (listener is null && !stopping.IsCancellationRequested)
            {
                listener = Task.Run(ListenAsync);
            }
        }
    }

    /// <summary>
    /// Listens on the change channel until the store is disposed, announcing every notification.
    /// Each time it (re)starts listening it announces a change too: notifications sent while it
    /// was not listening are lost, and waiters woken for nothing just read the version again.
    /// </summary>
    private async Task ListenAsync()
    {
        var stop = stopping.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                connection.Notification += (_, _) => AnnounceChange();
                await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }
                AnnounceChange();
                while (true)
                {
                    await connection.WaitAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is NpgsqlException or IOException or InvalidOperationException)
            {
                // The server is away: watchers keep polling meanwhile; listen again shortly.
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
