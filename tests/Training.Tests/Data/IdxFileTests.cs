using System.Buffers.Binary;
using System.Security.Cryptography;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Training.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("idx-tests-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static byte[] Idx(uint magic, int[] dims, int dataBytes)
    {
        var bytes = new byte[4 + 4 * dims.Length + dataBytes];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (int d = 0; d < dims.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        }
        for (int i = 4 + 4 * dims.Length; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7 % 3 == 0 ? 0 : i % 200);
        }
        return bytes;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Images_and_labels_are_read_with_their_dimensions()
    {
        var (count, rows, columns, pixels) = IdxFile.ReadImages(Write("img", Idx(0x803, [3, 4, 5], 60)));
        Assert.Equal((3, 4, 5, 60), (count, rows, columns, pixels.Length));
        Assert.Equal(7, IdxFile.ReadLabels(Write("lab", Idx(0x801, [7], 7))).Length);
    }

    [Fact]
    public void Wrong_magic_names_the_file_and_the_expected_magic()
    {
        string path = Write("labels-as-images", Idx(0x801, [3], 3));
        var error = Assert.Throws<IdxFormatException>(() => IdxFile.ReadImages(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("0x00000803", error.Message);
    }

    [Fact]
    public void Truncated_and_overlong_files_are_refused_naming_the_file()
    {
        string truncated = Write("short", Idx(0x803, [3, 4, 5], 59));
        Assert.Contains($"{truncated}: is truncated", Assert.Throws<IdxFormatException>(() => IdxFile.ReadImages(truncated)).Message);
        string headerOnly = Write("tiny", [0, 0, 8, 3, 0]);
        Assert.Contains($"{headerOnly}: is truncated", Assert.Throws<IdxFormatException>(() => IdxFile.ReadImages(headerOnly)).Message);
        string overlong = Write("long", Idx(0x801, [3], 4));
        Assert.Contains("1 bytes after the data", Assert.Throws<IdxFormatException>(() => IdxFile.ReadLabels(overlong)).Message);
    }

    [Fact]
    public void Gzipped_files_are_read_and_bad_gzip_is_named()
    {
        string path = Path.Combine(folder, "lab.gz");
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(Idx(0x801, [5], 5));
        }
        Assert.Equal(5, IdxFile.ReadLabels(path).Length);
        string bad = Write("bad.gz", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        Assert.Contains(bad, Assert.Throws<IdxFormatException>(() => IdxFile.ReadLabels(bad)).Message);
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
        var descriptor = Descriptor("mismatch", [("tr-img", Idx(0x803, [4, 2, 2], 16)), ("tr-lab", Idx(0x801, [3], 3)), ("te-img", Idx(0x803, [2, 2, 2], 8)), ("te-lab", Idx(0x801, [2], 2))]);
        var error = Assert.Throws<IdxFormatException>(() => Dataset.Load(descriptor, folder));
        Assert.Contains("tr-lab", error.Message);
        Assert.Contains("tr-img", error.Message);
        Assert.Contains("3 labels", error.Message);
    }

    [Fact]
    public void Images_of_different_sizes_in_the_two_splits_are_refused()
    {
        var descriptor = Descriptor("sizes", [("a", Idx(0x803, [2, 2, 2], 8)), ("b", Idx(0x801, [2], 2)), ("c", Idx(0x803, [2, 3, 2], 12)), ("d", Idx(0x801, [2], 2))]);
        Assert.Contains("6 pixels", Assert.Throws<IdxFormatException>(() => Dataset.Load(descriptor, folder)).Message);
    }

    [Fact]
    public void A_label_outside_the_classes_is_refused_naming_the_file_and_item()
    {
        var labels = Idx(0x801, [2], 2);
        labels[^1] = 12;
        var descriptor = Descriptor("labels", [("a", Idx(0x803, [2, 2, 2], 8)), ("b", labels), ("c", Idx(0x803, [1, 2, 2], 4)), ("d", Idx(0x801, [1], 1))]);
        var error = Assert.Throws<InvalidDataException>(() => Dataset.Load(descriptor, folder));
        Assert.Contains(Path.Combine(folder, "b"), error.Message);
        Assert.Contains("label 12 of item 1", error.Message);
    }

    [Fact]
    public void A_file_with_another_hash_or_missing_is_refused_with_the_fetch_command()
    {
        var descriptor = Descriptor("hashes", [("a", Idx(0x803, [2, 2, 2], 8)), ("b", Idx(0x801, [2], 2)), ("c", Idx(0x803, [1, 2, 2], 4)), ("d", Idx(0x801, [1], 1))]);
        Write("c", Idx(0x803, [1, 2, 2], 4).Select(b => (byte)(b ^ 1)).ToArray());
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
