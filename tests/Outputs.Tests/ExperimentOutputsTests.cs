using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Tests.Support;

namespace OrleansPigmm.Outputs.Tests;

public sealed class ExperimentOutputsTests : IAsyncLifetime
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("pigmm-outputs-");
    private readonly FilledExperiment experiment = new("0123456789abcdef");
    private SqliteStore store = null!;

    public async Task InitializeAsync()
    {
        store = SqliteStore.Open(Path.Combine(folder.FullName, "store.db"));
        await StoreFiller.FillAsync(store, experiment);
    }

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        folder.Delete(recursive: true);
    }

    private string Out(string name) => Path.Combine(folder.FullName, name);

    [Fact]
    public async Task Fits_json_holds_the_experiment_its_spec_and_one_fit_per_layer_and_epoch()
    {
        await ExperimentOutputs.WriteAsync(store, experiment.Id, Out("out"));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out("out"), ExperimentOutputs.FitsJsonFileName)));
        var root = json.RootElement;
        Assert.Equal(experiment.Id, root.GetProperty("experiment").GetString());
        Assert.Equal("gaussian", root.GetProperty("spec").GetProperty("init").GetString());
        Assert.Equal(0.25, root.GetProperty("initial_law").GetProperty("variance").GetDouble());
        var fits = root.GetProperty("fits").EnumerateArray().ToList();
        Assert.Equal(
            [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)],
            fits.Select(fit => (fit.GetProperty("layer").GetInt32(), fit.GetProperty("epoch").GetInt32())));
        foreach (var fit in fits)
        {
            Assert.Equal(experiment.Replicas, fit.GetProperty("samples").GetInt64());
            Assert.Equal(experiment.MatrixSize, fit.GetProperty("n").GetInt32());
            Assert.Equal(PigmmParameters.Count, fit.GetProperty("params").GetArrayLength());
            var invariant = fit.GetProperty("invariants")[0];
            foreach (var name in new[] { "id", "spec", "degree", "mean", "std", "predicted", "deviation" })
            {
                Assert.True(invariant.TryGetProperty(name, out _), $"invariants[0] lacks '{name}'");
            }
            foreach (var distances in new[] { "w2", "w2_squared" })
            {
                Assert.Equal(["simple_gaussian", "epoch0", "previous"], fit.GetProperty(distances).EnumerateObject().Select(p => p.Name));
            }
        }
        Assert.Equal(JsonValueKind.Null, fits[0].GetProperty("w2").GetProperty("previous").ValueKind);
        Assert.Equal(JsonValueKind.Number, fits[1].GetProperty("w2").GetProperty("previous").ValueKind);
    }

    [Fact]
    public async Task Distances_are_the_ones_the_aggregator_published()
    {
        // Proves that W2 is computed in one place: the document carries the stored distances as they are.
        var document = await ExperimentOutputs.ReadAsync(store, experiment.Id);

        foreach (var record in await store.ListFitsAsync(experiment.Id))
        {
            var stored = JsonSerializer.Deserialize<FitDocument>(record.FitJson, FitsJson.Options)!;
            var fit = document.Fits.Single(f => (f.Layer, f.Epoch) == (record.Key.Layer, record.Key.Epoch));
            Assert.Equal((stored.W2, stored.W2Squared), (fit.W2, fit.W2Squared));
        }
    }

    [Fact]
    public async Task Fits_csv_has_one_row_per_layer_epoch_and_invariant()
    {
        await ExperimentOutputs.WriteAsync(store, experiment.Id, Out("out"));

        var lines = File.ReadAllText(Path.Combine(Out("out"), ExperimentOutputs.FitsCsvFileName)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", FitsCsv.Columns), lines[0]);
        var rows = lines.Skip(1).Select(line => line.Split(',')).ToList();
        Assert.Equal(experiment.Layers * (experiment.Epochs + 1) * StoreFiller.Catalogue.Count, rows.Count);
        Assert.All(rows, row => Assert.Equal(experiment.Id, row[0]));
        Assert.Equal(rows.Count, rows.Select(row => (row[1], row[2], row[5])).Distinct().Count());
    }

    [Fact]
    public async Task Training_history_averages_the_metrics_of_every_trained_epoch()
    {
        var document = await ExperimentOutputs.ReadAsync(store, experiment.Id);

        Assert.Equal(experiment.Replicas, document.Training.Replicas);
        Assert.Equal([1, 2], document.Training.Epochs.Select(epoch => epoch.Epoch));
        var last = document.Training.Epochs[^1];
        var accuracies = Enumerable.Range(0, experiment.Replicas).Select(r => StoreFiller.Metrics(r, 2).TestAccuracy!.Value).ToList();
        Assert.Equal(accuracies.Average(), last.MeanTestAccuracy!.Value, 12);
        Assert.Equal((experiment.Replicas, 0, accuracies.Min(), accuracies.Max()), (last.Completed, last.Diverged, last.MinTestAccuracy, last.MaxTestAccuracy));
    }

    [Fact]
    public async Task Writing_again_replaces_the_files_and_leaves_no_partial_file()
    {
        string target = Out("out");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, ExperimentOutputs.FitsJsonFileName), "old");

        await ExperimentOutputs.WriteAsync(store, experiment.Id, target);

        Assert.Equal(
            [ExperimentOutputs.FitsCsvFileName, ExperimentOutputs.FitsJsonFileName, ExperimentOutputs.ReportFileName],
            Directory.GetFiles(target).Select(Path.GetFileName).Order());
        Assert.StartsWith("{", File.ReadAllText(Path.Combine(target, ExperimentOutputs.FitsJsonFileName)));
    }

    [Fact]
    public async Task A_run_in_progress_gives_the_fits_published_so_far()
    {
        await using var partial = SqliteStore.Open(Out("partial.db"));
        await StoreFiller.FillAsync(partial, new FilledExperiment("fedcba9876543210") { CommittedEpochs = 1 });

        var document = await ExperimentOutputs.ReadAsync(partial, "fedcba9876543210");

        Assert.Equal(4, document.Fits.Count);
        Assert.Equal([1], document.Training.Epochs.Select(epoch => epoch.Epoch));
    }

    [Fact]
    public async Task An_unknown_experiment_is_named_in_the_error()
    {
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => ExperimentOutputs.ReadAsync(store, "nope"));
        Assert.Contains("'nope'", error.Message);
    }
}
