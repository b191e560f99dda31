using System.Runtime.InteropServices;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// Exact expectation values of graph invariants under a PIGMM (pigmm-math.md section 7.3),
/// compiled once per list of graphs and evaluated for any number of models at a cost independent
/// of n.
/// <para>
/// Compilation runs the Wick/Isserlis expansion symbolically: for every split of the k factors
/// into pairs and singletons, every choice of a covariance pattern sigma per pair (coefficient
/// cc[sigma]) and of alpha or beta per singleton, it counts the union-find classes c of the 2k
/// index positions. Choices with the same monomial in (alpha, beta, cc[0..14]) are grouped, so
/// that E[graph] = sum over monomials of monomial(model) x p(n), where p(n) = sum_c count_c n^c
/// has non-negative integer coefficients (no cancellation inside p). A quartic graph has at most
/// 104 monomials; evaluation is a few hundred multiply-adds per graph, with a compensated
/// (Neumaier) sum over the monomials so that the summation adds no error beyond that of the
/// terms themselves (against the reference values of the spec's appendix: within 2e-14
/// relative at n = 640).
/// </para>
/// <para>
/// Compilation time grows with the degree (10, 76 and 764 pair/singleton splits for k = 4, 6, 8,
/// with 15 patterns per pair): well under a millisecond per quartic graph, about 0.1 s per
/// degree-6 graph (variances of cubic invariants) and about a second per degree-8 graph. Plans
/// are immutable and thread-safe.
/// </para>
/// </summary>
public sealed class ExpectationPlan
{
    // Factor ids of a monomial: alpha, beta, then cc[0..14].
    private const int AlphaFactor = 0;
    private const int BetaFactor = 1;
    private const int FactorCount = 2 + CovariancePatterns.Count;

    // Monomials are keyed by how often each factor occurs, 4 bits per factor (at most 8 factors).
    private const int BitsPerFactor = 4;

    // For each pattern (i, j, k, l), the position pairs whose merging realises it.
    private static readonly (int First, int Second)[][] PatternMerges = CovariancePatterns.Names
        .Select(name => Enumerable.Range(1, 3)
            .Where(p => name.IndexOf(name[p]) < p)
            .Select(p => (name.IndexOf(name[p]), p))
            .ToArray())
        .ToArray();

    // The factor of each pattern. A pattern and its swap (k, l, i, j) have the same coefficient;
    // both use the smaller one's factor, so that a pair of factors gives the same monomial in
    // either order and a plan depends only on the graph, not on how its factors are listed.
    private static readonly int[] PatternFactor = Enumerable.Range(0, CovariancePatterns.Count)
        .Select(s => 2 + Math.Min(s, CovariancePatterns.Swapped(s)))
        .ToArray();

    private readonly InvariantGraph[] graphs;
    private readonly int[] monomialFactorStart;
    private readonly int[] monomialFactors;
    private readonly int[] graphTermStart;
    private readonly int[] termMonomial;
    private readonly int[] termLowestPower;
    private readonly int[] termCoefficientStart;
    private readonly double[] coefficients;
    private readonly int maxPower;

    private ExpectationPlan(InvariantGraph[] graphs, List<int[]> monomials, List<Term>[] termsPerGraph)
    {
        this.graphs = graphs;
        monomialFactorStart = new int[monomials.Count + 1];
        monomialFactors = monomials.SelectMany(m => m).ToArray();
        for (int m = 0; m < monomials.Count; m++)
        {
            monomialFactorStart[m + 1] = monomialFactorStart[m] + monomials[m].Length;
        }
        var terms = termsPerGraph.SelectMany(t => t).ToArray();
        graphTermStart = new int[graphs.Length + 1];
        for (int g = 0; g < graphs.Length; g++)
        {
            graphTermStart[g + 1] = graphTermStart[g] + termsPerGraph[g].Count;
        }
        termMonomial = terms.Select(t => t.Monomial).ToArray();
        termLowestPower = terms.Select(t => t.LowestPower).ToArray();
        termCoefficientStart = new int[terms.Length + 1];
        for (int t = 0; t < terms.Length; t++)
        {
            termCoefficientStart[t + 1] = termCoefficientStart[t] + terms[t].Coefficients.Length;
        }
        coefficients = terms.SelectMany(t => t.Coefficients).ToArray();
        maxPower = terms.Length == 0 ? 0 : terms.Max(t => t.LowestPower + t.Coefficients.Length - 1);
    }

    /// <summary>The graphs, in the order of the evaluated values.</summary>
    public IReadOnlyList<InvariantGraph> Graphs => graphs;

    /// <summary>The number of (graph, monomial) terms, the cost of one evaluation.</summary>
    public int TermCount => termMonomial.Length;

    /// <summary>Compiles the expansion of each graph, of any degree up to
    /// <see cref="InvariantGraph.MaxDegree"/> (the type's summary gives the cost).</summary>
    /// <exception cref="ArgumentNullException">graphs or one of them is null.</exception>
    public static ExpectationPlan Compile(IEnumerable<InvariantGraph> graphs)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        var list = graphs.ToArray();
        var monomialIndex = new Dictionary<UInt128, int>();
        var monomials = new List<int[]>();
        var termsPerGraph = new List<Term>[list.Length];
        for (int g = 0; g < list.Length; g++)
        {
            ArgumentNullException.ThrowIfNull(list[g], nameof(graphs));
            var expansion = Expand(list[g]);
            var terms = new List<Term>(expansion.Count);
            foreach (var (key, counts) in expansion.OrderBy(entry => entry.Key))
            {
                if (!monomialIndex.TryGetValue(key, out int monomial))
                {
                    monomial = monomials.Count;
                    monomialIndex[key] = monomial;
                    monomials.Add(Factors(key));
                }
                int lowest = Array.FindIndex(counts, c => c != 0);
                int highest = Array.FindLastIndex(counts, c => c != 0);
                terms.Add(new Term(monomial, lowest, counts[lowest..(highest + 1)].Select(c => (double)c).ToArray()));
            }
            termsPerGraph[g] = terms;
        }
        return new ExpectationPlan(list, monomials, termsPerGraph);
    }

    /// <summary>E[graph] under <paramref name="model"/> for every graph of the plan, in order.</summary>
    public double[] Evaluate(PigmmModel model)
    {
        var values = new double[graphs.Length];
        Evaluate(model, values);
        return values;
    }

    /// <summary>E[graph] under <paramref name="model"/> for every graph of the plan, written to
    /// <paramref name="destination"/> in order.</summary>
    /// <exception cref="ArgumentException">destination is shorter than the number of graphs.</exception>
    public void Evaluate(PigmmModel model, Span<double> destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (destination.Length < graphs.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; the plan has {graphs.Length} graphs.", nameof(destination));
        }
        Span<double> factors = stackalloc double[FactorCount];
        factors[AlphaFactor] = model.Alpha;
        factors[BetaFactor] = model.Beta;
        for (int s = 0; s < CovariancePatterns.Count; s++)
        {
            factors[2 + s] = model.AtLeastCoefficients[s];
        }
        Span<double> powers = stackalloc double[maxPower + 1];
        powers[0] = 1;
        for (int c = 1; c <= maxPower; c++)
        {
            powers[c] = powers[c - 1] * model.N;
        }
        int monomialCount = monomialFactorStart.Length - 1;
        var monomialValues = new double[monomialCount];
        for (int m = 0; m < monomialCount; m++)
        {
            double value = 1;
            for (int q = monomialFactorStart[m]; q < monomialFactorStart[m + 1]; q++)
            {
                value *= factors[monomialFactors[q]];
            }
            monomialValues[m] = value;
        }
        for (int g = 0; g < graphs.Length; g++)
        {
            double sum = 0, compensation = 0;
            for (int t = graphTermStart[g]; t < graphTermStart[g + 1]; t++)
            {
                double polynomial = 0;
                int power = termLowestPower[t];
                for (int q = termCoefficientStart[t]; q < termCoefficientStart[t + 1]; q++)
                {
                    polynomial += coefficients[q] * powers[power++];
                }
                double term = monomialValues[termMonomial[t]] * polynomial;
                double next = sum + term;
                compensation += Math.Abs(sum) >= Math.Abs(term) ? (sum - next) + term : (term - next) + sum;
                sum = next;
            }
            destination[g] = sum + compensation;
        }
    }

    /// <summary>The symbolic Isserlis expansion of one graph: monomial key -> count of
    /// union-find class numbers (index c holds the number of choices with c classes).</summary>
    private static Dictionary<UInt128, long[]> Expand(InvariantGraph graph)
    {
        int k = graph.Degree;
        var expansion = new Dictionary<UInt128, long[]>();
        // One union-find parent array per recursion depth, each level copied from the one above.
        var parents = new int[k + 1][];
        for (int level = 0; level <= k; level++)
        {
            parents[level] = new int[graph.VertexCount];
        }
        for (int v = 0; v < graph.VertexCount; v++)
        {
            parents[0][v] = v;
        }
        var vertexOf = graph.Slots.ToArray();

        void Recurse(int level, int assigned, int classes, UInt128 key)
        {
            if (assigned == (1 << k) - 1)
            {
                ref var counts = ref CollectionsMarshal.GetValueRefOrAddDefault(expansion, key, out _);
                counts ??= new long[2 * k + 1];
                counts[classes]++;
                return;
            }
            int e = System.Numerics.BitOperations.TrailingZeroCount(~assigned);
            var current = parents[level];
            var next = parents[level + 1];

            Recurse(level, assigned | (1 << e), classes, key + Unit(AlphaFactor));

            current.CopyTo(next, 0);
            Recurse(level + 1, assigned | (1 << e), classes - Union(next, vertexOf[2 * e], vertexOf[2 * e + 1]), key + Unit(BetaFactor));

            for (int f = e + 1; f < k; f++)
            {
                if ((assigned & (1 << f)) != 0)
                {
                    continue;
                }
                for (int s = 0; s < CovariancePatterns.Count; s++)
                {
                    current.CopyTo(next, 0);
                    int merged = 0;
                    foreach (var (first, second) in PatternMerges[s])
                    {
                        merged += Union(next, PositionVertex(vertexOf, e, f, first), PositionVertex(vertexOf, e, f, second));
                    }
                    Recurse(level + 1, assigned | (1 << e) | (1 << f), classes - merged, key + Unit(PatternFactor[s]));
                }
            }
        }

        Recurse(0, 0, graph.VertexCount, UInt128.Zero);
        return expansion;
    }

    /// <summary>The vertex at position p of the tuple (i, j, k, l) = (row e, column e, row f, column f).</summary>
    private static int PositionVertex(int[] vertexOf, int e, int f, int p) => vertexOf[p < 2 ? 2 * e + p : 2 * f + p - 2];

    /// <summary>Joins the classes of a and b; 1 if they were different, else 0.</summary>
    private static int Union(int[] parent, int a, int b)
    {
        int rootA = Find(parent, a), rootB = Find(parent, b);
        if (rootA == rootB)
        {
            return 0;
        }
        parent[Math.Max(rootA, rootB)] = Math.Min(rootA, rootB);
        return 1;
    }

    private static int Find(int[] parent, int v)
    {
        while (parent[v] != v)
        {
            v = parent[v];
        }
        return v;
    }

    private static UInt128 Unit(int factor) => UInt128.One << (BitsPerFactor * factor);

    /// <summary>The factor ids of a monomial key, each repeated by its multiplicity.</summary>
    private static int[] Factors(UInt128 key)
    {
        var factors = new List<int>();
        for (int factor = 0; factor < FactorCount; factor++)
        {
            int multiplicity = (int)((key >> (BitsPerFactor * factor)) & 0xF);
            factors.AddRange(Enumerable.Repeat(factor, multiplicity));
        }
        return factors.ToArray();
    }

    private sealed record Term(int Monomial, int LowestPower, double[] Coefficients);
}
