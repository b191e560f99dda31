using OrleansPigmm.Client.Tests.Support;
using OrleansPigmm.Storage.Sqlite;

namespace OrleansPigmm.Client.Tests.Commands;

public class DbCommandTests
{
    [Fact]
    public async Task Migrate_creates_a_store_that_opens_at_the_current_schema()
    {
        // Proves that `pigmm db migrate` leaves a store every command can use, and is a no-op the second time.
        using var directory = new TemporaryDirectory();
        string path = directory.File("new.db");

        var first = Cli.Run("db", "migrate", "--store", path);
        var again = Cli.Run("db", "migrate", "--store", path);

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("the schema is up to date", first.Output);
        Assert.Equal(0, again.ExitCode);
        await using var store = SqliteStore.Open(path);
        Assert.Empty(await store.ListExperimentsAsync());
    }

    [Theory]
    [InlineData("postgres://user:secret@127.0.0.1:5432/db", "password")]
    [InlineData("postgres://127.0.0.1:1/db", "postgres://USER@HOST")]
    public void Migrate_refuses_a_bad_store_with_one_line(string store, string expected)
    {
        // Proves the bad-input contract of db migrate, and that a password in the URL is refused and never echoed.
        var line = Cli.Run("db", "migrate", "--store", store).AssertBadInput("db migrate");

        Assert.Contains(expected, line);
        Assert.DoesNotContain("secret", line);
    }
}
