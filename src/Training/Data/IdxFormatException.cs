namespace OrleansPigmm.Training.Data;

/// <summary>An IDX file that cannot be used; the message names the file and the problem.</summary>
public sealed class IdxFormatException : Exception
{
    /// <summary>Creates the error "FILE: PROBLEM".</summary>
    public IdxFormatException(string fileName, string problem)
        : base($"{fileName}: {problem}")
    {
        FileName = fileName;
    }

    /// <summary>The file concerned.</summary>
    public string FileName { get; }
}
