namespace OrleansPigmm.Storage;

/// <summary>Limits every backend enforces on what it stores.</summary>
public static class StoreLimits
{
    /// <summary>The largest n of an n x n weight matrix: 8192, so that one float32 matrix
    /// (256 MiB) stays below the blob limits of every backend.</summary>
    public const int MaxMatrixSize = 8192;
}
