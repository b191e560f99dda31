using OrleansPigmm.Formats.Idx;
using OrleansPigmm.Formats.Npy;

namespace OrleansPigmm.Formats.Tests.Idx;

public sealed class IdxFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("idx-tests-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Images_and_labels_are_read_with_their_dimensions()
    {
        var (count, rows, columns, pixels) = IdxFile.ReadImages(Write("img", IdxBytes.Of(0x803, [3, 4, 5], 60)));
        Assert.Equal((3, 4, 5, 60), (count, rows, columns, pixels.Length));
        Assert.Equal(7, IdxFile.ReadLabels(Write("lab", IdxBytes.Of(0x801, [7], 7))).Length);
    }

    [Fact]
    public void Wrong_magic_names_the_file_and_the_expected_magic()
    {
        string path = Write("labels-as-images", IdxBytes.Of(0x801, [3], 3));
        var error = Assert.Throws<IdxFormatException>(() => IdxFile.ReadImages(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("0x00000803", error.Message);
    }

    [Fact]
    public void Truncated_and_overlong_files_are_refused_naming_the_file()
    {
        string truncated = Write("short", IdxBytes.Of(0x803, [3, 4, 5], 59));
        Assert.Contains($"{truncated}: is truncated", Assert.Throws<IdxFormatException>(() => IdxFile.ReadImages(truncated)).Message);
        string headerOnly = Write("tiny", [0, 0, 8, 3, 0]);
        Assert.Contains($"{headerOnly}: is truncated", Assert.Throws<IdxFormatException>(() => IdxFile.ReadImages(headerOnly)).Message);
        string overlong = Write("long", IdxBytes.Of(0x801, [3], 4));
        Assert.Contains("1 bytes after the data", Assert.Throws<IdxFormatException>(() => IdxFile.ReadLabels(overlong)).Message);
    }

    [Fact]
    public void Gzipped_files_are_read_and_bad_gzip_is_named()
    {
        string path = Path.Combine(folder, "lab.gz");
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(IdxBytes.Of(0x801, [5], 5));
        }
        Assert.Equal(5, IdxFile.ReadLabels(path).Length);
        string bad = Write("bad.gz", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        Assert.Contains(bad, Assert.Throws<IdxFormatException>(() => IdxFile.ReadLabels(bad)).Message);
    }

    [Fact]
    public void Idx_and_npy_errors_are_both_file_format_errors_naming_the_file()
    {
        string idx = Write("short", IdxBytes.Of(0x801, [3], 2));
        string npy = Write("short.npy", [0x93, (byte)'N', (byte)'U']);

        FileFormatException idxError = Assert.Throws<IdxFormatException>(() => IdxFile.ReadLabels(idx));
        FileFormatException npyError = Assert.Throws<NpyFormatException>(() => NpyReader.Open(npy));

        Assert.Equal(idx, idxError.FileName);
        Assert.Equal(npy, npyError.FileName);
    }
}
