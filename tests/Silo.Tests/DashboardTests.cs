using System.Net;
using System.Text.Json.Nodes;
using OrleansPigmm.Silo.Tests.Support;
using OrleansPigmm.Training.Cpu;
using Xunit.Abstractions;

namespace OrleansPigmm.Silo.Tests;

/// <summary>
/// The web dashboard at <c>/</c> in headless Chromium, on a silo whose training is held
/// part-way: the page plots what the event stream has sent so far, and the same page, never
/// reloaded, gains the later epochs' points once training goes on. Also the Orleans Dashboard
/// under <c>/orleans</c>: read-only, and off loopback only with the token.
/// </summary>
public sealed class DashboardTests(ITestOutputHelper output)
{
    private const int TestTimeout = 6 * 60 * 1000;

    private const int Epochs = 4;

    // Generous: on a loaded 2-core machine the silo, the training and Chromium share the cores.
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    /// <summary>The page's counts: fits received, epochs fitted, points plotted in all charts, phase.</summary>
    private const string Counts = """
        (() => { const d = document.getElementById("app")?.dataset ?? {};
                 return { fits: +(d.fits ?? 0), epochs: +(d.epochs ?? 0), points: +(d.points ?? 0), phase: d.phase ?? "", complete: d.complete === "true" }; })()
        """;

    [Fact(Timeout = TestTimeout)]
    public async Task The_dashboard_plots_an_experiment_live_from_its_event_stream()
    {
        // Proves the page draws every plot from the events as they come: with training held part-way
        // it shows the first epochs only; once released, the same page (a marker set in it
        // survives, so it was not reloaded) shows all epochs, with more points in every plot; the
        // layer select and the invariant checkboxes change what is drawn.
        var gate = new GatedBackend(new CpuTrainerBackend(new TrainerOptions { Threads = 2 }), heldFrom: 1);
        await using var api = await ApiSilo.StartAsync(IPAddress.Loopback, "dashboard-token", gate);
        string id = await api.SubmitAsync($$"""{"preset": "quick", "replicas": 6, "epochs": {{Epochs}}}""");
        await using var browser = await HeadlessChromium.OpenAsync($"{api.Client.BaseAddress}experiments/{id}", 1400, 1800);

        var early = await browser.WaitForAsync(Counts, counts => counts!["epochs"]!.GetValue<int>() is >= 2 and <= Epochs
            && counts["points"]!.GetValue<int>() > 0 && counts["phase"]!.GetValue<string>() == "running", Limit);
        var chartsEarly = await ChartPointsAsync(browser);
        await browser.EvaluateAsync("window.observedOnce = true");
        gate.Open();
        var late = await browser.WaitForAsync(Counts, counts => counts!["complete"]!.GetValue<bool>(), Limit);
        var chartsLate = await ChartPointsAsync(browser);
        bool sameDocument = (await browser.EvaluateAsync("window.observedOnce === true"))!.GetValue<bool>();

        // The user's choices: one invariant fewer, then the second layer.
        string heading = (await browser.EvaluateAsync("""
            (() => { document.querySelector('[data-role="invariants"] input[value="I14"]').click();
                     const layer = document.querySelector('[data-role="layer"]'); layer.value = "2"; layer.dispatchEvent(new Event("change"));
                     return document.querySelector('figure[data-kind="change"] figcaption').textContent; })()
            """))!.GetValue<string>();
        var chosen = await ChartPointsAsync(browser);

        string screenshot = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
        await browser.ScreenshotAsync(screenshot);
        output.WriteLine($"early {early!.ToJsonString()} {chartsEarly.ToJsonString()}; late {late!.ToJsonString()} {chartsLate.ToJsonString()}; screenshot {screenshot}");

        Assert.Equal("running", early["phase"]!.GetValue<string>());
        Assert.Equal(Epochs + 1, late["epochs"]!.GetValue<int>());
        Assert.Equal("complete", late["phase"]!.GetValue<string>());
        Assert.True(late["points"]!.GetValue<int>() > early["points"]!.GetValue<int>(), $"{early.ToJsonString()} then {late.ToJsonString()}");
        Assert.True(sameDocument, "the page was reloaded between the two observations");
        foreach (string chart in new[] { "accuracy", "w2", "deviations", "parameter" })
        {
            Assert.True(chartsLate[chart]!.GetValue<int>() > chartsEarly[chart]!.GetValue<int>(), $"the {chart} chart did not grow: {chartsEarly.ToJsonString()} then {chartsLate.ToJsonString()}");
        }
        Assert.True(chartsLate["change"]!.GetValue<int>() > 0, $"no normalised change was plotted: {chartsLate.ToJsonString()}");
        Assert.Contains("L2", heading);
        Assert.Equal(chartsLate["deviations"]!.GetValue<int>() - (Epochs + 1), chosen["deviations"]!.GetValue<int>());
        Assert.Equal(chartsLate["change"]!.GetValue<int>() - 1, chosen["change"]!.GetValue<int>());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task The_experiment_list_and_the_Orleans_Dashboard_answer_and_the_latter_is_read_only()
    {
        // Proves / serves the page and its assets from the silo (no CDN), /orleans answers, and
        // no request but GET or HEAD reaches the Orleans Dashboard.
        await using var api = await ApiSilo.StartAsync(IPAddress.Loopback, "dashboard-token");
        string page = await api.Client.GetStringAsync("/");
        string library = await api.Client.GetStringAsync("/dashboard/uPlot.iife.min.js");
        using var orleans = await api.Client.GetAsync("/orleans/");
        using var write = await api.Client.PostAsync("/orleans/", new StringContent("{}"));
        using var missing = await api.Client.GetAsync("/dashboard/missing.js");

        Assert.Contains("/dashboard/dashboard.js", page);
        Assert.DoesNotContain("https://", page);
        Assert.Contains("uPlot", library);
        Assert.Equal(HttpStatusCode.OK, orleans.StatusCode);
        Assert.Contains("Orleans Dashboard", await orleans.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, write.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Beyond_loopback_the_Orleans_Dashboard_needs_the_token_like_every_read()
    {
        // Proves the Orleans Dashboard follows the API's rule for reads off loopback: 401 without the token, 200 with it.
        await using var api = await ApiSilo.StartAsync(IPAddress.Any, "dashboard-token");
        using var anonymous = await api.Client.GetAsync("/orleans/");
        using var right = await api.Client.SendAsync(api.Request(HttpMethod.Get, "/orleans/"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Beyond_loopback_the_dashboard_asks_for_the_token_once_and_then_reads_with_it()
    {
        // Proves the page works off loopback: it asks for the token, keeps it for its reads (the
        // event stream included), and lists the experiments; a wrong token is asked for again.
        await using var api = await ApiSilo.StartAsync(IPAddress.Any, "dashboard-token");
        string id = await api.SubmitAsync("""{"preset": "quick", "replicas": 2, "epochs": 1}""");
        await using var browser = await HeadlessChromium.OpenAsync($"{api.Client.BaseAddress}", 1200, 800);
        const string View = """document.getElementById("app")?.dataset.view ?? "" """;
        const string Answer = """
            (token => { const form = document.querySelector('[data-role="token"]'); form.elements.token.value = token;
                        form.requestSubmit(); return true; })
            """;

        await browser.WaitForAsync(View, view => view!.GetValue<string>() == "token", Limit);
        await browser.EvaluateAsync($"{Answer}(\"wrong\")");
        await browser.WaitForAsync($"document.querySelector('[data-role=\"token\"] input')?.value === \"\"", ready => ready!.GetValue<bool>(), Limit);
        await browser.EvaluateAsync($"{Answer}(\"dashboard-token\")");
        var listed = await browser.WaitForAsync("""document.getElementById("app")?.dataset.count ?? "0" """, count => count!.GetValue<string>() == "1", Limit);

        Assert.Equal("1", listed!.GetValue<string>());
        Assert.Contains(id, (await browser.EvaluateAsync("document.body.textContent"))!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>Points plotted per chart kind (the parameter panels summed), from the charts' data attributes.</summary>
    private static async Task<JsonObject> ChartPointsAsync(HeadlessChromium browser)
    {
        var node = await browser.EvaluateAsync("""
            (() => { const counts = {}; document.querySelectorAll("figure.chart").forEach(f => {
                       const kind = f.dataset.kind; counts[kind] = (counts[kind] ?? 0) + +(f.dataset.points ?? 0); }); return counts; })()
            """);
        return node!.AsObject();
    }
}
