using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace OrleansPigmm.Storage.Sqlite;

/// <summary>The one SQLite call Microsoft.Data.Sqlite and SQLitePCLRaw do not expose.</summary>
internal static class SqliteNative
{
    private const int FileControlHasMoved = 20; // SQLITE_FCNTL_HAS_MOVED

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_file_control(IntPtr database, IntPtr schemaName, int operation, ref int value);

    /// <summary>
    /// Whether the main database file of <paramref name="connection"/> was deleted, renamed or
    /// replaced since it was opened. An open connection keeps writing to the file it opened, so in
    /// WAL mode such writes would succeed and be lost with the unlinked file; this is how we notice.
    /// File systems without the check (SQLite implements it for Unix) answer false.
    /// </summary>
    public static bool FileHasMoved(SqliteConnection connection)
    {
        int moved = 0;
        int code = sqlite3_file_control(connection.Handle!.DangerousGetHandle(), IntPtr.Zero, FileControlHasMoved, ref moved);
        return code == 0 && moved != 0;
    }
}
