using OrleansPigmm.Cluster.Tests.Support;

namespace OrleansPigmm.Deployment.Tests.Support;

/// <summary>
/// The folder scripts/publish.sh makes, which the container image holds at /app: made once for
/// the collection in a temporary folder, and removed afterwards.
/// </summary>
public sealed class PublishedArtefact : IDisposable
{
    /// <summary>Where the image puts the published folder (its ENTRYPOINT is /app/pigmm).</summary>
    public static readonly string ImageFolder = Path.GetDirectoryName(Dockerfile.Entrypoint)!;

    private readonly IDisposable owed;

    public PublishedArtefact()
    {
        Folder = Directory.CreateTempSubdirectory("pigmm-published-").FullName;
        owed = LeftBehind.Register($"rm -rf {LeftBehind.Quote(Folder)}");
        var result = HostCommand.TryFor(TimeSpan.FromMinutes(15), "bash", Repository.Path("scripts", "publish.sh"), Folder);
        Assert.True(result.ExitCode == 0, $"scripts/publish.sh failed ({result.ExitCode}):\n{result.Output}\n{result.Error}");
    }

    /// <summary>The published folder.</summary>
    public string Folder { get; }

    /// <summary>The self-contained program.</summary>
    public string Program => Path.Combine(Folder, "pigmm");

    /// <summary>A path of the image (/app/...) as it lies in the published folder here.</summary>
    public string Local(string imagePath) =>
        imagePath.StartsWith(ImageFolder + "/", StringComparison.Ordinal) ? Path.Combine(Folder, imagePath[(ImageFolder.Length + 1)..]) : imagePath;

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        owed.Dispose();
    }
}

/// <summary>The tests that run the published artefact: one publication for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class PublishedCollection : ICollectionFixture<PublishedArtefact>
{
    public const string Name = "Published artefact";
}
