using System.Text.Json;
using OrleansPigmm.Formats;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Reporting;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Outputs;

/// <summary>
/// An experiment's result files, made from what the store holds: fits.json (the
/// <see cref="ExperimentFitsDocument"/>), fits.csv (<see cref="FitsCsv"/>) and report.html
/// (<see cref="HtmlReport"/>). They can be written while training runs (with the fits published
/// so far) and again after it.
/// </summary>
/// <remarks>
/// The document depends only on the stored spec, fits and metrics: fits are sorted by layer,
/// then epoch. The Wasserstein distances are computed in one place, the aggregator, whose final
/// fit of a complete ensemble depends on the spec alone.
/// </remarks>
public static class ExperimentOutputs
{
    /// <summary>File name of the fit document.</summary>
    public const string FitsJsonFileName = "fits.json";

    /// <summary>File name of the tidy invariant table.</summary>
    public const string FitsCsvFileName = "fits.csv";

    /// <summary>File name of the HTML report.</summary>
    public const string ReportFileName = "report.html";

    /// <summary>
    /// The fit document of <paramref name="experimentId"/>: its spec, the initial law its
    /// initialisation scheme implies (<see cref="InitialLaws"/>), every published fit with its
    /// layer, epoch, diverged count and W2 / W2^2 as its aggregator published them (to the
    /// simple-Gaussian reference always; to the layer's epoch-0 fit and to its previous epoch's
    /// fit once the ensemble is complete), and the training history of the committed metrics.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    /// <exception cref="InvalidDataException">A stored spec or fit is not a readable document.</exception>
    public static async Task<ExperimentFitsDocument> ReadAsync(IPigmmStore store, string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(experimentId);
        var experiment = await store.GetExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"There is no experiment '{experimentId}' in the store {store.Description}.");
        var fits = await store.ListFitsAsync(experimentId, cancellationToken).ConfigureAwait(false);
        var history = await ReadHistoryAsync(store, experiment, cancellationToken).ConfigureAwait(false);
        var spec = ParseSpec(experiment);
        var law = InitialLaws.OfSpec(spec, experiment.MatrixSize);
        return new ExperimentFitsDocument(experiment.Id, spec, law, Documents(fits), history);
    }

    /// <summary>The training history of <paramref name="experiment"/> as fits.json has it: one
    /// entry per epoch 1..E that has metrics, means over the replicas that did not diverge.</summary>
    public static async Task<TrainingHistory> ReadHistoryAsync(IPigmmStore store, ExperimentRecord experiment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(experiment);
        var metrics = await store.ReadMetricsAsync(experiment.Id, cancellationToken).ConfigureAwait(false);
        return History(experiment.Replicas, metrics);
    }

    /// <summary>One stored fit as an element of the fits of fits.json: its document with its
    /// layer, epoch, diverged count and the distances its aggregator published.</summary>
    /// <exception cref="InvalidDataException">The stored fit is not a readable document.</exception>
    public static FitDocument Document(FitRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return ParseFit(record) with { Layer = record.Key.Layer, Epoch = record.Key.Epoch, Diverged = record.Diverged };
    }

    /// <summary>
    /// Writes fits.json, fits.csv and report.html of <paramref name="experimentId"/> into
    /// <paramref name="outDirectory"/> (created if needed). Each file is written under a
    /// temporary name and then renamed over the old one, so a reader sees the old file or the
    /// new one, never a part.
    /// </summary>
    /// <returns>The document written.</returns>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    /// <exception cref="IOException">The directory or a file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or a file may not be written.</exception>
    public static async Task<ExperimentFitsDocument> WriteAsync(IPigmmStore store, string experimentId, string outDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outDirectory);
        var document = await ReadAsync(store, experimentId, cancellationToken).ConfigureAwait(false);
        Write(document, outDirectory);
        return document;
    }

    /// <summary>Writes the three files of <paramref name="document"/> as <see cref="WriteAsync"/> does.</summary>
    public static void Write(ExperimentFitsDocument document, string outDirectory)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(outDirectory);
        Directory.CreateDirectory(outDirectory);
        AtomicFile.WriteText(Path.Combine(outDirectory, FitsJsonFileName), text =>
        {
            text.Write(JsonSerializer.Serialize(document, FitsJson.Options));
            text.Write('\n');
        });
        AtomicFile.WriteText(Path.Combine(outDirectory, FitsCsvFileName), text => FitsCsv.Write(document, text));
        AtomicFile.WriteText(Path.Combine(outDirectory, ReportFileName), text => HtmlReport.Write(document, text));
    }

    private static JsonElement ParseSpec(ExperimentRecord experiment)
    {
        try
        {
            using var spec = JsonDocument.Parse(experiment.SpecJson);
            return spec.RootElement.Clone();
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"The stored spec of experiment '{experiment.Id}' is not valid JSON: {error.Message}", error);
        }
    }

    /// <summary>The stored fits by layer and epoch, each with its key and diverged count; the
    /// distances are the ones the aggregator published (final ones once the ensemble is complete).</summary>
    private static List<FitDocument> Documents(IReadOnlyList<FitRecord> records) =>
        records
            .OrderBy(record => record.Key.Layer).ThenBy(record => record.Key.Epoch)
            .Select(Document)
            .ToList();

    private static FitDocument ParseFit(FitRecord record)
    {
        try
        {
            return JsonSerializer.Deserialize<FitDocument>(record.FitJson, FitsJson.Options)
                ?? throw new InvalidDataException($"The stored fit of {record.Key} is null.");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"The stored fit of {record.Key} is not a fit document: {error.Message}", error);
        }
    }

    /// <summary>One entry per epoch 1..E that has metrics; means over the replicas that did not diverge.</summary>
    private static TrainingHistory History(int replicas, IReadOnlyList<ReplicaMetrics> metrics)
    {
        static double? Mean(IEnumerable<double> values) => values.Any() ? values.Average() : null;
        var epochs = metrics
            .Where(row => row.Epoch >= 1)
            .GroupBy(row => row.Epoch)
            .OrderBy(group => group.Key)
            .Select(group =>
            {
                var healthy = group.Where(row => !row.Diverged).ToList();
                var losses = healthy.Select(row => row.TrainLoss).Where(double.IsFinite).ToList();
                var accuracies = healthy.Where(row => row.TestAccuracy is { } a && double.IsFinite(a)).Select(row => row.TestAccuracy!.Value).ToList();
                return new EpochTraining(
                    group.Key,
                    healthy.Count,
                    group.Count() - healthy.Count,
                    Mean(losses),
                    Mean(accuracies),
                    accuracies.Count > 0 ? accuracies.Min() : null,
                    accuracies.Count > 0 ? accuracies.Max() : null);
            })
            .ToList();
        return new TrainingHistory(replicas, epochs);
    }

}
