using System.Text;

namespace OrleansPigmm.Formats;

/// <summary>
/// Writes files so that a reader (or a run interrupted half way) never sees one half written: the
/// data go to <c>PATH.partial</c> in the same folder, which is flushed to disk and then renamed
/// over PATH. On failure the partial file is deleted and PATH keeps its old contents, if any.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The partial file that stands for <paramref name="path"/> until it is complete.</summary>
    public static string PartialPath(string path) => path + ".partial";

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, which gets a stream on
    /// the partial file.</summary>
    /// <remarks>Whatever <paramref name="write"/> throws is rethrown after the partial file is deleted.</remarks>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string partial = PartialPath(path);
        try
        {
            using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            Commit(path);
        }
        catch
        {
            Discard(path);
            throw;
        }
    }

    /// <summary>Writes the text file <paramref name="path"/> with <paramref name="write"/>, in
    /// <paramref name="encoding"/> (UTF-8 without a byte-order mark when null).</summary>
    /// <remarks>Whatever <paramref name="write"/> throws is rethrown after the partial file is deleted.</remarks>
    public static void WriteText(string path, Action<TextWriter> write, Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var text = new StreamWriter(stream, encoding ?? Utf8, leaveOpen: true);
            write(text);
        });
    }

    /// <summary>Renames the complete partial file of <paramref name="path"/> over it, for writers that
    /// fill <see cref="PartialPath"/> themselves (and have flushed and closed it).</summary>
    public static void Commit(string path) => File.Move(PartialPath(path), path, overwrite: true);

    /// <summary>Deletes the partial file of <paramref name="path"/>, if any; PATH itself is untouched.</summary>
    public static void Discard(string path) => File.Delete(PartialPath(path));
}
