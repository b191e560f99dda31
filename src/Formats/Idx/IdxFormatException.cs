namespace OrleansPigmm.Formats.Idx;

/// <summary>An IDX file that cannot be used; the message names the file and the problem.</summary>
public sealed class IdxFormatException : FileFormatException
{
    /// <summary>Creates the error "FILE: PROBLEM".</summary>
    public IdxFormatException(string fileName, string problem)
        : base(fileName, $"{fileName}: {problem}")
    {
    }
}
