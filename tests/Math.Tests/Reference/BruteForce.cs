using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>Definitions evaluated literally, for checking the fast paths on small matrices.</summary>
internal static class BruteForce
{
    /// <summary>
    /// The invariant of <paramref name="graph"/> on the row-major n x n <paramref name="matrix"/>:
    /// the sum over all n^V assignments of letters to indices of the product of the factors
    /// W[tail][head] (section 5.1). Cost n^V * k: keep n^V below ~10^7.
    /// </summary>
    public static double Evaluate(InvariantGraph graph, ReadOnlySpan<double> matrix, int n)
    {
        double total = 0;
        foreach (var index in Assignments(graph.VertexCount, n))
        {
            double product = 1;
            for (int e = 0; e < graph.Degree; e++)
            {
                var (tail, head) = graph.Edge(e);
                product *= matrix[index[tail] * n + index[head]];
            }
            total += product;
        }
        return total;
    }

    /// <summary>The invariant as the product of its connected components, each evaluated
    /// literally: exact in far fewer terms than <see cref="Evaluate"/> on disconnected graphs.</summary>
    public static double EvaluateByComponents(InvariantGraph graph, ReadOnlySpan<double> matrix, int n)
    {
        double product = 1;
        foreach (var component in graph.Components())
        {
            product *= Evaluate(component, matrix, n);
        }
        return product;
    }

    /// <summary>All n^V assignments of indices 0..n-1 to V letters, last letter fastest; the
    /// same array is updated in place between items.</summary>
    public static IEnumerable<int[]> Assignments(int vertices, int n)
    {
        var index = new int[vertices];
        while (true)
        {
            yield return index;
            int v = vertices - 1;
            while (v >= 0 && ++index[v] == n)
            {
                index[v] = 0;
                v--;
            }
            if (v < 0)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The sum of the absolute values of the terms of the invariant (the invariant of |W|): the
    /// scale against which its rounding errors are measured, since an invariant that is a
    /// difference of large terms cannot be computed to more digits relative to its own value.
    /// </summary>
    public static double TermMagnitude(InvariantGraph graph, ReadOnlySpan<double> matrix, int n) =>
        Evaluate(graph, TestMatrices.Absolute(matrix), n);

    /// <summary>(s.W)[s(i)][s(j)] = W[i][j]: relabels rows and columns by the same permutation.</summary>
    public static double[] Permute(ReadOnlySpan<double> matrix, int n, IReadOnlyList<int> permutation)
    {
        var result = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                result[permutation[i] * n + permutation[j]] = matrix[i * n + j];
            }
        }
        return result;
    }
}
