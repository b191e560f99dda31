using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansPigmm.Silo.Hosting;
using OrleansPigmm.Silo.Http;
using OrleansPigmm.Silo.Telemetry;
using OrleansPigmm.Silo.Training;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Silo.Tests.Support;

/// <summary>
/// A silo started in this process as <c>pigmm silo</c> starts it, with its HTTP API on a free
/// port, over a SQLite store in a folder of its own, and an HTTP client for the API.
/// </summary>
internal sealed class ApiSilo : IAsyncDisposable
{
    private static readonly Lazy<Dataset> Mnist = new(() => DatasetCatalog.Load("mnist"));

    private readonly string folder;

    private ApiSilo(string folder, PigmmSiloHost host, string? token)
    {
        this.folder = folder;
        Host = host;
        Token = token;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpEndpoint!.Port}"), Timeout = TimeSpan.FromMinutes(2) };
    }

    public PigmmSiloHost Host { get; }

    public string? Token { get; }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Client { get; }

    /// <summary>Starts a silo whose API listens on <paramref name="address"/> (a free port) with
    /// <paramref name="token"/>, training on the CPU or with <paramref name="backend"/>, exporting
    /// its telemetry as <paramref name="telemetry"/> says (nowhere by default).</summary>
    public static async Task<ApiSilo> StartAsync(IPAddress address, string? token, ITrainerBackend? backend = null, PigmmTelemetryOptions? telemetry = null)
    {
        string folder = Directory.CreateTempSubdirectory("pigmm-api-").FullName;
        string path = Path.Combine(folder, "pigmm.db");
        var options = new PigmmSiloOptions
        {
            Store = () => SqliteStore.Open(path),
            Device = () => backend is null
                ? TrainingDevice.Cpu(2, VectorWidth.Auto, _ => Mnist.Value)
                : new TrainingDevice(backend, backend.Name, 2, _ => Mnist.Value),
            Datasets = name => DatasetCatalog.TryDimensions(name),
            SweepInterval = TimeSpan.FromSeconds(1),
            WatchInterval = TimeSpan.FromSeconds(1),
            Telemetry = telemetry ?? new PigmmTelemetryOptions { OtlpEndpoint = null },
        };
        var network = new SiloNetwork { HttpApi = new HttpApiOptions { Endpoint = new IPEndPoint(address, 0), Token = token } };
        return new ApiSilo(folder, await PigmmSiloHost.StartAsync(options, network), token);
    }

    /// <summary>A request with the silo's token (or <paramref name="token"/>; "" for none) as its bearer.</summary>
    public HttpRequestMessage Request(HttpMethod method, string path, string? body = null, string? token = null)
    {
        var request = new HttpRequestMessage(method, path);
        if ((token ?? Token) is { Length: > 0 } bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }
        return request;
    }

    /// <summary>Submits <paramref name="spec"/> with the token; returns the experiment id.</summary>
    public async Task<string> SubmitAsync(string spec)
    {
        using var response = await Client.SendAsync(Request(HttpMethod.Post, "/api/experiments", spec));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("experimentId").GetString()!;
    }

    /// <summary>Waits for the experiment's phase to be <paramref name="phase"/>, reading its status.</summary>
    public async Task<JsonElement> WaitForPhaseAsync(string experimentId, string phase, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var status = await Client.GetFromJsonAsync<JsonElement>($"/api/experiments/{experimentId}");
            if (status.GetProperty("phase").GetString() == phase)
            {
                return status;
            }
            Assert.True(DateTime.UtcNow < deadline, $"experiment {experimentId} is still {status} after {limit}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }
}
