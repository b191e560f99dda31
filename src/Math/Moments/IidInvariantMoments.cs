using System.Numerics;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// Exact mean and variance of a graph invariant (pigmm-math.md section 5.1) of an n x n matrix
/// whose n^2 entries are i.i.d. with a given law (section 7.4), e.g. a network layer at its
/// initialisation.
/// </summary>
/// <remarks>
/// E[invariant] = sum over set partitions rho of the vertices (which letters take equal values)
/// of n (n-1) ... (n - |rho| + 1) times the product, over the distinct matrix entries
/// (block(tail), block(head)) the edges land on, of m_multiplicity. Var = E[G2] - E[G]^2 with G2
/// the graph of two disjoint copies. The sums run in exact rational arithmetic on the law's
/// moments and are rounded once, so there is no cancellation even when the mean dominates.
/// Set partitions are enumerated, so a graph (for the variance: the two copies) may have at most
/// <see cref="MaximumVertexCount"/> vertices; every invariant of degree &lt;= 2 and all
/// low-node invariants of degree 3 and 4 qualify.
/// </remarks>
public static class IidInvariantMoments
{
    /// <summary>The largest vertex count handled (Bell(12) = 4,213,597 set partitions).</summary>
    public const int MaximumVertexCount = 12;

    // Multiplicity counts are packed 4 bits per multiplicity 1..8 (at most 8 edges).
    private const int PackedBits = 4;

    /// <summary>E[I] of the invariant <paramref name="graph"/> for i.i.d. entries with law
    /// <paramref name="law"/>, exact and rounded once; needs the raw moments m_1..m_degree.</summary>
    /// <exception cref="ArgumentException"><paramref name="n"/> &lt; 1, the graph has more than
    /// <see cref="MaximumVertexCount"/> vertices, or the law lacks a needed moment.</exception>
    public static double Expectation(InvariantGraph graph, int n, IidLaw law) => ExactExpectation(graph, n, law).ToDouble();

    /// <summary>Var[I] = E[I^2] - E[I]^2 of the invariant <paramref name="graph"/> for i.i.d.
    /// entries with law <paramref name="law"/>, exact and rounded once; needs m_1..m_(2 degree),
    /// a degree of at most 4 and at most <see cref="MaximumVertexCount"/> / 2 vertices.</summary>
    /// <exception cref="ArgumentException"><paramref name="n"/> &lt; 1, the graph is too large, or
    /// the law lacks a needed moment.</exception>
    public static double Variance(InvariantGraph graph, int n, IidLaw law)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (2 * graph.Degree > InvariantGraph.MaxDegree)
        {
            throw new ArgumentException($"The variance of '{graph.Spec}' needs the degree-{2 * graph.Degree} graph of two copies; at most degree {InvariantGraph.MaxDegree} is supported.", nameof(graph));
        }
        var squared = ExactExpectation(graph.DisjointUnion(graph), n, law);
        var mean = ExactExpectation(graph, n, law);
        return (squared - mean * mean).ToDouble();
    }

    internal static Rational ExactExpectation(InvariantGraph graph, int n, IidLaw law)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(law);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (graph.VertexCount > MaximumVertexCount)
        {
            throw new ArgumentException($"'{graph.Spec}' has {graph.VertexCount} vertices; exact i.i.d. moments enumerate set partitions of at most {MaximumVertexCount} vertices.", nameof(graph));
        }
        if (law.HighestMoment < graph.Degree)
        {
            throw new ArgumentException($"'{graph.Spec}' has degree {graph.Degree}, so it needs the raw moments m_1..m_{graph.Degree}; the {law} gives m_1..m_{law.HighestMoment}.", nameof(law));
        }

        // Labellings with the same number of distinct letters and the same entry multiplicities
        // contribute the same term: count them first, then do the exact arithmetic once per class.
        var classes = new Dictionary<(int Blocks, long Multiplicities), long>();
        var entries = new int[graph.Degree];
        foreach (var blockOf in InvariantGraph.SetPartitions(graph.VertexCount))
        {
            int blocks = blockOf.Max() + 1;
            if (blocks > n)
            {
                continue;
            }
            for (int e = 0; e < entries.Length; e++)
            {
                var (tail, head) = graph.Edge(e);
                entries[e] = blockOf[tail] * MaximumVertexCount + blockOf[head];
            }
            var key = (blocks, PackMultiplicities(entries));
            classes[key] = classes.GetValueOrDefault(key) + 1;
        }

        var expectation = Rational.Zero;
        foreach (var ((blocks, packed), count) in classes)
        {
            var term = Rational.Of(count * FallingFactorial(n, blocks), BigInteger.One);
            for (int multiplicity = 1; multiplicity <= graph.Degree; multiplicity++)
            {
                int power = (int)(packed >> (PackedBits * (multiplicity - 1))) & ((1 << PackedBits) - 1);
                if (power > 0)
                {
                    term *= law.ExactRawMoment(multiplicity).Power(power);
                }
            }
            expectation += term;
        }
        return expectation;
    }

    /// <summary>For entries (one per edge), how many distinct entries occur exactly r times,
    /// packed 4 bits per r = 1..8. Sorts <paramref name="entries"/>.</summary>
    private static long PackMultiplicities(int[] entries)
    {
        Array.Sort(entries);
        long packed = 0;
        for (int start = 0; start < entries.Length;)
        {
            int end = start + 1;
            while (end < entries.Length && entries[end] == entries[start])
            {
                end++;
            }
            packed += 1L << (PackedBits * (end - start - 1));
            start = end;
        }
        return packed;
    }

    /// <summary>n (n-1) ... (n - count + 1).</summary>
    private static BigInteger FallingFactorial(int n, int count)
    {
        var product = BigInteger.One;
        for (int i = 0; i < count; i++)
        {
            product *= n - i;
        }
        return product;
    }
}
