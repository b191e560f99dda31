namespace OrleansPigmm.Mathematics;

/// <summary>
/// A PIGMM parameter block is not positive semidefinite (or, where a proper density is needed,
/// not positive definite). The message is one line naming the block and its eigenvalues, e.g.
/// "The fitted VH covariance block LH is not positive semidefinite (eigenvalues -0.0012, 0.03, 0.05)."
/// </summary>
public sealed class InvalidModelException : Exception
{
    /// <summary>Creates the exception for <paramref name="block"/> with its eigenvalues.</summary>
    public InvalidModelException(string message, PigmmBlock block, IReadOnlyList<double> eigenvalues)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(eigenvalues);
        Block = block;
        Eigenvalues = eigenvalues.ToArray();
    }

    /// <summary>The block that failed: V0 (L0), VH (LH), V2 (f12) or V3 (f13).</summary>
    public PigmmBlock Block { get; }

    /// <summary>The eigenvalues of the failed block in ascending order (one value for f12, f13).</summary>
    public IReadOnlyList<double> Eigenvalues { get; }
}
