using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    private DatasetDescriptor Descriptor(string name, (string File, byte[] Bytes)[] files, (int Inputs, int Train, int Test) shape)
    {
        string Hash(int i) => Convert.ToHexStringLower(SHA256.HashData(files[i].Bytes));
        foreach (var (file, bytes) in files)
        {
            Write(file, bytes);
        }
        DatasetFile F(int i) => new(files[i].File, Hash(i));
        return new DatasetDescriptor(name, "test", new NpmSource("none", "0", "."), shape.Inputs, 10, shape.Train, shape.Test, new PixelNormalization(0.5f, 0.5f),
            new DatasetSplitFiles(F(0), F(1)), new DatasetSplitFiles(F(2), F(3)));
    }

    [Fact]
    public void A_dataset_with_more_images_than_labels_is_refused_naming_both_files()
    {
        var descriptor = Descriptor("mismatch", [("tr-img", IdxBytes.Of(0x803, [4, 2, 2], 16)), ("tr-lab", IdxBytes.Of(0x801, [3], 3)), ("te-img", IdxBytes.Of(0x803, [2, 2, 2], 8)), ("te-lab", IdxBytes.Of(0x801, [2], 2))], (4, 4, 2));
        var error = Assert.Throws<IdxFormatException>(() => Dataset.Load(descriptor, folder));
        Assert.Contains("tr-lab", error.Message);
        Assert.Contains("tr-img", error.Message);
        Assert.Contains("3 labels", error.Message);
    }

    [Fact]
    public void Files_stored_gzipped_beside_their_names_load_as_the_same_data_and_are_checked_decompressed()
    {
        var files = new (string, byte[])[] { ("a", IdxBytes.Of(0x803, [2, 2, 2], 8)), ("b", IdxBytes.Of(0x801, [2], 2)), ("c", IdxBytes.Of(0x803, [1, 2, 2], 4)), ("d", IdxBytes.Of(0x801, [1], 1)) };
        var descriptor = Descriptor("zipped", files, (4, 2, 1));
        var plain = Dataset.Load(descriptor, folder);
        foreach (var (file, bytes) in files)
        {
            File.Delete(Path.Combine(folder, file));
            using var gzip = new System.IO.Compression.GZipStream(File.Create(Path.Combine(folder, file + ".gz")), System.IO.Compression.CompressionLevel.Optimal);
            gzip.Write(bytes);
        }

        var zipped = Dataset.Load(descriptor, folder);

        Assert.Equal(plain.Train.Entries, zipped.Train.Entries);
        Assert.Equal(plain.Test.Labels, zipped.Test.Labels);
        // The hash is the content's: a gzipped file of other content is refused like a plain one.
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(Path.Combine(folder, "c.gz")), System.IO.Compression.CompressionLevel.Optimal))
        {
            gzip.Write(IdxBytes.Of(0x803, [1, 2, 2], 4).Select(b => (byte)(b ^ 1)).ToArray());
        }
        Assert.Contains("c.gz: has SHA-256", Assert.Throws<IdxFormatException>(() => Dataset.Load(descriptor, folder)).Message);
    }

    [Fact]
    public void Images_of_different_sizes_in_the_two_splits_are_refused()
    {
        var descriptor = Descriptor("sizes", [("a", IdxBytes.Of(0x803, [2, 2, 2], 8)), ("b", IdxBytes.Of(0x801, [2], 2)), ("c", IdxBytes.Of(0x803, [2, 3, 2], 12)), ("d", IdxBytes.Of(0x801, [2], 2))], (4, 2, 2));
        Assert.Contains("6 pixels", Assert.Throws<IdxFormatException>(() => Dataset.Load(descriptor, folder)).Message);
    }

    [Fact]
    public void A_label_outside_the_classes_is_refused_naming_the_file_and_item()
    {
        var labels = IdxBytes.Of(0x801, [2], 2);
        labels[^1] = 12;
        var descriptor = Descriptor("labels", [("a", IdxBytes.Of(0x803, [2, 2, 2], 8)), ("b", labels), ("c", IdxBytes.Of(0x803, [1, 2, 2], 4)), ("d", IdxBytes.Of(0x801, [1], 1))], (4, 2, 1));
        var error = Assert.Throws<InvalidDataException>(() => Dataset.Load(descriptor, folder));
        Assert.Contains(Path.Combine(folder, "b"), error.Message);
        Assert.Contains("label 12 of item 1", error.Message);
    }

    [Fact]
    public void A_file_with_another_hash_or_missing_is_refused_with_the_fetch_command()
    {
        var descriptor = Descriptor("hashes", [("a", IdxBytes.Of(0x803, [2, 2, 2], 8)), ("b", IdxBytes.Of(0x801, [2], 2)), ("c", IdxBytes.Of(0x803, [1, 2, 2], 4)), ("d", IdxBytes.Of(0x801, [1], 1))], (4, 2, 1));
        Write("c", IdxBytes.Of(0x803, [1, 2, 2], 4).Select(b => (byte)(b ^ 1)).ToArray());
        Assert.Contains("scripts/fetch-dataset.sh hashes", Assert.Throws<IdxFormatException>(() => Dataset.Load(descriptor, folder)).Message);
        File.Delete(Path.Combine(folder, "d"));
        var missing = Assert.Throws<FileNotFoundException>(() => Dataset.Load(descriptor with { Test = descriptor.Test with { Images = descriptor.Train.Images } }, folder));
        Assert.Contains("scripts/fetch-dataset.sh hashes", missing.Message);
    }

    [Theory]
    [InlineData(4, 3, 1, "a", "holds 2 images of 2x2 = 4 pixels; the counts descriptor says 3 images of 4 pixels")]
    [InlineData(4, 2, 2, "c", "holds 1 images of 2x2 = 4 pixels; the counts descriptor says 2 images of 4 pixels")]
    [InlineData(6, 2, 1, "a", "holds 2 images of 2x2 = 4 pixels; the counts descriptor says 2 images of 6 pixels")]
    public void Files_that_disagree_with_the_descriptor_s_shape_are_refused_naming_the_file(int inputs, int train, int test, string file, string problem)
    {
        var descriptor = Descriptor("counts", [("a", IdxBytes.Of(0x803, [2, 2, 2], 8)), ("b", IdxBytes.Of(0x801, [2], 2)), ("c", IdxBytes.Of(0x803, [1, 2, 2], 4)), ("d", IdxBytes.Of(0x801, [1], 1))], (inputs, train, test));

        var error = Assert.Throws<IdxFormatException>(() => Dataset.Load(descriptor, folder));

        Assert.Equal($"{Path.Combine(folder, file)}: {problem}", error.Message);
    }

    [Fact]
    public void The_built_in_mnist_shape_is_known_without_any_data_file()
    {
        Assert.Equal(new DatasetDimensions(784, 10, 60_000, 10_000), DatasetCatalog.Dimensions("mnist", folder));
        Assert.Null(DatasetCatalog.TryDimensions("no-such-set", folder));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void A_fetched_descriptor_without_a_shape_takes_the_built_in_one_only_for_the_same_files()
    {
        var builtIn = DatasetDescriptor.BuiltIn("mnist")!;
        string fetched = Path.Combine(folder, "mnist", DatasetDescriptor.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(fetched)!);
        var old = JsonNode.Parse(JsonSerializer.Serialize(builtIn))!.AsObject();
        old.Remove("inputs");
        old.Remove("train_count");
        old.Remove("test_count");
        File.WriteAllText(fetched, old.ToJsonString());

        Assert.Equal(builtIn.Dimensions, DatasetCatalog.Dimensions("mnist", folder));

        old["train"]!["images"]!["sha256"] = new string('0', 64);
        File.WriteAllText(fetched, old.ToJsonString());
        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.Dimensions("mnist", folder));
        Assert.StartsWith($"{fetched}: inputs, train_count and test_count", error.Message);
        Assert.Contains("scripts/fetch-dataset.sh", error.Message);
    }

    [Fact]
    public void Unknown_dataset_names_list_the_built_in_ones()
    {
        var error = Assert.Throws<FileNotFoundException>(() => DatasetCatalog.Resolve("no-such-set", folder));
        Assert.Contains("mnist", error.Message);
        Assert.Contains("mnist", DatasetDescriptor.BuiltInNames);
    }
}
