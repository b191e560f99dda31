using System.CommandLine;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Postgres;

namespace OrleansPigmm.Client.Commands;

/// <summary>The options of the commands that may open a PostgreSQL store (<c>--password-file</c>
/// and <c>--schema</c>), and how any store argument is opened: a store that cannot be opened is
/// bad input, said in one line that never holds a password.</summary>
internal sealed class StoreOptions
{
    private readonly Option<string?> passwordFile = new("--password-file")
    {
        Description = "A file whose first line is the PostgreSQL password (else PGPASSWORD is used; never give it on the command line).",
    };

    private readonly Option<string?> schema = new("--schema")
    {
        Description = "The PostgreSQL schema of the store and its cluster's membership (default pigmm): one per cluster, so that several clusters can share a database.",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public StoreOptions AddTo(Command command)
    {
        command.Options.Add(passwordFile);
        command.Options.Add(schema);
        return this;
    }

    /// <summary>The PostgreSQL settings the command line asks for.</summary>
    public PostgresStoreOptions Postgres(ParseResult parsed)
    {
        var options = new PostgresStoreOptions { PasswordFile = parsed.GetValue(passwordFile) };
        return parsed.GetValue(schema) is { } named ? options with { Schema = named } : options;
    }

    /// <summary>Opens (a SQLite file: creates if missing) the store <paramref name="location"/> names,
    /// bringing its schema up to date.</summary>
    /// <exception cref="InputException">The store cannot be opened, or the URL or options are malformed.</exception>
    public static IPigmmStore Open(string location, PostgresStoreOptions postgres)
    {
        try
        {
            return PigmmStores.Open(location, postgres);
        }
        catch (StoreUnavailableException unavailable)
        {
            throw new InputException(unavailable.Message);
        }
        catch (ArgumentException invalid)
        {
            throw new InputException(invalid.Message);
        }
    }
}
