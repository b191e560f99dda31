using System.Text.Json;
using OrleansPigmm.Client.Tests.Support;
using OrleansPigmm.Formats.Npy;
using OrleansPigmm.Outputs;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Tests.Support;

namespace OrleansPigmm.Client.Tests.Commands;

/// <summary>watch, fits and export on a store filled directly through the store interface.</summary>
public sealed class StoreCommandTests : IDisposable
{
    private static readonly FilledExperiment Experiment = new("0123456789abcdef");

    private readonly TemporaryDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private string StorePath => folder.File("runs.db");

    private async Task FillAsync(params FilledExperiment[] experiments)
    {
        await using var store = SqliteStore.Open(StorePath);
        foreach (var experiment in experiments)
        {
            await StoreFiller.FillAsync(store, experiment);
        }
    }

    /// <summary>Everything a command could lose or change in the store, as comparable text.</summary>
    private async Task<string> StoreContentsAsync()
    {
        await using var store = SqliteStore.Open(StorePath);
        var lines = new List<string> { $"version {await store.GetChangeVersionAsync()}" };
        foreach (var experiment in await store.ListExperimentsAsync())
        {
            lines.Add(experiment.ToString());
            lines.Add(string.Join(' ', await store.ListCompletedEpochsAsync(experiment.Id)));
            lines.AddRange((await store.ListFitsAsync(experiment.Id)).Select(fit => fit.FitJson));
            lines.AddRange((await store.ReadMetricsAsync(experiment.Id)).Select(row => row.ToString()));
            await foreach (var snapshot in store.ReadWeightsAsync(experiment.Id))
            {
                lines.Add($"{snapshot.Replica}/{snapshot.Layer}/{snapshot.Epoch}: {Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(snapshot.Weights.AsSpan()))}");
            }
        }
        return string.Join('\n', lines);
    }

    [Fact]
    public async Task Fits_writes_the_three_output_files_of_the_only_experiment()
    {
        await FillAsync(Experiment);

        var result = Cli.Run("fits", "--store", StorePath, "--out", folder.File("out"));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(Experiment.Id, result.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.File("out"), ExperimentOutputs.FitsJsonFileName)));
        Assert.Equal(6, json.RootElement.GetProperty("fits").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(folder.File("out"), ExperimentOutputs.FitsCsvFileName)));
        Assert.True(File.Exists(Path.Combine(folder.File("out"), ExperimentOutputs.ReportFileName)));
    }

    [Fact]
    public async Task Report_is_another_name_for_fits()
    {
        await FillAsync(Experiment);

        var result = Cli.Run("report", "--store", StorePath, Experiment.Id, "--out", folder.File("out"));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(File.Exists(Path.Combine(folder.File("out"), ExperimentOutputs.ReportFileName)));
    }

    [Fact]
    public async Task Export_writes_every_stored_matrix_in_the_train_layout_with_a_sidecar()
    {
        await FillAsync(Experiment);
        string npy = folder.File("snapshots.npy");

        var result = Cli.Run("export", "--store", StorePath, "--output", npy);

        Assert.True(result.ExitCode == 0, result.Error);
        using (var reader = NpyReader.Open(npy))
        {
            Assert.Equal(NpyElementType.Float32, reader.Header.ElementType);
            Assert.Equal([6L, 3, 2, 4, 4], reader.Header.Shape);
            var values = new double[reader.Header.ElementCount];
            reader.Read(0, values);
            var expected =
                from replica in Enumerable.Range(0, 6)
                from epoch in Enumerable.Range(0, 3)
                from layer in Enumerable.Range(1, 2)
                from value in StoreFiller.Weights(Experiment, replica, layer, epoch)
                select (double)value;
            Assert.Equal(expected, values);
        }
        using var sidecar = JsonDocument.Parse(File.ReadAllText(folder.File("snapshots.json")));
        Assert.Equal(Experiment.Id, sidecar.RootElement.GetProperty("experiment").GetString());
        Assert.Equal([6, 3, 2, 4, 4], sidecar.RootElement.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
    }

    [Fact]
    public async Task Watch_after_the_run_prints_the_progress_and_the_latest_fit_of_every_layer_and_returns()
    {
        await FillAsync(Experiment);

        var result = Cli.Run("watch", "--store", StorePath);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("18/18 replica-epochs (100.0%)", result.Output);
        Assert.Contains("layer 1, epoch 2, samples 6", result.Output);
        Assert.Contains("layer 2, epoch 2, samples 6", result.Output);
    }

    [Theory]
    [InlineData("watch")]
    [InlineData("fits", "--out", "out")]
    [InlineData("export", "--output", "out.npy")]
    public void A_missing_store_is_bad_input_and_is_not_created(string command, params string[] extra)
    {
        var result = Cli.Run([command, "--store", StorePath, .. extra.Select(arg => arg.StartsWith("--") ? arg : folder.File(arg))]);

        Assert.Contains("there is no store at", result.AssertBadInput(command));
        Assert.False(File.Exists(StorePath));
    }

    [Theory]
    [InlineData("watch")]
    [InlineData("fits", "--out", "out")]
    [InlineData("export", "--output", "out.npy")]
    public async Task An_unknown_experiment_is_bad_input_that_lists_the_stored_ones(string command, params string[] extra)
    {
        await FillAsync(Experiment);
        string before = await StoreContentsAsync();

        var result = Cli.Run([command, "--store", StorePath, "feedfeedfeedfeed", .. extra.Select(arg => arg.StartsWith("--") ? arg : folder.File(arg))]);

        var line = result.AssertBadInput(command);
        Assert.Contains("'feedfeedfeedfeed'", line);
        Assert.Contains(Experiment.Id, line);
        Assert.Equal(before, await StoreContentsAsync());
    }

    [Theory]
    [InlineData("watch")]
    [InlineData("fits", "--out", "out")]
    [InlineData("export", "--output", "out.npy")]
    public async Task Leaving_out_the_experiment_of_a_store_with_several_is_bad_input_that_lists_them(string command, params string[] extra)
    {
        var other = new FilledExperiment("fedcba9876543210", Replicas: 4, Epochs: 1);
        await FillAsync(Experiment, other);
        string before = await StoreContentsAsync();

        var result = Cli.Run([command, "--store", StorePath, .. extra.Select(arg => arg.StartsWith("--") ? arg : folder.File(arg))]);

        var line = result.AssertBadInput(command);
        Assert.Contains($"{Experiment.Id}, {other.Id}", line);
        Assert.Equal(before, await StoreContentsAsync());
    }

    [Fact]
    public void A_store_file_that_is_not_a_store_is_bad_input_and_is_left_as_it_was()
    {
        File.WriteAllText(StorePath, "not a database");

        var result = Cli.Run("fits", "--store", StorePath, "--out", folder.File("out"));

        result.AssertBadInput("fits");
        Assert.Equal("not a database", File.ReadAllText(StorePath));
    }

    [Fact]
    public async Task An_output_folder_that_cannot_be_made_is_bad_input_and_the_store_is_unchanged()
    {
        await FillAsync(Experiment);
        string before = await StoreContentsAsync();
        File.WriteAllText(folder.File("taken"), "a file, not a folder");

        var result = Cli.Run("fits", "--store", StorePath, "--out", folder.File("taken"));

        Assert.Contains("cannot write", result.AssertBadInput("fits"));
        Assert.Equal(before, await StoreContentsAsync());
        Assert.Equal("a file, not a folder", File.ReadAllText(folder.File("taken")));
    }

    [Fact]
    public async Task An_export_into_a_missing_folder_is_bad_input_and_leaves_no_file()
    {
        await FillAsync(Experiment);
        string before = await StoreContentsAsync();

        var result = Cli.Run("export", "--store", StorePath, "--output", folder.File("missing/snapshots.npy"));

        Assert.Contains("cannot write", result.AssertBadInput("export"));
        Assert.Equal(before, await StoreContentsAsync());
        Assert.False(Directory.Exists(folder.File("missing")));
    }

    [Fact]
    public async Task Export_names_the_epochs_whose_weights_the_retention_dropped_and_writes_nothing()
    {
        await FillAsync(Experiment with { Epochs = 4, KeepsWeightsOf = epoch => epoch is 0 or 4 });
        string before = await StoreContentsAsync();

        var result = Cli.Run("export", "--store", StorePath, "--output", folder.File("snapshots.npy"));

        Assert.Contains("no raw weights for epochs 1-3", result.AssertBadInput("export"));
        Assert.Empty(Directory.GetFiles(folder.Path, "snapshots*"));
        Assert.Equal(before, await StoreContentsAsync());
    }

    [Fact]
    public async Task Export_of_an_experiment_still_training_is_bad_input()
    {
        await FillAsync(Experiment with { CommittedEpochs = 1 });

        var result = Cli.Run("export", "--store", StorePath, "--output", folder.File("snapshots.npy"));

        Assert.Contains("still training (12 of 18 replica-epochs", result.AssertBadInput("export"));
        Assert.False(File.Exists(folder.File("snapshots.npy")));
    }
}
