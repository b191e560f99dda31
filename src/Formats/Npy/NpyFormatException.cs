namespace OrleansPigmm.Formats.Npy;

/// <summary>A .npy file that cannot be read as asked; the message names the file and the problem.</summary>
public sealed class NpyFormatException : FileFormatException
{
    /// <summary>Creates the error "FILE PROBLEM", e.g. "a.npy is truncated: ...".</summary>
    public NpyFormatException(string fileName, string problem)
        : base(fileName, $"{fileName} {problem}")
    {
    }
}
