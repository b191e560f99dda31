using System.CommandLine;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm db migrate</c>: creates or upgrades a store's schema, so that users never run SQL by hand.</summary>
internal static class DbCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var db = new Command("db", "Manage a store's schema.");
        db.Subcommands.Add(Migrate(output, error));
        return db;
    }

    private static Command Migrate(TextWriter output, TextWriter error)
    {
        var store = new Option<string>("--store") { Description = "The store: a SQLite file, or postgres://USER@HOST:PORT/DB (password from PGPASSWORD or --password-file).", Required = true };
        var command = new Command("migrate", "Create the store's schema, or upgrade it to this version's, under a lock that concurrent silos respect; a store written by a newer version is refused.")
        {
            store,
        };
        var postgres = new StoreOptions().AddTo(command);
        command.SetAction((parsed, cancellationToken) => Task.FromResult(CommandFailure.Guard("db migrate", error, () =>
        {
            // Opening a store applies the migrations it lacks.
            var opened = StoreOptions.Open(parsed.GetValue(store)!, postgres.Postgres(parsed));
            output.WriteLine($"{opened.Description}: the schema is up to date.");
            opened.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        })));
        return command;
    }
}
