using System.Globalization;
using OrleansPigmm.Mathematics.Kernels;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The 52 invariants I1..I52 of Hirst and Ramgoolam (pigmm-math.md section 5.2), in the paper's
/// fixed order, and their O(n^2) evaluation.
/// </summary>
/// <remarks>
/// <para>
/// Convention: a matrix is n x n, row-major, entry W[i][j] (row i, column j) at index i * n + j.
/// For a network layer stored [out][in], W[i][j] is the weight from input neuron j to output
/// neuron i. Invariants are plain sums over all index values (no normalisation by n), e.g.
/// I2 = sum_ij W[i][j] and I9 = sum_ijk W[i][j] W[j][k].
/// </para>
/// <para>
/// Values are always computed in double precision, float inputs converted exactly first. The
/// result is deterministic: the order of every addition depends only on n and the machine's SIMD
/// width (256 or 512 bits), never on memory alignment or on scratch contents.
/// </para>
/// <para>
/// NaN and infinite entries are not checked: they propagate by IEEE arithmetic into every
/// invariant whose sums include them (for an off-diagonal NaN, all but the purely diagonal
/// invariants I1, I11, I12, I14, I15, I29, I30, I31). Refusing such matrices is the caller's job.
/// </para>
/// </remarks>
public static class PaperInvariants
{
    /// <summary>Number of invariants, 52.</summary>
    public const int Count = 52;

    // The specs exactly as the table of section 5.2 writes them.
    private static readonly string[] Specs =
    [
        "ii", "ij",
        "ij,ij", "ij,ji", "ii,ij", "ii,ji", "ij,ik", "ij,kj", "ij,jk", "ij,kl", "ii,ii", "ii,jj", "ii,jk",
        "ii,ii,ii", "ii,ii,jj", "ii,ij,jj", "ii,ii,ij", "ji,ii,ii", "ii,ij,ij", "ji,ii,ij", "ji,ji,ii",
        "ij,ij,ij", "ij,ij,ji", "ii,jk,lm", "ij,jk,lm", "ij,kj,lm", "ji,jk,lm", "ij,kl,mn",
        "ii,ii,ii,ii", "ii,ii,ii,jj", "ii,ii,jj,jj", "ii,ii,ii,ij", "ji,ii,ii,ii", "ii,ii,ij,jj",
        "jj,ji,ii,ii", "ii,ii,ij,ij", "ji,ii,ii,ij", "ji,ji,ii,ii", "ii,ij,ij,jj", "ji,ii,ij,jj",
        "ii,ij,ij,ij", "ji,ii,ij,ij", "ji,ji,ii,ij", "ji,ji,ji,ii", "ij,ij,ij,ij", "ji,ij,ij,ij",
        "ji,ji,ij,ij", "ii,jk,lm,no", "ij,jk,lm,no", "ij,kj,lm,no", "ji,jk,lm,no", "ij,kl,mn,op",
    ];

    /// <summary>I1..I52 in order: entry k - 1 is I_k.</summary>
    public static IReadOnlyList<PaperInvariant> All { get; } =
        Array.AsReadOnly(Specs.Select((spec, index) => new PaperInvariant(index + 1, InvariantGraph.Parse(spec))).ToArray());

    /// <summary>The id "Ik" of the invariant numbered k (<see cref="PaperInvariant.Id"/>), e.g. "I14".</summary>
    public static string Id(int number) => "I" + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>k for the id "Ik" with 1 &lt;= k &lt;= 52; null for any other id.</summary>
    public static int? NumberOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.StartsWith('I') && int.TryParse(id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number is >= 1 and <= Count
            ? number
            : null;
    }

    /// <summary>Number of invariants of degree at most <paramref name="degree"/>: 2, 13, 28, 52
    /// for degrees 1..4 (they come first, in degree order).</summary>
    /// <exception cref="ArgumentOutOfRangeException">degree is not in 1..4.</exception>
    public static int CountUpToDegree(int degree)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(degree, 4);
        return degree switch { 1 => 2, 2 => 13, 3 => 28, _ => Count };
    }

    /// <summary>Doubles of scratch that <see cref="Compute(ReadOnlySpan{double}, int, Span{double}, Span{double})"/>
    /// needs for size n, for double and float inputs alike: n^2 + n (room for a float matrix
    /// converted to double, and the diagonal).</summary>
    /// <exception cref="ArgumentException">n &lt; 4, or the scratch would exceed an array's length.</exception>
    public static int ScratchLength(int n) => MatrixInput.ScratchLength(n, (long)n * n + PaperInvariantKernel.ScratchLength(n));

    /// <summary>
    /// Writes I1..I52 of the n x n row-major <paramref name="matrix"/> to destination[0..52), in
    /// O(n^2) time by the recipes of section 5.2. Scratch comes from the stack for small n and
    /// from the shared array pool otherwise (reused from call to call unless the pool releases it
    /// under memory pressure); the overload with caller scratch never allocates.
    /// </summary>
    /// <exception cref="ArgumentException">n &lt; 4, matrix.Length != n^2, or destination is
    /// shorter than 52.</exception>
    public static void Compute(ReadOnlySpan<double> matrix, int n, Span<double> destination) =>
        MatrixComputation.RunWithLease(Computation.Instance, matrix, n, destination);

    /// <inheritdoc cref="Compute(ReadOnlySpan{double}, int, Span{double})"/>
    public static void Compute(ReadOnlySpan<float> matrix, int n, Span<double> destination) =>
        MatrixComputation.RunWithLease(Computation.Instance, matrix, n, destination);

    /// <summary>
    /// As <see cref="Compute(ReadOnlySpan{double}, int, Span{double})"/>, with caller-provided
    /// scratch of at least <see cref="ScratchLength"/>(n) doubles (contents ignored and
    /// overwritten).
    /// </summary>
    /// <exception cref="ArgumentException">n &lt; 4, matrix.Length != n^2, destination shorter
    /// than 52, or scratch too short.</exception>
    public static void Compute(ReadOnlySpan<double> matrix, int n, Span<double> destination, Span<double> scratch) =>
        MatrixComputation.Run(Computation.Instance, matrix, n, destination, scratch);

    /// <inheritdoc cref="Compute(ReadOnlySpan{double}, int, Span{double}, Span{double})"/>
    public static void Compute(ReadOnlySpan<float> matrix, int n, Span<double> destination, Span<double> scratch) =>
        MatrixComputation.Run(Computation.Instance, matrix, n, destination, scratch);

    /// <summary>The computation without argument checks, for callers that validated them.</summary>
    internal static void ComputeUnchecked<T>(ReadOnlySpan<T> matrix, int n, Span<double> destination, Span<double> scratch)
        where T : unmanaged
    {
        var w = MatrixInput.AsDouble(matrix, scratch[..(n * n)]);
        PaperInvariantKernel.Compute(w, n, destination, scratch[(n * n)..]);
    }

    // The entry points' argument checks and scratch provision, shared with the other computations.
    private sealed class Computation : IMatrixComputation
    {
        public static Computation Instance { get; } = new();

        public int OutputCount => Count;

        public int ScratchLength(int n) => PaperInvariants.ScratchLength(n);

        public void ComputeUnchecked(ReadOnlySpan<double> matrix, int n, Span<double> destination, Span<double> scratch) =>
            PaperInvariants.ComputeUnchecked(matrix, n, destination, scratch);

        public void ComputeUnchecked(ReadOnlySpan<float> matrix, int n, Span<double> destination, Span<double> scratch) =>
            PaperInvariants.ComputeUnchecked(matrix, n, destination, scratch);
    }
}
