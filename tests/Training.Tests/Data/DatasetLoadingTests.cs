using System.Security.Cryptography;
using OrleansPigmm.Formats.Idx;
using OrleansPigmm.Formats.Tests.Idx;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Training.Tests.Data;

public sealed class DatasetLoadingTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dataset-tests-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private DatasetDescriptor Descriptor(string name, (string File, byte[] Bytes)[] files)
    {
        string Hash(int i) => Convert.ToHexStringLower(SHA256.HashData(files[i].Bytes));
        foreach (var (file, bytes) in files)
        {
            Write(file, bytes);
        }
        DatasetFile F(int i) => new(files[i].File, Hash(i));
        return new DatasetDescriptor(name, "test", new NpmSource("none", "0", "."), 10, new PixelNormalization(0.5f, 0.5f),
            new DatasetSplitFiles(F(0), F(1)), new DatasetSplitFiles(F(2), F(3)));
    }

    [Fact]
    public void A_dataset_with_more_images_than_labels_is_refused_naming_both_files()
    {
        var descriptor = Descriptor("mismatch", [("tr-img", IdxBytes.Of(0x803, [4, 2, 2], 16)), ("tr-lab", IdxBytes.Of(0x801, [3], 3)), ("te-img", IdxBytes.Of(0x803, [2, 2, 2], 8)), ("te-lab", IdxBytes.Of(0x801, [2], 2))]);
        var error = Assert.Throws<IdxFormatException>(() => Dataset.Load(descriptor, folder));
        Assert.Contains("tr-lab", error.Message);
        Assert.Contains("tr-img", error.Message);
        Assert.Contains("3 labels", error.Message);
    }

    [Fact]
    public void Images_of_different_sizes_in_the_two_splits_are_refused()
    {
        var descriptor = Descriptor("sizes", [("a", IdxBytes.Of(0x803, [2, 2, 2], 8)), ("b", IdxBytes.Of(0x801, [2], 2)), ("c", IdxBytes.Of(0x803, [2, 3, 2], 12)), ("d", IdxBytes.Of(0x801, [2], 2))]);
        Assert.Contains("6 pixels", Assert.Throws<IdxFormatException>(() => Dataset.Load(descriptor, folder)).Message);
    }

    [Fact]
    public void A_label_outside_the_classes_is_refused_naming_the_file_and_item()
    {
        var labels = IdxBytes.Of(0x801, [2], 2);
        labels[^1] = 12;
        var descriptor = Descriptor("labels", [("a", IdxBytes.Of(0x803, [2, 2, 2], 8)), ("b", labels), ("c", IdxBytes.Of(0x803, [1, 2, 2], 4)), ("d", IdxBytes.Of(0x801, [1], 1))]);
        var error = Assert.Throws<InvalidDataException>(() => Dataset.Load(descriptor, folder));
        Assert.Contains(Path.Combine(folder, "b"), error.Message);
        Assert.Contains("label 12 of item 1", error.Message);
    }

    [Fact]
    public void A_file_with_another_hash_or_missing_is_refused_with_the_fetch_command()
    {
        var descriptor = Descriptor("hashes", [("a", IdxBytes.Of(0x803, [2, 2, 2], 8)), ("b", IdxBytes.Of(0x801, [2], 2)), ("c", IdxBytes.Of(0x803, [1, 2, 2], 4)), ("d", IdxBytes.Of(0x801, [1], 1))]);
        Write("c", IdxBytes.Of(0x803, [1, 2, 2], 4).Select(b => (byte)(b ^ 1)).ToArray());
        Assert.Contains("scripts/fetch-dataset.sh hashes", Assert.Throws<IdxFormatException>(() => Dataset.Load(descriptor, folder)).Message);
        File.Delete(Path.Combine(folder, "d"));
        var missing = Assert.Throws<FileNotFoundException>(() => Dataset.Load(descriptor with { Test = descriptor.Test with { Images = descriptor.Train.Images } }, folder));
        Assert.Contains("scripts/fetch-dataset.sh hashes", missing.Message);
    }

    [Fact]
    public void Unknown_dataset_names_list_the_built_in_ones()
    {
        var error = Assert.Throws<FileNotFoundException>(() => DatasetCatalog.Resolve("no-such-set", folder));
        Assert.Contains("mnist", error.Message);
        Assert.Contains("mnist", DatasetDescriptor.BuiltInNames);
    }
}
