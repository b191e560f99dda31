using System.Globalization;
using System.Runtime.CompilerServices;
using OrleansPigmm.Mathematics.Kernels;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The list of invariants a fit reports for each matrix: the paper's I1..I(m) of degree at most
/// d (m = 2, 13, 28, 52 for d = 1..4), optionally followed by every other graph of degree at most
/// d, by degree and then by position in <see cref="InvariantGraph.Enumerate"/>.
/// </summary>
/// <remarks>
/// <para>
/// Entry ids never depend on the options: "I{k}" for the paper's, "G{degree}.{ordinal}" for the
/// others, ordinal being the graph's 1-based position in <see cref="InvariantGraph.Enumerate"/>.
/// <see cref="Key"/> names the catalogue ("paper-d4", "all-d3", ...) so that stored sums can be
/// checked against the catalogue that produced them.
/// </para>
/// <para>
/// <see cref="Compute(ReadOnlySpan{double}, int, Span{double})"/> fills the paper's entries by
/// the O(n^2) recipes of <see cref="PaperInvariants"/> and the others by a compiled
/// <see cref="GraphEvaluator"/> plan (O(n^3)). Conventions, determinism and NaN behaviour are
/// those of the two. A catalogue is immutable and may be used from several threads at once.
/// </para>
/// </remarks>
public sealed class InvariantCatalog : IMatrixComputation
{
    private const string PaperPrefix = "paper-d", AllPrefix = "all-d";

    private readonly GraphEvaluator? others;

    private InvariantCatalog(int maxDegree, bool includesAllGraphs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegree, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDegree, 4);
        MaxDegree = maxDegree;
        IncludesAllGraphs = includesAllGraphs;
        PaperCount = PaperInvariants.CountUpToDegree(maxDegree);
        var entries = PaperInvariants.All.Take(PaperCount).Select(p => new CatalogEntry(p.Id, p.Graph, p.Number)).ToList();
        if (includesAllGraphs)
        {
            var paperGraphs = entries.Select(e => e.Graph).ToHashSet();
            for (int degree = 1; degree <= maxDegree; degree++)
            {
                var graphs = InvariantGraph.Enumerate(degree);
                for (int g = 0; g < graphs.Count; g++)
                {
                    if (!paperGraphs.Contains(graphs[g]))
                    {
                        entries.Add(new CatalogEntry(string.Create(CultureInfo.InvariantCulture, $"G{degree}.{g + 1}"), graphs[g], null));
                    }
                }
            }
        }
        Entries = entries.AsReadOnly();
        if (entries.Count > PaperCount)
        {
            others = new GraphEvaluator(entries.Skip(PaperCount).Select(e => e.Graph));
        }
    }

    /// <summary>The paper's invariants of degree at most <paramref name="maxDegree"/> (1..4).</summary>
    /// <exception cref="ArgumentOutOfRangeException">maxDegree is not in 1..4.</exception>
    public static InvariantCatalog Paper(int maxDegree) => new(maxDegree, includesAllGraphs: false);

    /// <summary>The paper's invariants of degree at most <paramref name="maxDegree"/> (1..4), then
    /// every other graph of degree at most maxDegree.</summary>
    /// <exception cref="ArgumentOutOfRangeException">maxDegree is not in 1..4.</exception>
    public static InvariantCatalog AllGraphs(int maxDegree) => new(maxDegree, includesAllGraphs: true);

    /// <summary>The catalogue named by <paramref name="key"/> ("paper-d1".."paper-d4", "all-d1".."all-d4").</summary>
    /// <exception cref="FormatException">The key names no catalogue.</exception>
    public static InvariantCatalog FromKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        bool all = key.StartsWith(AllPrefix, StringComparison.Ordinal);
        int prefix = (all ? AllPrefix : PaperPrefix).Length;
        if ((all || key.StartsWith(PaperPrefix, StringComparison.Ordinal)) && key.Length == prefix + 1 && key[prefix] is >= '1' and <= '4')
        {
            return new InvariantCatalog(key[prefix] - '0', all);
        }
        throw new FormatException($"'{key}' is not a catalogue key; expected paper-d1..paper-d4 or all-d1..all-d4.");
    }

    /// <summary>The largest degree of an entry.</summary>
    public int MaxDegree { get; }

    /// <summary>Whether the catalogue goes on, after the paper's invariants, with every other graph.</summary>
    public bool IncludesAllGraphs { get; }

    /// <summary>A stable name of the catalogue's contents: "paper-d{MaxDegree}" or "all-d{MaxDegree}".</summary>
    public string Key => (IncludesAllGraphs ? AllPrefix : PaperPrefix) + MaxDegree.ToString(CultureInfo.InvariantCulture);

    /// <summary>The entries, in the order values are written: the paper's I1..I(PaperCount) first.</summary>
    public IReadOnlyList<CatalogEntry> Entries { get; }

    /// <summary>Number of entries.</summary>
    public int Count => Entries.Count;

    /// <summary>Number of leading entries that are the paper's invariants.</summary>
    public int PaperCount { get; }

    /// <summary>The catalogue's key.</summary>
    public override string ToString() => Key;

    /// <summary>Doubles of scratch that <see cref="Compute(ReadOnlySpan{double}, int, Span{double}, Span{double})"/>
    /// needs for size n (double and float inputs alike).</summary>
    /// <exception cref="ArgumentException">n &lt; 4.</exception>
    public int ScratchLength(int n) => Math.Max(PaperInvariants.ScratchLength(n), others?.ScratchLength(n) ?? 0);

    /// <summary>
    /// Writes the value of every entry, in order, for the n x n row-major
    /// <paramref name="matrix"/> to destination[0..Count). Scratch comes from the stack for small
    /// n and from the shared array pool otherwise (reused from call to call unless the pool
    /// releases it under memory pressure); the overload with caller scratch never allocates.
    /// </summary>
    /// <exception cref="ArgumentException">n &lt; 4, matrix.Length != n^2, or destination is
    /// shorter than <see cref="Count"/>.</exception>
    public void Compute(ReadOnlySpan<double> matrix, int n, Span<double> destination) =>
        MatrixComputation.RunWithLease(this, matrix, n, destination);

    /// <inheritdoc cref="Compute(ReadOnlySpan{double}, int, Span{double})"/>
    public void Compute(ReadOnlySpan<float> matrix, int n, Span<double> destination) =>
        MatrixComputation.RunWithLease(this, matrix, n, destination);

    /// <summary>As <see cref="Compute(ReadOnlySpan{double}, int, Span{double})"/>, with
    /// caller-provided scratch of at least <see cref="ScratchLength"/>(n) doubles (contents
    /// ignored and overwritten).</summary>
    /// <exception cref="ArgumentException">As there, or the scratch is too short.</exception>
    public void Compute(ReadOnlySpan<double> matrix, int n, Span<double> destination, Span<double> scratch) =>
        MatrixComputation.Run(this, matrix, n, destination, scratch);

    /// <inheritdoc cref="Compute(ReadOnlySpan{double}, int, Span{double}, Span{double})"/>
    public void Compute(ReadOnlySpan<float> matrix, int n, Span<double> destination, Span<double> scratch) =>
        MatrixComputation.Run(this, matrix, n, destination, scratch);

    int IMatrixComputation.OutputCount => Count;

    void IMatrixComputation.ComputeUnchecked(ReadOnlySpan<double> matrix, int n, Span<double> destination, Span<double> scratch) =>
        ComputeUnchecked(matrix, n, destination, scratch);

    void IMatrixComputation.ComputeUnchecked(ReadOnlySpan<float> matrix, int n, Span<double> destination, Span<double> scratch) =>
        ComputeUnchecked(matrix, n, destination, scratch);

    // The paper's entries by their recipes (all 52 are computed, the first PaperCount kept), then
    // the others by the evaluator, which reuses the same scratch.
    [SkipLocalsInit]
    private void ComputeUnchecked<T>(ReadOnlySpan<T> matrix, int n, Span<double> destination, Span<double> scratch)
        where T : unmanaged
    {
        Span<double> paper = stackalloc double[PaperInvariants.Count];
        PaperInvariants.ComputeUnchecked(matrix, n, paper, scratch);
        paper[..PaperCount].CopyTo(destination);
        others?.EvaluateUnchecked(matrix, n, destination[PaperCount..Count], scratch);
    }
}
