using System.IO.Compression;
using System.Security.Cryptography;
using OrleansPigmm.Formats.Idx;

namespace OrleansPigmm.Training.Data;

/// <summary>A training and a test split of one image-classification dataset, normalised and ready for the trainer.</summary>
public sealed class Dataset
{
    /// <summary>Builds a dataset from images in memory (tests use small synthetic ones).</summary>
    /// <exception cref="ArgumentException">The splits have different image sizes.</exception>
    public Dataset(string name, LabelledImages train, LabelledImages test, int classes, PixelNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (train.PixelsPerImage != test.PixelsPerImage)
        {
            throw new ArgumentException($"Training images have {train.PixelsPerImage} pixels, test images {test.PixelsPerImage}.");
        }
        Name = name;
        Classes = classes;
        Normalization = normalization;
        Train = new SparseImages(train, normalization);
        Test = new SparseImages(test, normalization);
    }

    /// <summary>The dataset's name.</summary>
    public string Name { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Pixels per image: the network's input width.</summary>
    public int InputWidth => Train.Width;

    /// <summary>How pixels are scaled.</summary>
    public PixelNormalization Normalization { get; }

    /// <summary>Training images.</summary>
    public int TrainCount => Train.Count;

    /// <summary>Test images.</summary>
    public int TestCount => Test.Count;

    /// <summary>Mean fraction of nonzero (non-blank) training pixels.</summary>
    public double Density => Train.Density;

    internal SparseImages Train { get; }

    internal SparseImages Test { get; }

    /// <summary>
    /// Loads the four IDX files a descriptor names from <paramref name="folder"/>, checking each
    /// file's SHA-256 and the IDX structure, that images and labels agree, and that the images have
    /// the descriptor's <see cref="DatasetDescriptor.Dimensions"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing (the message says how to fetch it).</exception>
    /// <exception cref="IdxFormatException">A file is not valid IDX, does not match its partner or
    /// disagrees with the descriptor's shape.</exception>
    /// <exception cref="InvalidDataException">A label is not below the number of classes.</exception>
    public static Dataset Load(DatasetDescriptor descriptor, string folder)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var train = LoadSplit(descriptor, folder, descriptor.Train, descriptor.TrainCount);
        var test = LoadSplit(descriptor, folder, descriptor.Test, descriptor.TestCount);
        return new Dataset(descriptor.Name, train, test, descriptor.Classes, descriptor.Normalization);
    }

    private static LabelledImages LoadSplit(DatasetDescriptor descriptor, string folder, DatasetSplitFiles split, int expectedCount)
    {
        string imagesPath = Verified(descriptor, folder, split.Images);
        string labelsPath = Verified(descriptor, folder, split.Labels);
        var (count, rows, columns, pixels) = IdxFile.ReadImages(imagesPath);
        if (count != expectedCount || (long)rows * columns != descriptor.Inputs)
        {
            throw new IdxFormatException(imagesPath, $"holds {count} images of {rows}x{columns} = {(long)rows * columns} pixels; the {descriptor.Name} descriptor says {expectedCount} images of {descriptor.Inputs} pixels");
        }
        var labels = IdxFile.ReadLabels(labelsPath);
        if (labels.Length != count)
        {
            throw new IdxFormatException(labelsPath, $"holds {labels.Length} labels but {imagesPath} holds {count} images");
        }
        return new LabelledImages(pixels, labels, rows * columns, descriptor.Classes, labelsPath);
    }

    /// <summary>The path of a dataset file as fetched, or gzipped beside where it would be (FILE.gz,
    /// as the published program carries it), once its content has the descriptor's SHA-256.</summary>
    private static string Verified(DatasetDescriptor descriptor, string folder, DatasetFile file)
    {
        string path = Path.Combine(folder, file.File);
        if (!File.Exists(path) && File.Exists(path + ".gz"))
        {
            path += ".gz";
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{descriptor.Name} data not found: {path} is missing. Fetch it with scripts/fetch-dataset.sh {descriptor.Name}, or point {DatasetCatalog.DataDirectoryVariable} (or --data-dir) at the folder holding {descriptor.Name}/.", path);
        }
        using var stored = File.OpenRead(path);
        using var stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stored, CompressionMode.Decompress) : (Stream)stored;
        string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new IdxFormatException(path, $"has SHA-256 {actual}, expected {file.Sha256}; fetch it again with scripts/fetch-dataset.sh {descriptor.Name}");
        }
        return path;
    }
}
