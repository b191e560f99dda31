using System.Net.Sockets;
using Npgsql;

namespace OrleansPigmm.Storage.Postgres;

/// <summary>Turns Npgsql errors into <see cref="StoreUnavailableException"/> with a one-line
/// problem a user can act on. Npgsql's messages never hold the password, and neither do these.</summary>
internal static class PostgresFailures
{
    public static StoreUnavailableException Unavailable(PostgresLocation location, string store, NpgsqlException error) =>
        new(store, Problem(location, error), error);

    /// <summary>Whether the error leaves the connections of the pool suspect (the server went away
    /// or restarted), so that they are closed rather than used again.</summary>
    public static bool IsConnectionLost(NpgsqlException error) => error is not PostgresException postgres
        || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
        || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal);

    private static string Problem(PostgresLocation location, NpgsqlException error)
    {
        if (error is PostgresException postgres)
        {
            return postgres.SqlState switch
            {
                "28P01" or "28000" => $"the server refused the login of user '{location.User}' (wrong password, or none given: set PGPASSWORD or name a password file).",
                "3D000" => $"the server has no database '{location.Database}' (create it first).",
                "57P01" or "57P02" or "57P03" => "the server is shutting down, restarting or starting up; try again shortly.",
                "53300" => "the server has no connection left to give (too many clients).",
                _ => $"PostgreSQL error {postgres.SqlState}: {OneLine(postgres.MessageText)}",
            };
        }
        var inner = error.InnerException;
        while (inner is not null and not SocketException and not TimeoutException)
        {
            inner = inner.InnerException;
        }
        return inner switch
        {
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } => $"nothing answers at {location.Host}:{location.Port} (is the server running?).",
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => $"the host '{location.Host}' cannot be found.",
            SocketException socket => $"the server at {location.Host}:{location.Port} cannot be reached ({OneLine(socket.Message)}).",
            TimeoutException => $"the server at {location.Host}:{location.Port} did not answer in time.",
            _ when error.Message.Contains("password", StringComparison.OrdinalIgnoreCase) =>
                $"the server asks user '{location.User}' for a password and none was given (set PGPASSWORD or name a password file).",
            _ when error.InnerException is IOException or EndOfStreamException || error.Message.Contains("Exception while", StringComparison.Ordinal) =>
                "the connection to the server was lost.",
            _ => OneLine(error.Message),
        };
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.') + ".";
}
