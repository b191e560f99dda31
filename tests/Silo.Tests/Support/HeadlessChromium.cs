using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansPigmm.Silo.Tests.Support;

/// <summary>
/// One page in Debian's headless Chromium, driven over the DevTools protocol: the test reads the
/// live page several times (<see cref="EvaluateAsync"/>) without reloading it, and takes a
/// screenshot of it. The flags are those the report rendering test uses (a throwaway profile,
/// nothing reaching the network but the page's own server).
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly string profile;
    private readonly ClientWebSocket socket = new();
    private int nextId;

    private HeadlessChromium(Process process, string profile)
    {
        this.process = process;
        this.profile = profile;
    }

    /// <summary>Starts Chromium on <paramref name="url"/> in a window of <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static async Task<HeadlessChromium> OpenAsync(string url, int width, int height)
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing; it is needed to check the web dashboard. Install it with `apt-get install -y chromium` (scripts/test.sh does).");
        string profile = Directory.CreateTempSubdirectory("dashboard-chromium-").FullName;
        var start = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string flag in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                     $"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                     $"--window-size={width},{height}", url])
        {
            start.ArgumentList.Add(flag);
        }
        var chromium = new HeadlessChromium(Process.Start(start)!, profile);
        // Drained so that Chromium never blocks on a full pipe.
        _ = chromium.process.StandardOutput.ReadToEndAsync();
        _ = chromium.process.StandardError.ReadToEndAsync();
        try
        {
            await chromium.ConnectAsync();
        }
        catch
        {
            await chromium.DisposeAsync();
            throw;
        }
        return chromium;
    }

    /// <summary>The value of a JavaScript expression in the page (awaited if it is a promise).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var reply = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        Assert.True(reply["exceptionDetails"] is null, $"the page threw on {expression}: {reply["exceptionDetails"]}");
        return reply["result"]?["value"]?.DeepClone();
    }

    /// <summary>Evaluates <paramref name="expression"/> until it gives a value that
    /// <paramref name="done"/> accepts, and returns that value.</summary>
    public async Task<JsonNode?> WaitForAsync(string expression, Func<JsonNode?, bool> done, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await EvaluateAsync(expression);
            if (done(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{expression} is still {value?.ToJsonString() ?? "undefined"} after {limit}");
            await Task.Delay(50);
        }
    }

    /// <summary>Writes a PNG of the window to <paramref name="path"/>.</summary>
    public async Task ScreenshotAsync(string path)
    {
        var reply = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(reply["data"]!.GetValue<string>()));
    }

    public async ValueTask DisposeAsync()
    {
        socket.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        Directory.Delete(profile, recursive: true);
    }

    /// <summary>Connects to the page's DevTools endpoint, whose port Chromium writes into the profile.</summary>
    private async Task ConnectAsync()
    {
        string portFile = Path.Combine(profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow + Patience;
        while (!File.Exists(portFile) || File.ReadAllLines(portFile).Length < 2)
        {
            Assert.False(process.HasExited, $"Chromium exited with {(process.HasExited ? process.ExitCode : 0)} before it opened its DevTools port");
            Assert.True(DateTime.UtcNow < deadline, $"Chromium opened no DevTools port within {Patience}");
            await Task.Delay(100);
        }
        string port = File.ReadAllLines(portFile)[0].Trim();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        JsonElement page = default;
        while (true)
        {
            var targets = await http.GetFromJsonAsync<JsonElement[]>("/json/list");
            if (targets!.FirstOrDefault(target => target.GetProperty("type").GetString() == "page") is { ValueKind: JsonValueKind.Object } found)
            {
                page = found;
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Chromium opened no page within {Patience}");
            await Task.Delay(100);
        }
        await socket.ConnectAsync(new Uri(page.GetProperty("webSocketDebuggerUrl").GetString()!), CancellationToken.None);
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters)
    {
        int id = ++nextId;
        byte[] message = Encoding.UTF8.GetBytes(new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString());
        using var timeout = new CancellationTokenSource(Patience);
        await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var received = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, timeout.Token);
                received.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            var reply = JsonNode.Parse(received.ToArray())!;
            // Events the page sends on its own have no id; only the answer to this call is wanted.
            if (reply["id"]?.GetValue<int>() == id)
            {
                Assert.True(reply["error"] is null, $"{method} failed: {reply["error"]}");
                return reply["result"]!;
            }
        }
    }
}
