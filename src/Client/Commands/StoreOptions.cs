using System.CommandLine;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Postgres;

namespace OrleansPigmm.Client.Commands;

/// <summary>The <c>--password-file</c> option of the commands that may open a PostgreSQL store,
/// and how any store argument is opened: a store that cannot be opened is bad input, said in one
/// line that never holds a password.</summary>
internal static class StoreOptions
{
    /// <summary>A new <c>--password-file</c> option.</summary>
    public static Option<string?> PasswordFileOption() => new("--password-file")
    {
        Description = "A file whose first line is the PostgreSQL password (else PGPASSWORD is used; never give it on the command line).",
    };

    /// <summary>The PostgreSQL settings the command line asks for.</summary>
    public static PostgresStoreOptions Postgres(ParseResult parsed, Option<string?> passwordFile) =>
        new() { PasswordFile = parsed.GetValue(passwordFile) };

    /// <summary>Opens (a SQLite file: creates if missing) the store <paramref name="location"/> names,
    /// bringing its schema up to date.</summary>
    /// <exception cref="InputException">The store cannot be opened, or the URL is malformed.</exception>
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
