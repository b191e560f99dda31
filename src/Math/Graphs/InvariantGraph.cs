using System.Text;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// A permutation invariant of degree k of an n x n matrix W, written as a directed multigraph
/// (pigmm-math.md section 5.1): each factor W[x][y] is an edge x -> y between "letters"
/// (vertices) that are summed independently over 0..n-1. A loop x -> x is a diagonal entry.
/// </summary>
/// <remarks>
/// <para>
/// Slot form: the 2k index positions are numbered 0..2k-1, factor e owning positions 2e (first
/// index, the row) and 2e + 1 (second index, the column); <see cref="Slots"/>[p] is the vertex
/// of position p, as a restricted growth string (vertices numbered in order of first
/// occurrence). Two slot forms describe the same graph iff they differ by a permutation of the
/// factors; <see cref="CanonicalSlots"/> is the lexicographic minimum over all k! factor orders.
/// </para>
/// <para>
/// Equality is graph identity (same canonical form); <see cref="Spec"/> keeps the spelling the
/// graph was created with, e.g. the paper's <c>ji,ii,ii</c> for I18, whose canonical spelling is
/// <c>ii,ii,ji</c>.
/// </para>
/// </remarks>
public sealed class InvariantGraph : IEquatable<InvariantGraph>
{
    /// <summary>The largest degree a graph may have (an edge list of 2 x 8 positions).</summary>
    public const int MaxDegree = 8;

    /// <summary>Letters used to spell vertices 0, 1, 2, ... in specs.</summary>
    private const string Letters = "ijklmnopqrstuvwxyzabcdefgh";

    private readonly int[] slots;

    // Canonicalisation tries all k! factor orders; it is done on first use only, since products
    // of graphs (degree up to 8) are often built just to be evaluated.
    private int[]? canonicalSlots;

    private InvariantGraph(int[] slots, string spec)
    {
        this.slots = slots;
        Spec = spec;
        VertexCount = slots.Max() + 1;
    }

    /// <summary>Number of edges (factors of W), k.</summary>
    public int Degree => slots.Length / 2;

    /// <summary>Number of distinct letters (vertices).</summary>
    public int VertexCount { get; }

    /// <summary>The spelling this graph was created with, e.g. <c>ij,jk</c>.</summary>
    public string Spec { get; }

    /// <summary>The canonical spelling: the slot form with the lexicographically smallest
    /// restricted growth string over all factor orders, letters i, j, k, ... in order.</summary>
    public string CanonicalSpec => Spell(Canonical);

    /// <summary>Vertex of each index position, as written (restricted growth string).</summary>
    public IReadOnlyList<int> Slots => slots;

    /// <summary>Vertex of each index position in canonical form.</summary>
    public IReadOnlyList<int> CanonicalSlots => Canonical;

    private int[] Canonical => canonicalSlots ??= Canonicalise(slots);

    /// <summary>Edge e as (tail, head) = (row letter, column letter) of factor e.</summary>
    public (int Tail, int Head) Edge(int e) => (slots[2 * e], slots[2 * e + 1]);

    /// <summary>Number of connected components (ignoring edge directions).</summary>
    public int ComponentCount => ComponentOf().Max() + 1;

    /// <summary>True if every vertex can be reached from every other, ignoring directions.</summary>
    public bool IsConnected => ComponentCount == 1;

    /// <summary>
    /// Parses a spec: comma-separated two-letter factors such as <c>ii,ij,jj</c>. Letters are
    /// lower-case a-z; any letters may be used, they are renumbered in order of first occurrence.
    /// </summary>
    /// <exception cref="FormatException">The spec is empty, a factor is not two lower-case
    /// letters, or there are more than <see cref="MaxDegree"/> factors.</exception>
    public static InvariantGraph Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Length == 0)
        {
            throw new FormatException("An invariant spec needs at least one factor, e.g. 'ij,jk'.");
        }
        var factors = spec.Split(',');
        if (factors.Length > MaxDegree)
        {
            throw new FormatException($"Invariant spec '{spec}' has {factors.Length} factors; at most {MaxDegree} are supported.");
        }
        var letters = new char[factors.Length * 2];
        for (int e = 0; e < factors.Length; e++)
        {
            var f = factors[e].Trim();
            if (f.Length != 2 || !char.IsAsciiLetterLower(f[0]) || !char.IsAsciiLetterLower(f[1]))
            {
                throw new FormatException($"Invariant spec '{spec}': factor {e + 1} ('{factors[e]}') must be two lower-case letters, e.g. 'ij'.");
            }
            letters[2 * e] = f[0];
            letters[2 * e + 1] = f[1];
        }
        var numbering = new Dictionary<char, int>();
        var slots = new int[letters.Length];
        for (int p = 0; p < letters.Length; p++)
        {
            if (!numbering.TryGetValue(letters[p], out int v))
            {
                v = numbering.Count;
                numbering[letters[p]] = v;
            }
            slots[p] = v;
        }
        return new InvariantGraph(slots, string.Join(',', factors.Select(f => f.Trim())));
    }

    /// <summary>
    /// A graph from its slot form: <paramref name="slots"/>[p] is any label of the vertex at
    /// index position p (labels are renumbered in order of first occurrence).
    /// </summary>
    /// <exception cref="ArgumentException">The length is odd, zero, or above 2 x <see cref="MaxDegree"/>.</exception>
    public static InvariantGraph FromSlots(ReadOnlySpan<int> slots)
    {
        if (slots.Length == 0 || slots.Length % 2 != 0 || slots.Length > 2 * MaxDegree)
        {
            throw new ArgumentException($"A slot form has 2k entries with 1 <= k <= {MaxDegree}; got {slots.Length}.", nameof(slots));
        }
        var rgs = ToRestrictedGrowth(slots);
        return new InvariantGraph(rgs, Spell(rgs));
    }

    /// <summary>The disjoint union of this graph and <paramref name="other"/> (the product of
    /// the two invariants).</summary>
    public InvariantGraph DisjointUnion(InvariantGraph other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var joined = new int[slots.Length + other.slots.Length];
        slots.CopyTo(joined, 0);
        for (int p = 0; p < other.slots.Length; p++)
        {
            joined[slots.Length + p] = other.slots[p] + VertexCount;
        }
        return FromSlots(joined);
    }

    /// <summary>
    /// The connected components, each as its own graph (in order of their first edge), whose
    /// product is this invariant.
    /// </summary>
    public IReadOnlyList<InvariantGraph> Components()
    {
        var component = ComponentOf();
        int count = component.Max() + 1;
        var parts = new List<InvariantGraph>(count);
        for (int c = 0; c < count; c++)
        {
            var part = new List<int>();
            for (int e = 0; e < Degree; e++)
            {
                if (component[slots[2 * e]] == c)
                {
                    part.Add(slots[2 * e]);
                    part.Add(slots[2 * e + 1]);
                }
            }
            parts.Add(FromSlots(part.ToArray()));
        }
        return parts;
    }

    /// <summary>
    /// All graphs with exactly <paramref name="degree"/> edges and no isolated vertices, each
    /// once, in canonical form, ordered by vertex count and then by canonical slot form
    /// (lexicographic). Counts: 2, 11, 52, 296 for degrees 1..4.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">degree is not in 1..4.</exception>
    public static IReadOnlyList<InvariantGraph> Enumerate(int degree)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(degree, 4);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var graphs = new List<InvariantGraph>();
        foreach (var partition in SetPartitions(2 * degree))
        {
            var graph = FromSlots(partition);
            if (seen.Add(graph.CanonicalSpec))
            {
                graphs.Add(FromSlots(graph.Canonical));
            }
        }
        graphs.Sort(CompareCanonical);
        return graphs;
    }

    /// <summary>All set partitions of positions 0..size-1 as restricted growth strings, in
    /// lexicographic order (Bell(size) of them).</summary>
    internal static IEnumerable<int[]> SetPartitions(int size)
    {
        var rgs = new int[size];
        var maxBefore = new int[size];
        while (true)
        {
            yield return (int[])rgs.Clone();
            int p = size - 1;
            while (p > 0 && rgs[p] == maxBefore[p] + 1)
            {
                p--;
            }
            if (p <= 0)
            {
                yield break;
            }
            rgs[p]++;
            for (int q = p + 1; q < size; q++)
            {
                rgs[q] = 0;
                maxBefore[q] = Math.Max(maxBefore[q - 1], rgs[q - 1]);
            }
        }
    }

    /// <inheritdoc />
    public bool Equals(InvariantGraph? other) =>
        other is not null && Canonical.AsSpan().SequenceEqual(other.Canonical);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as InvariantGraph);

    /// <inheritdoc />
    public override int GetHashCode() => CanonicalSpec.GetHashCode(StringComparison.Ordinal);

    /// <summary>The spec, e.g. <c>ij,jk</c>.</summary>
    public override string ToString() => Spec;

    private static int CompareCanonical(InvariantGraph a, InvariantGraph b)
    {
        int byVertices = a.VertexCount.CompareTo(b.VertexCount);
        return byVertices != 0 ? byVertices : a.Canonical.AsSpan().SequenceCompareTo(b.Canonical);
    }

    private int[] ComponentOf()
    {
        var parent = Enumerable.Range(0, VertexCount).ToArray();
        int Find(int v) => parent[v] == v ? v : parent[v] = Find(parent[v]);
        for (int e = 0; e < Degree; e++)
        {
            int a = Find(slots[2 * e]), b = Find(slots[2 * e + 1]);
            if (a != b)
            {
                parent[Math.Max(a, b)] = Math.Min(a, b);
            }
        }
        // Number components in order of first occurrence along the slots.
        var number = new Dictionary<int, int>();
        var component = new int[VertexCount];
        foreach (int v in slots)
        {
            int root = Find(v);
            if (!number.TryGetValue(root, out int c))
            {
                c = number.Count;
                number[root] = c;
            }
            component[v] = c;
        }
        return component;
    }

    private static int[] ToRestrictedGrowth(ReadOnlySpan<int> labels)
    {
        var numbering = new Dictionary<int, int>();
        var rgs = new int[labels.Length];
        for (int p = 0; p < labels.Length; p++)
        {
            if (!numbering.TryGetValue(labels[p], out int v))
            {
                v = numbering.Count;
                numbering[labels[p]] = v;
            }
            rgs[p] = v;
        }
        return rgs;
    }

    private static int[] Canonicalise(int[] slots)
    {
        int k = slots.Length / 2;
        var order = Enumerable.Range(0, k).ToArray();
        var permuted = new int[slots.Length];
        int[]? best = null;
        do
        {
            for (int e = 0; e < k; e++)
            {
                permuted[2 * e] = slots[2 * order[e]];
                permuted[2 * e + 1] = slots[2 * order[e] + 1];
            }
            var candidate = ToRestrictedGrowth(permuted);
            if (best is null || candidate.AsSpan().SequenceCompareTo(best) < 0)
            {
                best = candidate;
            }
        }
        while (NextPermutation(order));
        return best!;
    }

    private static bool NextPermutation(int[] a)
    {
        int i = a.Length - 2;
        while (i >= 0 && a[i] >= a[i + 1])
        {
            i--;
        }
        if (i < 0)
        {
            return false;
        }
        int j = a.Length - 1;
        while (a[j] <= a[i])
        {
            j--;
        }
        (a[i], a[j]) = (a[j], a[i]);
        Array.Reverse(a, i + 1, a.Length - i - 1);
        return true;
    }

    private static string Spell(int[] slots)
    {
        var text = new StringBuilder(slots.Length * 3 / 2);
        for (int p = 0; p < slots.Length; p++)
        {
            if (p > 0 && p % 2 == 0)
            {
                text.Append(',');
            }
            text.Append(Letters[slots[p]]);
        }
        return text.ToString();
    }
}
