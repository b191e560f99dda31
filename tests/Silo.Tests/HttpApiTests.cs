using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Formats.Npy;
using OrleansPigmm.Outputs;
using OrleansPigmm.Silo.Http;
using OrleansPigmm.Silo.Tests.Support;

namespace OrleansPigmm.Silo.Tests;

/// <summary>
/// The HTTP API over a real Kestrel port of a silo in this process: every endpoint, the token
/// rules, bad input, and the event stream across a reconnect. The experiments are tiny (quick
/// with 4 replicas and 2 epochs).
/// </summary>
public sealed class HttpApiTests(HttpApiTests.Silo silo) : IClassFixture<HttpApiTests.Silo>
{
    private const int TestTimeout = 3 * 60 * 1000;

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>The fixture: one silo on loopback with a token, and one experiment trained to completion through the API.</summary>
    public sealed class Silo : IAsyncLifetime
    {
        public const string Token = "test-token-0123456789";

        public const string CompletedSpec = """{"preset": "quick", "replicas": 4, "epochs": 2}""";

        private Task<string>? completed;

        internal ApiSilo Api { get; private set; } = null!;

        /// <summary>The id of <see cref="CompletedSpec"/>'s experiment once it is complete.</summary>
        public Task<string> CompletedAsync() => completed ??= Task.Run(async () =>
        {
            string id = await Api.SubmitAsync(CompletedSpec);
            await Api.WaitForPhaseAsync(id, "complete", Limit);
            return id;
        });

        public async Task InitializeAsync() => Api = await ApiSilo.StartAsync(IPAddress.Loopback, Token);

        public async Task DisposeAsync() => await Api.DisposeAsync();
    }

    private ApiSilo Api => silo.Api;

    [Fact(Timeout = TestTimeout)]
    public async Task The_health_probes_and_the_OpenAPI_document_answer()
    {
        // Proves liveness, readiness (joined and the store answers) and the OpenAPI document naming every route.
        using var live = await Api.Client.GetAsync("/healthz/live");
        using var ready = await Api.Client.GetAsync("/healthz/ready");
        var openApi = await Api.Client.GetStringAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        foreach (string route in new[] { "/api/experiments", "/api/experiments/{id}/fits", "/api/experiments/{id}/events", "/api/experiments/{id}/cancel", "/api/experiments/{id}/snapshots.npy" })
        {
            Assert.Contains($"\"{route}\"", openApi);
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Writes_need_the_token_and_reads_on_loopback_do_not()
    {
        // Proves a missing or wrong bearer token is 401 on a write, and reads on loopback are open.
        using var missing = await Api.Client.SendAsync(Api.Request(HttpMethod.Post, "/api/experiments", Silo.CompletedSpec, token: ""));
        using var wrong = await Api.Client.SendAsync(Api.Request(HttpMethod.Post, "/api/experiments", Silo.CompletedSpec, token: Silo.Token + "x"));
        using var cancelWrong = await Api.Client.SendAsync(Api.Request(HttpMethod.Post, "/api/experiments/any/cancel", token: "wrong"));
        using var read = await Api.Client.GetAsync("/api/experiments");

        await AssertProblemAsync(missing, HttpStatusCode.Unauthorized, "Authorization: Bearer");
        await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "not it");
        await AssertProblemAsync(cancelWrong, HttpStatusCode.Unauthorized, "Bearer");
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Beyond_loopback_reads_need_the_token_too_and_without_one_configured_everything_is_refused()
    {
        // Proves the rules off loopback: reads need the token (401 without, 200 with), and a silo
        // with no token refuses reads and writes (403, saying how to set one) but answers its probes.
        await using (var guarded = await ApiSilo.StartAsync(IPAddress.Any, Silo.Token))
        {
            using var anonymous = await guarded.Client.GetAsync("/api/experiments");
            using var wrong = await guarded.Client.SendAsync(guarded.Request(HttpMethod.Get, "/api/experiments", token: "wrong"));
            using var right = await guarded.Client.SendAsync(guarded.Request(HttpMethod.Get, "/api/experiments"));
            await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized, "off loopback");
            await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "not it");
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);

            // The dashboard's cookie opens reads, never writes.
            using var cookieRead = new HttpRequestMessage(HttpMethod.Get, "/api/experiments");
            cookieRead.Headers.Add("Cookie", $"{ApiAccess.ReadCookie}={Silo.Token}");
            using var cookieWrite = new HttpRequestMessage(HttpMethod.Post, "/api/experiments/none/cancel");
            cookieWrite.Headers.Add("Cookie", $"{ApiAccess.ReadCookie}={Silo.Token}");
            using var wrongCookie = new HttpRequestMessage(HttpMethod.Get, "/api/experiments");
            wrongCookie.Headers.Add("Cookie", $"{ApiAccess.ReadCookie}=wrong");
            Assert.Equal(HttpStatusCode.OK, (await guarded.Client.SendAsync(cookieRead)).StatusCode);
            await AssertProblemAsync(await guarded.Client.SendAsync(cookieWrite), HttpStatusCode.Unauthorized, "Bearer");
            await AssertProblemAsync(await guarded.Client.SendAsync(wrongCookie), HttpStatusCode.Unauthorized, "not it");
        }
        await using var open = await ApiSilo.StartAsync(IPAddress.Any, token: null);
        using var read = await open.Client.GetAsync("/api/experiments");
        using var write = await open.Client.SendAsync(open.Request(HttpMethod.Post, "/api/experiments", Silo.CompletedSpec, token: "anything"));
        using var ready = await open.Client.GetAsync("/healthz/ready");
        await AssertProblemAsync(read, HttpStatusCode.Forbidden, "PIGMM_API_TOKEN");
        await AssertProblemAsync(write, HttpStatusCode.Forbidden, "--api-token-file");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_loopback_silo_with_no_token_refuses_every_write()
    {
        // Proves writes are refused without a configured token even on loopback, where reads stay open.
        await using var open = await ApiSilo.StartAsync(IPAddress.Loopback, token: null);
        using var write = await open.Client.SendAsync(open.Request(HttpMethod.Post, "/api/experiments", Silo.CompletedSpec));
        using var read = await open.Client.GetAsync("/api/experiments");

        await AssertProblemAsync(write, HttpStatusCode.Forbidden, "PIGMM_API_TOKEN");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Bad_bodies_are_refused_with_problems_that_say_what_is_wrong_and_store_nothing()
    {
        // Proves bad JSON (400), an oversized body (413), spec problems (400, every one listed) and
        // an unknown preset (400) are refused, and that nothing is stored by them.
        var before = await Api.Client.GetStringAsync("/api/experiments");
        async Task<HttpResponseMessage> PostAsync(string body) => await Api.Client.SendAsync(Api.Request(HttpMethod.Post, "/api/experiments", body));

        using var badJson = await PostAsync("""{"epochs": 2,""");
        using var notObject = await PostAsync("[1, 2]");
        using var oversized = await PostAsync($$"""{"dataset": "{{new string('a', 70_000)}}"}""");
        using var invalid = await PostAsync("""{"epochs": 0, "replicas": 1, "optimiser": "adam"}""");
        using var unknownPreset = await PostAsync("""{"preset": "paper-huge"}""");
        using var unknownDataset = await PostAsync("""{"preset": "quick", "dataset": "no-such-data"}""");

        await AssertProblemAsync(badJson, HttpStatusCode.BadRequest, "line 1");
        await AssertProblemAsync(notObject, HttpStatusCode.BadRequest, "JSON object");
        await AssertProblemAsync(oversized, HttpStatusCode.RequestEntityTooLarge, "64 KB");
        var problem = await AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "spec.epochs");
        var problems = problem.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("spec.epochs", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("spec.replicas", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("did you mean 'optimizer'", StringComparison.Ordinal));
        await AssertProblemAsync(unknownPreset, HttpStatusCode.BadRequest, "paper-gaussian");
        await AssertProblemAsync(unknownDataset, HttpStatusCode.BadRequest, "no-such-data");
        Assert.Equal(before, await Api.Client.GetStringAsync("/api/experiments"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_unknown_experiment_is_a_404_problem_on_every_route()
    {
        // Proves every per-experiment route names the unknown id in a 404 problem.
        string[] reads = ["", "/fits", "/fits.csv", "/report.html", "/snapshots.npy", "/events"];
        foreach (string route in reads)
        {
            using var response = await Api.Client.GetAsync($"/api/experiments/no-such-id{route}");
            await AssertProblemAsync(response, HttpStatusCode.NotFound, "no-such-id");
        }
        using var cancel = await Api.Client.SendAsync(Api.Request(HttpMethod.Post, "/api/experiments/no-such-id/cancel"));
        await AssertProblemAsync(cancel, HttpStatusCode.NotFound, "no-such-id");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_completed_experiment_is_read_back_as_the_console_writes_it()
    {
        // Proves submit (201, then 200 for the same spec, both with Location), status, list, the
        // fits document, one fit, fits.csv, report.html and snapshots.npy against the store.
        string id = await silo.CompletedAsync();
        using var again = await Api.Client.SendAsync(Api.Request(HttpMethod.Post, "/api/experiments", Silo.CompletedSpec));
        var store = Api.Host.Store;
        var document = await ExperimentOutputs.ReadAsync(store, id);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal($"/api/experiments/{id}", again.Headers.Location!.OriginalString);
        var status = await Api.Client.GetFromJsonAsync<JsonElement>($"/api/experiments/{id}");
        Assert.Equal("complete", status.GetProperty("phase").GetString());
        Assert.Equal(4 * 3, status.GetProperty("replicaEpochsCommitted").GetInt64());
        Assert.Equal(2, status.GetProperty("latestEpoch").GetInt32());
        Assert.Equal(document.Training.Epochs[^1].MeanTestAccuracy, status.GetProperty("meanTestAccuracy").GetDouble());
        var list = await Api.Client.GetFromJsonAsync<JsonElement>("/api/experiments");
        Assert.Contains(list.EnumerateArray(), e => e.GetProperty("experimentId").GetString() == id);

        Assert.Equal(JsonSerializer.Serialize(document, FitsJson.Options), await Api.Client.GetStringAsync($"/api/experiments/{id}/fits"));
        var oneFit = document.Fits.Single(f => f is { Layer: 2, Epoch: 1 });
        Assert.Equal(JsonSerializer.Serialize(oneFit, FitsJson.Options), await Api.Client.GetStringAsync($"/api/experiments/{id}/fits?layer=2&epoch=1"));
        using var halfKey = await Api.Client.GetAsync($"/api/experiments/{id}/fits?layer=2");
        await AssertProblemAsync(halfKey, HttpStatusCode.BadRequest, "layer and an epoch");
        using var noFit = await Api.Client.GetAsync($"/api/experiments/{id}/fits?layer=9&epoch=1");
        await AssertProblemAsync(noFit, HttpStatusCode.NotFound, "layer 9");

        using var csv = await Api.Client.GetAsync($"/api/experiments/{id}/fits.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var csvText = new StringWriter();
        FitsCsv.Write(document, csvText);
        Assert.Equal(csvText.ToString(), await csv.Content.ReadAsStringAsync());
        using var report = await Api.Client.GetAsync($"/api/experiments/{id}/report.html");
        Assert.Equal("text/html", report.Content.Headers.ContentType!.MediaType);
        Assert.Contains(id, await report.Content.ReadAsStringAsync());

        using var snapshots = await Api.Client.GetAsync($"/api/experiments/{id}/snapshots.npy", HttpCompletionOption.ResponseHeadersRead);
        await using var npy = await snapshots.Content.ReadAsStreamAsync();
        var bytes = new MemoryStream();
        await npy.CopyToAsync(bytes);
        bytes.Position = 0;
        var header = NpyHeader.Read(bytes, "snapshots.npy");
        Assert.Equal([4L, 3, status.GetProperty("layers").GetInt32(), 10, 10], header.Shape);
        Assert.Equal(header.DataOffset + header.DataLength, bytes.Length);
        var expected = new List<float>();
        await foreach (var matrix in SnapshotArray.ReadAsync(store, (await store.GetExperimentAsync(id))!))
        {
            expected.AddRange(matrix);
        }
        var actual = new float[expected.Count];
        Buffer.BlockCopy(bytes.ToArray(), (int)header.DataOffset, actual, 0, (int)header.DataLength);
        Assert.Equal(expected, actual);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Cancel_stops_a_running_experiment_and_needs_the_token()
    {
        // Proves cancel answers the cancelled status, and the snapshots of an unfinished experiment are refused.
        string id = await Api.SubmitAsync("""{"preset": "quick", "replicas": 4, "epochs": 40, "seed": 9}""");
        using var snapshots = await Api.Client.GetAsync($"/api/experiments/{id}/snapshots.npy");
        using var cancel = await Api.Client.SendAsync(Api.Request(HttpMethod.Post, $"/api/experiments/{id}/cancel"));

        await AssertProblemAsync(snapshots, HttpStatusCode.Conflict, "still training");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("phase").GetString());
        await Api.WaitForPhaseAsync(id, "cancelled", Limit);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task The_snapshots_of_an_experiment_that_dropped_weights_are_refused_before_any_byte()
    {
        // Proves the retention check: a complete experiment whose spec drops some epochs' weights is a 409 problem.
        string id = await Api.SubmitAsync("""{"preset": "quick", "replicas": 2, "epochs": 2, "keep_weights_every": 2, "seed": 3}""");
        await Api.WaitForPhaseAsync(id, "complete", Limit);

        using var snapshots = await Api.Client.GetAsync($"/api/experiments/{id}/snapshots.npy");

        await AssertProblemAsync(snapshots, HttpStatusCode.Conflict, "keep_weights_every is 2");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Events_resume_after_a_reconnect_with_nothing_missed_or_out_of_order_and_end_with_complete()
    {
        // Proves the event stream of a live experiment: ids never decrease, a reconnect with
        // Last-Event-ID goes on where the first connection stopped, every fit reaches its final
        // form as fits.json has it, and the stream ends with complete.
        string id = await Api.SubmitAsync("""{"preset": "quick", "replicas": 4, "epochs": 2, "seed": 7}""");
        var first = await ReadEventsAsync(id, lastEventId: null, stopAfterFits: 3);
        string resumeFrom = first[^1].EventId!;
        var second = await ReadEventsAsync(id, resumeFrom, stopAfterFits: int.MaxValue);

        Assert.Equal("progress", first[0].EventType);
        Assert.Equal("progress", second[0].EventType);
        var ids = first.Concat(second).Select(e => long.Parse(e.EventId!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal("complete", second[^1].EventType);
        Assert.Single(second, e => e.EventType == "complete");
        Assert.Equal("complete", JsonDocument.Parse(second[^1].Data).RootElement.GetProperty("phase").GetString());
        Assert.All(second.Skip(1).Where(e => e.EventType == "fit"), e => Assert.True(long.Parse(e.EventId!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(resumeFrom, System.Globalization.CultureInfo.InvariantCulture)));
        // The last fit event of every ensemble is the stored fit, element for element as in fits.json.
        var lastFits = first.Concat(second).Where(e => e.EventType == "fit")
            .Select(e => JsonSerializer.Deserialize<FitDocument>(e.Data, FitsJson.Options)!)
            .GroupBy(f => (f.Layer, f.Epoch)).ToDictionary(g => g.Key, g => g.Last());
        var document = await ExperimentOutputs.ReadAsync(Api.Host.Store, id);
        Assert.Equal(document.Fits.Count, lastFits.Count);
        foreach (var fit in document.Fits)
        {
            Assert.Equal(JsonSerializer.Serialize(fit, FitsJson.Options), JsonSerializer.Serialize(lastFits[(fit.Layer, fit.Epoch)], FitsJson.Options));
        }
    }

    /// <summary>The events of one connection, up to complete or the <paramref name="stopAfterFits"/>-th fit event.</summary>
    private async Task<List<SseItem<string>>> ReadEventsAsync(string id, string? lastEventId, int stopAfterFits)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/experiments/{id}/events");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        using var response = await Api.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var events = new List<SseItem<string>>();
        int fits = 0;
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            events.Add(item);
            if (item.EventType == "complete" || (item.EventType == "fit" && ++fits == stopAfterFits))
            {
                break;
            }
        }
        return events;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string mentioned)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(mentioned, problem.GetProperty("title").GetString() + " " + problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        return problem;
    }
}
