using System.Text.RegularExpressions;
using OrleansPigmm.Client.Tests.Support;
using OrleansPigmm.Storage.Postgres;
using OrleansPigmm.Storage.Tests.Postgres;

namespace OrleansPigmm.Client.Tests.Commands;

[Collection(PostgresCollection.Name)]
public sealed class BenchClusterCommandTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task TheQuickRunMeasuresBothScenariosWithEqualFitsAndRightCounts()
    {
        string url = await postgres.CreateDatabaseAsync();
        try
        {
            var result = Cli.Run("bench", "cluster", "--quick", "--postgres", url);

            Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}\n{result.Error}\n{result.Output}");
            string output = result.Output.Replace("\r", "");
            Assert.StartsWith("Cluster benchmark: paper net 784-10-10-10-10, R = 9, seed ", output);
            Assert.Matches(@"\nlocal: pigmm run, cpu:2, SQLite +[0-9.]+ m?s +[0-9.]+\n", output);
            Assert.Matches(@"\ncluster: 2 silos of cpu:1, PostgreSQL +[0-9.]+ m?s +[0-9.]+\n", output);
            Assert.Matches(@"\nReplica-epochs: R \(E \+ 1\) = 18, epoch 0 \(the initial weights\) included\. Replicas per silo in the cluster: [0-9]+, [0-9]+\.\n", output);
            Assert.Matches(@"\nCluster / local wall time: [0-9]+\.[0-9]{3} \(target <= 1\.10: (met|not met)\)\.\n", output);
            Assert.Matches(@"\nfits\.json of experiment [0-9a-f]{16}: byte-identical in both runs \([0-9]+ bytes\)\.\n", output);
            Assert.Matches(@"\nThe killed silo hosted [0-9]+ of 9 replicas \([1-9][0-9]* unfinished at the kill\)( and the experiment grain)?; replicas active on each silo at the kill: [0-9]+, [0-9]+, [0-9]+\.\n", output);
            foreach (string recoveryEvent in new[] { "silo declared dead (membership status 6)", "first of its replicas committed an epoch elsewhere", "all of its unfinished replicas had" })
            {
                Assert.Matches($@"\n{Regex.Escape(recoveryEvent)} +[0-9]+\.[0-9]{{2}}\n", output);
            }
            Assert.Matches(@"\nPlain epoch time for context \(epoch 2 of every replica, before the kill\): [0-9]+\.[0-9]{2} s\.\n", output);
            Assert.Contains("Run complete: 81 of 81 replica-epochs, 9 of 9 replicas at epoch 8, 27 of 27 fits: every count right.", output);
            Assert.DoesNotContain("never", output);
        }
        finally
        {
            await postgres.DropDatabaseAsync(PostgresLocation.Parse(url).Database);
        }
    }

    [Fact]
    public async Task ADatabaseWithARunningExperimentIsRefusedInOneLine()
    {
        string url = await postgres.CreateDatabaseAsync();
        try
        {
            await using (var store = PostgresStore.Open(url))
            {
                await store.CreateExperimentAsync(new Storage.ExperimentRecord("00000000000000aa", "{}", 3, 1, 3, 10, DateTimeOffset.UnixEpoch, Storage.ExperimentLifecycle.Running));
            }

            var line = Cli.Run("bench", "cluster", "--quick", "--postgres", url).AssertBadInput("bench cluster");

            Assert.Contains("has 1 running experiment(s) (00000000000000aa)", line);
        }
        finally
        {
            await postgres.DropDatabaseAsync(PostgresLocation.Parse(url).Database);
        }
    }
}

public sealed class BenchClusterOptionTests
{
    [Theory]
    [InlineData("--replicas", "2", "--replicas must be at least 3")]
    [InlineData("--epochs", "0", "--epochs at least 1")]
    [InlineData("--recovery-epochs", "2", "--recovery-epochs at least 3")]
    public void SizesTooSmallAreBadInput(string option, string value, string expected)
    {
        var line = Cli.Run("bench", "cluster", "--postgres", "postgres://nobody@127.0.0.1:1/none", option, value).AssertBadInput("bench cluster");

        Assert.Contains(expected, line);
    }

    [Fact]
    public void ADatabaseThatIsNotPostgresIsBadInput()
    {
        var line = Cli.Run("bench", "cluster", "--postgres", "runs.db").AssertBadInput("bench cluster");

        Assert.Contains("--postgres must name a PostgreSQL database", line);
    }
}
