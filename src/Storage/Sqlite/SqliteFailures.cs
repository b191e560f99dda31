using Microsoft.Data.Sqlite;

namespace OrleansPigmm.Storage.Sqlite;

/// <summary>Turns SQLite errors into <see cref="StoreUnavailableException"/> with a one-line
/// problem that says what happened to the database in words a user can act on.</summary>
internal static class SqliteFailures
{
    private const int Busy = 5, Locked = 6, ReadOnly = 8, IoError = 10, Corrupt = 11, Full = 13, CantOpen = 14, Permission = 3, Auth = 23, NotADatabase = 26;
    private const int ReadOnlyDatabaseMoved = ReadOnly | (4 << 8);

    public static StoreUnavailableException Unavailable(string store, SqliteException error, TimeSpan busyTimeout) =>
        new(store, Problem(error, busyTimeout), error);

    private static string Problem(SqliteException error, TimeSpan busyTimeout) => error.SqliteErrorCode switch
    {
        Busy or Locked => $"the database stayed locked by another connection for longer than the busy timeout ({busyTimeout.TotalSeconds:0.#} s).",
        ReadOnly when error.SqliteExtendedErrorCode == ReadOnlyDatabaseMoved => Moved,
        ReadOnly => "the database cannot be written (read-only file, folder or disk).",
        IoError => "a disk I/O error occurred (was the file deleted or its disk removed?).",
        Corrupt => "the database file is corrupt; restore it from a copy.",
        Full => "the disk is full.",
        CantOpen => "the database file cannot be opened (is it missing, or its folder not accessible?).",
        Permission or Auth => "access to the database file is denied.",
        NotADatabase => "the file is not a SQLite database.",
        _ => $"SQLite error {error.SqliteErrorCode} ({OneLine(error.Message)}).",
    };

    /// <summary>The problem when the database file was deleted, renamed or replaced while open.</summary>
    public const string Moved = "the database file was deleted, moved or replaced while the store had it open.";

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
