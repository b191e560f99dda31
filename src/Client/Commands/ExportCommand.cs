using System.CommandLine;
using System.Text.Json;
using OrleansPigmm.Formats;
using OrleansPigmm.Formats.Npy;
using OrleansPigmm.Outputs;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Client.Commands;

/// <summary>
/// <c>pigmm export</c>: an experiment's raw weight snapshots as one float32 .npy array
/// (R, E+1, L, n, n), the layout of <c>pigmm train</c> (replica, epoch with 0 = initialisation,
/// analysed layer, then each matrix [out][in]), with a JSON sidecar beside it naming the axes
/// and holding the spec.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var outputPath = new Option<string>("--output") { Description = "The .npy file to write; SNAPSHOTS.json is written beside SNAPSHOTS.npy.", Required = true };
        var command = new Command("export", "Write an experiment's stored weight snapshots as a float32 .npy array (R, E+1, L, n, n), as 'pigmm train' does.")
        {
            outputPath,
        };
        StoredExperiment.Attach(command, "export", error, async (parsed, store, experiment, cancellationToken) =>
        {
            var progress = await store.GetProgressAsync(experiment.Id, cancellationToken).ConfigureAwait(false);
            if (!progress.IsComplete)
            {
                throw new InputException($"experiment {experiment.Id} is still training ({progress.ReplicaEpochsDone} of {progress.ReplicaEpochsTotal} replica-epochs committed); export it once it is complete.");
            }
            string path = parsed.GetValue(outputPath)!;
            await OutputFolder.WriteAsync(path, async () =>
            {
                await WriteArrayAsync(store, experiment, path, cancellationToken).ConfigureAwait(false);
                WriteSidecar(experiment, path);
                return true;
            }).ConfigureAwait(false);
            output.WriteLine($"Wrote {experiment.Replicas} x {experiment.Epochs + 1} x {experiment.Layers} matrices of {experiment.MatrixSize} x {experiment.MatrixSize} to {path}.");
            return 0;
        });
        return command;
    }

    /// <summary>Streams the weights into the array; every (replica, epoch, layer) must have kept its weights.</summary>
    private static async Task WriteArrayAsync(IPigmmStore store, ExperimentRecord experiment, string path, CancellationToken cancellationToken)
    {
        using var writer = NpyWriter.Create(path, NpyElementType.Float32, SnapshotArray.Shape(experiment));
        try
        {
            await foreach (var matrix in SnapshotArray.ReadAsync(store, experiment, cancellationToken).ConfigureAwait(false))
            {
                writer.Write(matrix);
            }
        }
        catch (MissingWeightsException missing)
        {
            throw new InputException(missing.Message);
        }
        writer.Complete();
    }

    private static void WriteSidecar(ExperimentRecord experiment, string npyPath)
    {
        string path = Path.ChangeExtension(npyPath, ".json");
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("format", "pigmm-snapshots/1");
            json.WriteString("npy", Path.GetFileName(npyPath));
            json.WriteStartArray("shape");
            foreach (int dimension in (int[])[experiment.Replicas, experiment.Epochs + 1, experiment.Layers, experiment.MatrixSize, experiment.MatrixSize])
            {
                json.WriteNumberValue(dimension);
            }
            json.WriteEndArray();
            json.WriteString("axes", "replica, epoch (0 = initialisation), analysed layer (1-based in fits.json), out, in: each matrix [out][in] as PyTorch stores it");
            json.WriteString("experiment", experiment.Id);
            json.WritePropertyName("spec");
            using (var spec = JsonDocument.Parse(experiment.SpecJson))
            {
                spec.RootElement.WriteTo(json);
            }
            json.WriteEndObject();
        });
    }
}
