using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>The 52 invariants of pigmm-math.md section 5.2 evaluated by nested loops: the
/// test-side reference for the fast kernels, the accumulator and the deviation measures.</summary>
internal static class LoopInvariants
{
    public static IReadOnlyList<InvariantGraph> Graphs { get; } = PaperInvariants.All.Select(p => p.Graph).ToArray();

    public static IReadOnlyList<InvariantGraph> Quadratic { get; } = Graphs.Take(13).ToArray();

    /// <summary>I1..I52 of the row-major n x n matrix. Each invariant is the product of its
    /// connected components, each summed by nested loops: summing the disconnected graphs
    /// (e.g. S^4 over n^8 terms) directly would lose digits to cancellation.</summary>
    public static double[] Evaluate(ReadOnlySpan<double> matrix, int n)
    {
        var values = new double[Graphs.Count];
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = BruteForce.EvaluateByComponents(Graphs[k], matrix, n);
        }
        return values;
    }
}
