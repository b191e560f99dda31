using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>The 52 invariants of pigmm-math.md section 5.2, I1..I52 in order, evaluated by nested
/// loops: the test-side reference for the accumulator and the deviation measures.</summary>
internal static class PaperInvariants
{
    public static IReadOnlyList<InvariantGraph> Graphs { get; } = new[]
    {
        "ii", "ij",
        "ij,ij", "ij,ji", "ii,ij", "ii,ji", "ij,ik", "ij,kj", "ij,jk", "ij,kl", "ii,ii", "ii,jj", "ii,jk",
        "ii,ii,ii", "ii,ii,jj", "ii,ij,jj", "ii,ii,ij", "ji,ii,ii", "ii,ij,ij", "ji,ii,ij", "ji,ji,ii", "ij,ij,ij", "ij,ij,ji",
        "ii,jk,lm", "ij,jk,lm", "ij,kj,lm", "ji,jk,lm", "ij,kl,mn",
        "ii,ii,ii,ii", "ii,ii,ii,jj", "ii,ii,jj,jj", "ii,ii,ii,ij", "ji,ii,ii,ii", "ii,ii,ij,jj", "jj,ji,ii,ii", "ii,ii,ij,ij",
        "ji,ii,ii,ij", "ji,ji,ii,ii", "ii,ij,ij,jj", "ji,ii,ij,jj", "ii,ij,ij,ij", "ji,ii,ij,ij", "ji,ji,ii,ij", "ji,ji,ji,ii",
        "ij,ij,ij,ij", "ji,ij,ij,ij", "ji,ji,ij,ij",
        "ii,jk,lm,no", "ij,jk,lm,no", "ij,kj,lm,no", "ji,jk,lm,no", "ij,kl,mn,op",
    }.Select(InvariantGraph.Parse).ToArray();

    /// <summary>I1..I52 of the row-major n x n matrix. Each invariant is the product of its
    /// connected components, each summed by nested loops: summing the disconnected graphs
    /// (e.g. S^4 over n^8 terms) directly would lose digits to cancellation.</summary>
    public static double[] Evaluate(ReadOnlySpan<double> matrix, int n)
    {
        var values = new double[Graphs.Count];
        for (int k = 0; k < values.Length; k++)
        {
            double product = 1;
            foreach (var component in Graphs[k].Components())
            {
                product *= BruteForce.Evaluate(component, matrix, n);
            }
            values[k] = product;
        }
        return values;
    }
}
