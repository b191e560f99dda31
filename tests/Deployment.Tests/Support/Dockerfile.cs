using System.Text.Json;

namespace OrleansPigmm.Deployment.Tests.Support;

/// <summary>What the repository's Dockerfile says of the image the manifests run: the program
/// and the data folder of its final stage.</summary>
internal static class Dockerfile
{
    private static readonly string[] FinalStage = ReadFinalStage();

    /// <summary>The program the image runs (the first word of its JSON ENTRYPOINT).</summary>
    public static string Entrypoint { get; } =
        JsonSerializer.Deserialize<string[]>(Instruction("ENTRYPOINT"))![0];

    /// <summary>The data folder the image sets in PIGMM_DATA_DIR.</summary>
    public static string DataDirectory { get; } = Instruction("ENV").Split('=', 2) is ["PIGMM_DATA_DIR", var folder]
        ? folder.Trim()
        : throw new InvalidDataException("The Dockerfile's final stage does not set PIGMM_DATA_DIR in its ENV.");

    private static string Instruction(string name) =>
        FinalStage.Where(line => line.StartsWith(name + " ", StringComparison.Ordinal)).Select(line => line[(name.Length + 1)..].Trim()).SingleOrDefault()
        ?? throw new InvalidDataException($"The Dockerfile's final stage has no single {name}.");

    private static string[] ReadFinalStage()
    {
        var lines = File.ReadAllLines(Repository.Path("Dockerfile"));
        int from = Array.FindLastIndex(lines, line => line.StartsWith("FROM ", StringComparison.Ordinal));
        return from < 0 ? throw new InvalidDataException("The Dockerfile has no FROM.") : lines[from..];
    }
}
