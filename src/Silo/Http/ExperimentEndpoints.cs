using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Outputs;
using OrleansPigmm.Reporting;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo.Http;

/// <summary>
/// The experiment endpoints under <c>/api/experiments</c>: list, submit, status, fits (JSON, CSV,
/// the HTML report), the parameters' noise bands, the snapshot array, cancel and the event
/// stream. Reads come from the silo's store; submissions and cancellations go to the experiment
/// grains.
/// </summary>
internal static class ExperimentEndpoints
{
    public static RouteGroupBuilder MapExperimentEndpoints(this IEndpointRouteBuilder routes, ApiAccess access)
    {
        var group = routes.MapGroup("/api/experiments").WithTags("Experiments").AddEndpointFilter(access);
        group.MapGet("/", ListAsync).WithName("ListExperiments")
            .WithSummary("Every experiment of the store with its status and progress.");
        group.MapPost("/", SubmitAsync).WithName("SubmitExperiment")
            .WithSummary("Submits a spec (snake_case fields over paper-gaussian, or {\"preset\": NAME, ...overrides}); 201 when new, 200 when known (it is resumed).");
        group.MapGet("/{id}", GetAsync).WithName("GetExperiment")
            .WithSummary("An experiment's status and progress.");
        group.MapGet("/{id}/fits", FitsAsync).WithName("GetFits")
            .WithSummary("The fits document as fits.json has it, or with ?layer=L&epoch=E one fit of it.");
        group.MapGet("/{id}/fits.csv", (string id, IPigmmStore store, CancellationToken cancellationToken) =>
                FileAsync(store, id, FitsCsv.Write, "text/csv", cancellationToken))
            .WithName("GetFitsCsv").WithSummary("The fits as fits.csv has them.");
        group.MapGet("/{id}/report.html", (string id, IPigmmStore store, CancellationToken cancellationToken) =>
                FileAsync(store, id, HtmlReport.Write, "text/html", cancellationToken))
            .WithName("GetReport").WithSummary("The HTML report of the fits published so far.");
        group.MapGet("/{id}/parameter-bands", BandsAsync).WithName("GetParameterBands")
            .WithSummary("Per layer, the epoch-0 parameters and the half-width of the band inside which their movement is initialisation noise.");
        group.MapGet("/{id}/snapshots.npy", SnapshotsAsync).WithName("GetSnapshots")
            .WithSummary("The stored weight snapshots as one float32 .npy array (R, E+1, L, n, n), as pigmm export writes it; complete experiments only.");
        group.MapPost("/{id}/cancel", CancelAsync).WithName("CancelExperiment")
            .WithSummary("Stops an experiment; committed epochs stay, and submitting it again resumes it.");
        group.MapGet("/{id}/events", EventsAsync).WithName("ExperimentEvents")
            .WithSummary("Server-sent events: progress, fit and, last, complete; ids resume with Last-Event-ID.");
        return group;
    }

    private static async Task<Ok<List<ExperimentView>>> ListAsync(IPigmmStore store, CancellationToken cancellationToken)
    {
        var views = new List<ExperimentView>();
        foreach (var experiment in await store.ListExperimentsAsync(cancellationToken))
        {
            if (await ExperimentView.ReadAsync(store, experiment.Id, null, cancellationToken) is { } view)
            {
                views.Add(view);
            }
        }
        return TypedResults.Ok(views);
    }

    private static async Task<Results<Created<ExperimentView>, Ok<ExperimentView>, ProblemHttpResult>> SubmitAsync(
        HttpRequest request, IGrainFactory grains, IPigmmStore store, CancellationToken cancellationToken)
    {
        var (spec, problem) = await SubmissionBody.ReadAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        ExperimentStatus status;
        try
        {
            status = await grains.GetGrain<IExperimentGrain>(spec!.Id).SubmitAsync(spec);
        }
        catch (SpecException invalid)
        {
            return ApiProblems.BadSpec(invalid.Problems);
        }
        var view = (await ExperimentView.ReadAsync(store, status.ExperimentId, null, cancellationToken))!;
        string location = $"/api/experiments/{status.ExperimentId}";
        if (status.Created)
        {
            return TypedResults.Created(location, view);
        }
        request.HttpContext.Response.Headers.Location = location;
        return TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<ExperimentView>, ProblemHttpResult>> GetAsync(string id, IPigmmStore store, CancellationToken cancellationToken) =>
        await ExperimentView.ReadAsync(store, id, null, cancellationToken) is { } view ? TypedResults.Ok(view) : ApiProblems.UnknownExperiment(id);

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> FitsAsync(string id, int? layer, int? epoch, IPigmmStore store, CancellationToken cancellationToken)
    {
        if (await store.GetExperimentAsync(id, cancellationToken) is null)
        {
            return ApiProblems.UnknownExperiment(id);
        }
        if (layer is null && epoch is null)
        {
            return await FileAsync(store, id, (document, text) => text.Write(JsonSerializer.Serialize(document, FitsJson.Options)), "application/json", cancellationToken);
        }
        if (layer is not { } l || epoch is not { } e)
        {
            return ApiProblems.BadRequest("One fit needs a layer and an epoch", "Give both ?layer=L&epoch=E (layers from 1, epoch 0 is the initialisation), or neither for every fit.");
        }
        var fit = (await store.ListFitsAsync(id, cancellationToken)).FirstOrDefault(f => f.Key.Layer == l && f.Key.Epoch == e);
        return fit is null
            ? ApiProblems.NoSuchFit(id, l, e)
            : TypedResults.Text(JsonSerializer.Serialize(ExperimentOutputs.Document(fit), FitsJson.Options), "application/json", Encoding.UTF8);
    }

    private static async Task<Results<Ok<ParameterBands>, ProblemHttpResult>> BandsAsync(string id, IPigmmStore store, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(ParameterBands.Of(await ExperimentOutputs.ReadAsync(store, id, cancellationToken)));
        }
        catch (KeyNotFoundException)
        {
            return ApiProblems.UnknownExperiment(id);
        }
    }

    /// <summary>One of the result files of <paramref name="id"/>, made from the store as
    /// <c>pigmm fits</c> makes it.</summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> FileAsync(IPigmmStore store, string id,
        Action<ExperimentFitsDocument, TextWriter> write, string contentType, CancellationToken cancellationToken)
    {
        ExperimentFitsDocument document;
        try
        {
            document = await ExperimentOutputs.ReadAsync(store, id, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            return ApiProblems.UnknownExperiment(id);
        }
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        write(document, text);
        return TypedResults.Text(text.ToString(), contentType, Encoding.UTF8);
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> SnapshotsAsync(string id, HttpContext context, IPigmmStore store, CancellationToken cancellationToken)
    {
        if (await store.GetExperimentAsync(id, cancellationToken) is not { } experiment)
        {
            return ApiProblems.UnknownExperiment(id);
        }
        var progress = await store.GetProgressAsync(id, cancellationToken);
        if (!progress.IsComplete)
        {
            return ApiProblems.Conflict("The experiment is still training",
                $"{progress.ReplicaEpochsDone} of {progress.ReplicaEpochsTotal} replica-epochs are committed; the snapshots are exported once it is complete.");
        }
        var spec = ExperimentSpecParser.Parse(experiment.SpecJson, ExperimentPresets.PaperGaussian);
        if (!Enumerable.Range(0, experiment.Epochs + 1).All(spec.KeepsWeightsOf))
        {
            return ApiProblems.Conflict("Raw weights were not kept",
                $"keep_weights_every is {spec.KeepWeightsEvery}, so some epochs' raw weights were dropped; only complete snapshot arrays are exported.");
        }
        var response = context.Response;
        response.ContentType = "application/octet-stream";
        response.ContentLength = SnapshotArray.NpyLength(experiment);
        response.Headers.ContentDisposition = $"attachment; filename=\"{id}-snapshots.npy\"";
        await response.Body.WriteAsync(SnapshotArray.NpyHeader(experiment), cancellationToken);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4 * experiment.MatrixSize * experiment.MatrixSize);
        try
        {
            await foreach (var matrix in SnapshotArray.ReadAsync(store, experiment, cancellationToken))
            {
                if (!BitConverter.IsLittleEndian)
                {
                    BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(matrix.AsSpan()), MemoryMarshal.Cast<float, int>(matrix.AsSpan()));
                }
                int length = 4 * matrix.Length;
                MemoryMarshal.AsBytes(matrix.AsSpan()).CopyTo(buffer);
                await response.Body.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
            }
        }
        catch (MissingWeightsException)
        {
            // Checked above from the spec; a store that disagrees ends the response short, so
            // the client sees a truncated transfer rather than a file that looks whole.
            context.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return TypedResults.Empty;
    }

    private static async Task<Results<Ok<ExperimentView>, ProblemHttpResult>> CancelAsync(string id, IGrainFactory grains, IPigmmStore store, CancellationToken cancellationToken)
    {
        if (await store.GetExperimentAsync(id, cancellationToken) is null)
        {
            return ApiProblems.UnknownExperiment(id);
        }
        await grains.GetGrain<IExperimentGrain>(id).CancelAsync();
        return TypedResults.Ok((await ExperimentView.ReadAsync(store, id, null, cancellationToken))!);
    }

    private static async Task<Results<ServerSentEventsResult<string>, ProblemHttpResult>> EventsAsync(string id, HttpRequest request, IPigmmStore store, CancellationToken cancellationToken)
    {
        if (await store.GetExperimentAsync(id, cancellationToken) is null)
        {
            return ApiProblems.UnknownExperiment(id);
        }
        long? lastEventId = null;
        if (request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header)
        {
            if (!long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
            {
                return ApiProblems.BadRequest("Last-Event-ID is not an event id", $"Event ids are the whole numbers this stream sent; got '{header}'.");
            }
            lastEventId = parsed;
        }
        IAsyncEnumerable<SseItem<string>> events = ExperimentEvents.StreamAsync(store, id, lastEventId, cancellationToken);
        return TypedResults.ServerSentEvents(events);
    }
}
