namespace OrleansPigmm.Storage.Tests.Sqlite;

/// <summary>A temporary folder for SQLite files, deleted with the test, and the file moves the
/// tests make on a database: SQLite keeps a database in up to three files (the database, its
/// write-ahead log and the log's index), and they move together.</summary>
internal sealed class SqliteTestFolder : IDisposable
{
    private static readonly string[] Suffixes = ["", "-wal", "-shm"];

    public string Path { get; } = Directory.CreateTempSubdirectory("pigmm-store-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Copies the files of <paramref name="database"/> aside, then deletes them.</summary>
    public void SetAside(string database)
    {
        foreach (var file in FilesOf(database))
        {
            System.IO.File.Copy(file, file + ".aside", overwrite: true);
            System.IO.File.Delete(file);
        }
    }

    /// <summary>Puts back the files <see cref="SetAside"/> kept; files there since are replaced.</summary>
    public void Restore(string database)
    {
        foreach (var suffix in Suffixes)
        {
            System.IO.File.Delete(database + suffix);
            if (System.IO.File.Exists(database + suffix + ".aside"))
            {
                System.IO.File.Move(database + suffix + ".aside", database + suffix);
            }
        }
    }

    private static IEnumerable<string> FilesOf(string database) => Suffixes.Select(s => database + s).Where(System.IO.File.Exists).ToList();

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
