using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OrleansPigmm.Storage.Sqlite;

/// <summary>
/// One open connection of a <see cref="SqliteStore"/> with its prepared commands, used by one
/// caller at a time. Commands are kept per SQL text: re-running a kept command reuses its
/// prepared statement.
/// </summary>
internal sealed class SqliteSession(SqliteConnection connection, int generation) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection { get; } = connection;

    /// <summary>The store's session generation when this session was opened; sessions of an older
    /// generation are closed instead of reused (the store starts a new one after a failure).</summary>
    public int Generation { get; } = generation;

    /// <summary>Set by a write transaction that changed something, so the store announces it.</summary>
    public bool Changed { get; set; }

    /// <summary>The kept command for <paramref name="sql"/>, with the parameters of its last run.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            commands.Add(sql, command);
        }
        return command;
    }

    public int Execute(string sql) => Command(sql).ExecuteNonQuery();

    public bool InTransaction => raw.sqlite3_get_autocommit(Connection.Handle) == 0;

    /// <summary>Rolls back the open transaction, if any. False if the rollback failed: the session
    /// must then be closed (which ends the transaction); the caller reports the first error.</summary>
    public bool TryRollback()
    {
        try
        {
            if (InTransaction)
            {
                Execute("ROLLBACK");
            }
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }
        commands.Clear();
        Connection.Dispose();
    }
}

/// <summary>Parameter binding for kept commands: the first run adds a parameter, later runs set it.</summary>
internal static class SqliteCommandExtensions
{
    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        int index = command.Parameters.IndexOf(name);
        if (index < 0)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        else
        {
            command.Parameters[index].Value = value ?? DBNull.Value;
        }
        return command;
    }
}
