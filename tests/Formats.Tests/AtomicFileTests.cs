using System.Text;

namespace OrleansPigmm.Formats.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("atomic-file-tests-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string[] FilesInFolder() => [.. Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void A_write_replaces_the_file_and_leaves_no_partial_file()
    {
        string path = Path.Combine(folder, "out.bin");
        File.WriteAllBytes(path, [9, 9, 9, 9]);

        AtomicFile.Write(path, stream => stream.Write([1, 2, 3]));

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], FilesInFolder());
    }

    [Fact]
    public void A_text_write_is_utf8_without_a_byte_order_mark()
    {
        string path = Path.Combine(folder, "out.txt");

        AtomicFile.WriteText(path, text => text.Write("é\n"));

        Assert.Equal(Encoding.UTF8.GetBytes("é\n"), File.ReadAllBytes(path));
        Assert.Equal(["out.txt"], FilesInFolder());
    }

    [Fact]
    public void A_failing_writer_leaves_the_old_file_intact_and_no_partial_file()
    {
        string path = Path.Combine(folder, "out.txt");
        File.WriteAllText(path, "old");

        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteText(path, text =>
        {
            text.Write("new, half written");
            text.Flush();
            Assert.True(File.Exists(AtomicFile.PartialPath(path)));
            throw new InvalidOperationException("writer failed");
        }));

        Assert.Equal("writer failed", error.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["out.txt"], FilesInFolder());
    }

    [Fact]
    public void A_failing_first_write_leaves_no_file_at_all()
    {
        string path = Path.Combine(folder, "new.bin");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write([1]);
            throw new IOException("disk full");
        }));

        Assert.Empty(FilesInFolder());
    }

    [Fact]
    public void A_writer_filling_the_partial_file_itself_commits_or_discards_it()
    {
        string kept = Path.Combine(folder, "kept.bin");
        string dropped = Path.Combine(folder, "dropped.bin");
        File.WriteAllBytes(AtomicFile.PartialPath(kept), [4]);
        File.WriteAllBytes(AtomicFile.PartialPath(dropped), [5]);

        AtomicFile.Commit(kept);
        AtomicFile.Discard(dropped);
        AtomicFile.Discard(dropped);

        Assert.Equal(new byte[] { 4 }, File.ReadAllBytes(kept));
        Assert.Equal(["kept.bin"], FilesInFolder());
    }
}
