using System.Diagnostics;
using System.Text.Json;
using OrleansPigmm.Client.Tests.Support;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Sqlite;

namespace OrleansPigmm.Client.Tests.Commands;

public class RunCommandTests
{
    [Fact]
    public void TheQuickPresetTrainsFitsAndReportsEndToEnd()
    {
        using var directory = new TemporaryDirectory();
        string store = directory.File("quick.db"), output = directory.File("out");

        var result = Cli.Run("run", "--preset", "quick", "--store", store, "--out", output);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("784-10-10-10-10, 200 replicas x 5 epochs, 3 analysed 10x10 layers", result.Output);
        using var fits = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "fits.json")));
        var root = fits.RootElement;
        Assert.Equal(16, root.GetProperty("experiment").GetString()!.Length);
        Assert.Equal(200, root.GetProperty("spec").GetProperty("replicas").GetInt32());
        var entries = root.GetProperty("fits").EnumerateArray().ToArray();
        Assert.Equal(3 * 6, entries.Length);
        foreach (var fit in entries)
        {
            Assert.Equal(200, fit.GetProperty("samples").GetInt32());
            Assert.Equal(10, fit.GetProperty("n").GetInt32());
            Assert.Equal(13, fit.GetProperty("params").GetArrayLength());
            Assert.Equal(52, fit.GetProperty("invariants").GetArrayLength());
            foreach (var distances in new[] { "w2", "w2_squared" })
            {
                var values = fit.GetProperty(distances);
                Assert.Equal(new[] { "simple_gaussian", "epoch0", "previous" }, values.EnumerateObject().Select(p => p.Name));
                Assert.True(values.GetProperty("simple_gaussian").GetDouble() > 0);
                bool initial = fit.GetProperty("epoch").GetInt32() == 0;
                Assert.Equal(initial, values.GetProperty("previous").ValueKind == JsonValueKind.Null);
                Assert.Equal(initial, values.GetProperty("epoch0").GetDouble() == 0);
            }
        }
        Assert.Equal(1 + 3 * 6 * 52, File.ReadAllLines(Path.Combine(output, "fits.csv")).Length);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(output, "report.html")));
        // The fits are those of the single-process pipeline that preceded the Orleans grains, bit for bit.
        Assert.Equal(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", "quick-fits.json")), File.ReadAllBytes(Path.Combine(output, "fits.json")));

        // Running the same command again finds everything done and writes the same fits.
        var again = Cli.Run("run", "--preset", "quick", "--store", store, "--out", directory.File("again"));
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Resuming: 1200 of 1200 replica-epochs are already stored.", again.Output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "fits.json")), File.ReadAllBytes(directory.File("again/fits.json")));
    }

    [Fact]
    public async Task AKilledRunResumesAndItsFitsEqualThoseOfAnUninterruptedRunBitForBit()
    {
        using var directory = new TemporaryDirectory();
        string[] run = ["run", "--preset", "quick", "--replicas", "60", "--epochs", "4", "--device", "cpu:2"];
        string killedStore = directory.File("killed.db");

        // Kill the process (no chance to clean up) once at least one epoch after initialisation is stored.
        using (var victim = StartPigmm([.. run, "--store", killedStore, "--out", directory.File("never")]))
        {
            await WaitUntilAsync(async () => await CommittedEpochsAsync(killedStore) >= 60 * 2, victim, TimeSpan.FromMinutes(3));
            victim.Kill(entireProcessTree: true);
            await victim.WaitForExitAsync();
        }
        long before = await CommittedEpochsAsync(killedStore);
        Assert.InRange(before, 60 * 2, 60 * 5 - 1);

        var resumed = Cli.Run([.. run, "--store", killedStore, "--out", directory.File("resumed")]);
        var uninterrupted = Cli.Run([.. run, "--store", directory.File("whole.db"), "--out", directory.File("whole")]);

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains($"Resuming: {before} of 300 replica-epochs are already stored.", resumed.Output);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Error);
        foreach (var file in new[] { "fits.json", "fits.csv" })
        {
            Assert.Equal(File.ReadAllBytes(directory.File($"whole/{file}")), File.ReadAllBytes(directory.File($"resumed/{file}")));
        }
    }

    [Theory]
    [InlineData(new[] { "run", "--preset", "quick", "--spec", "x.json" }, "either --preset or --spec, not both")]
    [InlineData(new[] { "run" }, "give --preset NAME")]
    [InlineData(new[] { "run", "--preset", "fast" }, "unknown preset 'fast'; the presets are quick, paper-gaussian")]
    [InlineData(new[] { "run", "--preset", "quick", "--replicas", "1" }, "spec.replicas")]
    [InlineData(new[] { "run", "--preset", "quick", "--epochs", "-2" }, "spec.epochs")]
    [InlineData(new[] { "run", "--preset", "quick", "--l2", "-1" }, "spec.l2")]
    [InlineData(new[] { "run", "--preset", "quick", "--init", "kaiming" }, "spec.init")]
    [InlineData(new[] { "run", "--preset", "quick", "--widths", "10,20" }, "square")]
    [InlineData(new[] { "run", "--preset", "quick", "--dataset", "cifar" }, "spec.dataset: 'cifar' is not a configured dataset")]
    [InlineData(new[] { "run", "--spec", "absent.json" }, "absent.json")]
    [InlineData(new[] { "run", "--preset", "quick", "--device", "tpu" }, "--device must be cpu, cpu:N")]
    [InlineData(new[] { "run", "--preset", "quick", "--device", "cpu:0" }, "--device must be cpu, cpu:N")]
    [InlineData(new[] { "run", "--preset", "quick", "--device", "gpu:99" }, "no CUDA device")]
    public void RefusesBadArgumentsWithOneLine(string[] args, string expected)
    {
        using var directory = new TemporaryDirectory();

        var line = Cli.Run([.. args, "--store", directory.File("bad.db")]).AssertBadInput("run");

        Assert.Contains(expected, line);
        Assert.False(File.Exists(directory.File("bad.db")));
    }

    [Theory]
    [InlineData("{ \"replicas\": \"many\" }", "spec.replicas")]
    [InlineData("{ \"hidden_widths\": [10, -3] }", "spec.hidden_widths")]
    [InlineData("{ \"epochs\": 100000000 }", "spec.epochs")]
    [InlineData("{ \"colour\": \"blue\" }", "colour")]
    [InlineData("{ \"hidden_widths\": [10, 20] }", "square")]
    [InlineData("[1, 2", "not valid JSON")]
    public void RefusesBadSpecFilesNamingTheField(string json, string expected)
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.File("spec.json"), json);

        var line = Cli.Run("run", "--spec", directory.File("spec.json"), "--store", directory.File("bad.db")).AssertBadInput("run");

        Assert.Contains(expected, line);
    }

    [Fact]
    public void ASpecWithSeveralProblemsReportsEveryOneOnOneLine()
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.File("spec.json"), """{"replicas": -3, "hidden_widths": [10, "x"], "init": "foo"}""");

        var line = Cli.Run("run", "--spec", directory.File("spec.json"), "--store", directory.File("bad.db")).AssertBadInput("run");

        Assert.Contains("3 problems in the spec", line);
        foreach (var field in new[] { "spec.replicas", "spec.hidden_widths[1]", "spec.init" })
        {
            Assert.Contains(field, line);
        }
        Assert.False(File.Exists(directory.File("bad.db")));
    }

    [Fact]
    public void AMissingDatasetNamesTheFetchCommand()
    {
        using var directory = new TemporaryDirectory();

        var line = Cli.Run("run", "--preset", "quick", "--store", directory.File("s.db"), "--data-dir", directory.File("no-data")).AssertBadInput("run");

        Assert.Contains("fetch-dataset.sh", line);
    }

    private static async Task<long> CommittedEpochsAsync(string store)
    {
        if (!File.Exists(store))
        {
            return 0;
        }
        await using var opened = SqliteStore.Open(store);
        var experiment = (await opened.ListExperimentsAsync()).SingleOrDefault();
        return experiment is null ? 0 : (await opened.GetProgressAsync(experiment.Id)).ReplicaEpochsDone;
    }

    private static Process StartPigmm(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pigmm.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Process process, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.False(process.HasExited, "pigmm run ended before it could be killed");
            Assert.True(clock.Elapsed < limit, "pigmm run made no progress in time");
            await Task.Delay(100);
        }
    }
}
