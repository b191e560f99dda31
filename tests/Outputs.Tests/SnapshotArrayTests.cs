using OrleansPigmm.Formats.Npy;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Tests.Support;

namespace OrleansPigmm.Outputs.Tests;

/// <summary>The snapshot array that pigmm export writes and the HTTP API streams.</summary>
public sealed class SnapshotArrayTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("pigmm-snapshots-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public async Task Every_matrix_comes_in_replica_epoch_layer_order_after_a_header_of_the_whole_length()
    {
        // Proves the C order of (R, E+1, L, n, n) and that the header and the length agree with it.
        var experiment = new FilledExperiment("all-kept", Replicas: 3, Epochs: 2, Layers: 2, MatrixSize: 4);
        await using var store = SqliteStore.Open(Path.Combine(folder.FullName, "all.db"));
        await StoreFiller.FillAsync(store, experiment);

        var matrices = await SnapshotArray.ReadAsync(store, experiment.Record).ToListAsync();

        var expected = from replica in Enumerable.Range(0, 3)
                       from epoch in Enumerable.Range(0, 3)
                       from layer in Enumerable.Range(1, 2)
                       select StoreFiller.Weights(experiment, replica, layer, epoch);
        Assert.Equal(expected, matrices);
        var header = NpyHeader.Read(new MemoryStream(SnapshotArray.NpyHeader(experiment.Record)), "header");
        Assert.Equal([3L, 3, 2, 4, 4], header.Shape);
        Assert.Equal(header.DataOffset + header.DataLength, SnapshotArray.NpyLength(experiment.Record));
    }

    [Fact]
    public async Task Weights_dropped_by_retention_end_the_array_naming_every_missing_epoch()
    {
        // Proves nothing past the first gap is yielded, and the failure names the epochs whose weights are gone.
        var experiment = new FilledExperiment("thinned", Replicas: 2, Epochs: 4) { KeepsWeightsOf = epoch => epoch is 0 or 4 };
        await using var store = SqliteStore.Open(Path.Combine(folder.FullName, "thinned.db"));
        await StoreFiller.FillAsync(store, experiment);
        var yielded = new List<float[]>();

        var missing = await Assert.ThrowsAsync<MissingWeightsException>(async () =>
        {
            await foreach (var matrix in SnapshotArray.ReadAsync(store, experiment.Record))
            {
                yielded.Add(matrix);
            }
        });

        Assert.Equal(experiment.Layers, yielded.Count);
        Assert.Contains("epochs 1-3", missing.Message);
    }
}
