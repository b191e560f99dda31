namespace OrleansPigmm.Formats;

/// <summary>
/// A data file that cannot be used as asked: malformed, truncated, or not the file expected. The
/// message names the file and the problem; each format derives its own exception from this one, so
/// callers that treat all bad files alike catch this type.
/// </summary>
public abstract class FileFormatException : Exception
{
    /// <summary>Creates the error with the complete <paramref name="message"/>, which names the file.</summary>
    protected FileFormatException(string fileName, string message)
        : base(message)
    {
        FileName = fileName;
    }

    /// <summary>The file concerned, as the caller named it.</summary>
    public string FileName { get; }
}
