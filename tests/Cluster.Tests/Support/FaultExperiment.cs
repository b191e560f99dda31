using System.Globalization;
using System.Text.Json;

namespace OrleansPigmm.Cluster.Tests.Support;

/// <summary>
/// The experiment every fault test runs: the quick preset cut down so that a cluster of silos of
/// one training thread each takes well under a minute on two cores, yet long enough that each
/// fault lands mid-run (faults trigger on the number of replica-epochs committed).
/// </summary>
internal static class FaultExperiment
{
    public const int Replicas = 24;
    public const int Epochs = 10;
    public const int Seed = 5;

    /// <summary>The replica-epochs of the whole run, epoch 0 included.</summary>
    public const long ReplicaEpochs = (long)Replicas * (Epochs + 1);

    /// <summary>The options naming the spec, for <c>pigmm run</c> and <c>pigmm submit</c> alike.</summary>
    public static IReadOnlyList<string> SpecArguments { get; } =
    [
        "--preset", "quick",
        "--replicas", Replicas.ToString(CultureInfo.InvariantCulture),
        "--epochs", Epochs.ToString(CultureInfo.InvariantCulture),
        "--seed", Seed.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>The number of replica-epochs committed at <paramref name="fraction"/> of the run.</summary>
    public static long At(double fraction) => (long)Math.Round(ReplicaEpochs * fraction);

    /// <summary>The number of replica-epochs committed at a random point between
    /// <paramref name="from"/> and <paramref name="to"/> of the run.</summary>
    public static long Between(Random random, double from, double to) => At(from + (random.NextDouble() * (to - from)));
}

/// <summary>
/// The local reference of the fault tests: <c>pigmm run</c> of <see cref="FaultExperiment"/> on
/// an embedded store, once for the whole collection. A cluster run of the same spec, whatever its
/// faults, must write a byte-identical fits.json.
/// </summary>
public sealed class LocalReference : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("pigmm-reference-").FullName;
    private readonly IDisposable owed;

    public LocalReference() => owed = LeftBehind.Register($"rm -rf {LeftBehind.Quote(folder)}");

    /// <summary>The experiment id (the spec's, so the cluster run has it too).</summary>
    public string ExperimentId { get; private set; } = "";

    /// <summary>fits.json of the local run, as written.</summary>
    public byte[] FitsJson { get; private set; } = [];

    public async Task InitializeAsync()
    {
        string output = Path.Combine(folder, "out");
        using var run = PigmmProcess.Start("local reference",
            ["run", "--store", Path.Combine(folder, "reference.db"), "--out", output, "--device", "cpu:2", .. FaultExperiment.SpecArguments]);
        await run.AssertSucceedsAsync(TimeSpan.FromMinutes(5));
        FitsJson = await File.ReadAllBytesAsync(Path.Combine(output, "fits.json"));
        using var document = JsonDocument.Parse(FitsJson);
        ExperimentId = document.RootElement.GetProperty("experiment").GetString()!;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        owed.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The fault tests: one after another (they share the cores), with one local reference.</summary>
[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<LocalReference>
{
    public const string Name = "Cluster faults";
}
