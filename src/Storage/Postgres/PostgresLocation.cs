using System.Globalization;
using Npgsql;

namespace OrleansPigmm.Storage.Postgres;

/// <summary>Where a PostgreSQL store lives, as its URL names it: postgres://USER@HOST[:PORT]/DB
/// (or postgresql://). Passwords are never part of it.</summary>
public sealed record PostgresLocation(string User, string Host, int Port, string Database)
{
    /// <summary>The port when the URL names none.</summary>
    public const int DefaultPort = 5432;

    /// <summary>The form a URL must have, for messages.</summary>
    public const string ExpectedForm = "postgres://USER@HOST:PORT/DB";

    /// <summary>The location as a URL without credentials, for messages.</summary>
    public string Description => $"postgres://{Uri.EscapeDataString(User)}@{HostInUrl}:{Port.ToString(CultureInfo.InvariantCulture)}/{Uri.EscapeDataString(Database)}";

    private string HostInUrl => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;

    /// <summary>An Npgsql connection string to this location, with <paramref name="password"/> if
    /// one is given; callers add their own settings.</summary>
    public string ConnectionString(string? password = null) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = User,
        Database = Database,
        Password = password,
    }.ConnectionString;

    /// <summary>Whether <paramref name="text"/> starts as a PostgreSQL URL does (postgres:// or postgresql://).</summary>
    public static bool IsUrl(string text) =>
        text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a URL of the form postgres://USER@HOST[:PORT]/DB.</summary>
    /// <exception cref="ArgumentException">The URL is not of that form, or holds a password,
    /// query or fragment (the message never repeats a password).</exception>
    public static PostgresLocation Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!IsUrl(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw Malformed("it is not a URL of that form");
        }
        if (uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            throw Malformed("it holds a password; give the password in PGPASSWORD or a password file instead");
        }
        if (uri.UserInfo.Length == 0)
        {
            throw Malformed("it names no user");
        }
        if (uri.Host.Length == 0)
        {
            throw Malformed("it names no host");
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw Malformed("it has a query or fragment, which the store does not take");
        }
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
        {
            throw Malformed("it names no database, or more than one path segment");
        }
        int port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        return new PostgresLocation(Uri.UnescapeDataString(uri.UserInfo), uri.IdnHost, port, database);
    }

    private static ArgumentException Malformed(string problem) =>
        new($"A PostgreSQL store is named by a URL of the form {ExpectedForm} (port optional, {DefaultPort} by default); {problem}.", "url");
}
