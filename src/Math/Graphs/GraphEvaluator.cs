using OrleansPigmm.Mathematics.Graphs.Evaluation;
using OrleansPigmm.Mathematics.Kernels;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// Evaluates a fixed list of graph invariants (pigmm-math.md section 5.1) of one matrix at a
/// time, in at most O(n^3), by the elimination of section 5.3: components multiply, loops and
/// parallel edges fold, degree-1 vertices are summed out by matrix-vector products and degree-2
/// vertices by matrix products.
/// </summary>
/// <remarks>
/// <para>
/// The list is compiled once into an evaluation plan that computes every shared intermediate
/// once per matrix: row and column sums and other matrix-vector products, entrywise powers of W
/// and W^T, and the matrix products W W, W W^T, W^T W (every graph with at most 4 edges needs
/// no other product). A plan is immutable and may be used from several threads at once.
/// </para>
/// <para>
/// Every graph with at most 4 edges can be evaluated; larger ones when the elimination never
/// gets stuck (some vertex always has at most two neighbours), otherwise the constructor throws.
/// Graphs are evaluated in canonical form, so the result does not depend on how a graph is
/// spelled or on its factor order.
/// </para>
/// <para>
/// Convention: n x n row-major matrices, W[i][j] at i * n + j, n &gt;= 4; values are plain sums
/// over all index values, computed in double precision (float inputs are converted exactly).
/// Results are deterministic: every reduction order depends only on the plan, n and the
/// machine's SIMD width. NaN and infinite entries are not checked; they propagate by IEEE
/// arithmetic into every invariant whose sums include them. Refusing them is the caller's job.
/// </para>
/// </remarks>
public sealed class GraphEvaluator : IMatrixComputation
{
    private readonly EvaluationPlan plan;

    /// <summary>Compiles the evaluation of <paramref name="graphs"/>, in the given order.</summary>
    /// <exception cref="ArgumentException">The list is empty, or a graph cannot be eliminated
    /// (every remaining vertex has three or more neighbours).</exception>
    public GraphEvaluator(IEnumerable<InvariantGraph> graphs)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        Graphs = Array.AsReadOnly(graphs.ToArray());
        if (Graphs.Count == 0 || Graphs.Contains(null!))
        {
            throw new ArgumentException("A graph evaluator needs at least one graph, and no null entries.", nameof(graphs));
        }
        var builder = new PlanBuilder();
        var components = new Dictionary<InvariantGraph, int>();
        var outputs = new int[Graphs.Count];
        for (int g = 0; g < Graphs.Count; g++)
        {
            var canonical = InvariantGraph.FromSlots(Graphs[g].CanonicalSlots.ToArray());
            outputs[g] = builder.ScalarProduct(canonical.Components().Select(component =>
            {
                if (!components.TryGetValue(component, out int value))
                {
                    value = ComponentElimination.Evaluate(builder, InvariantGraph.FromSlots(component.CanonicalSlots.ToArray()));
                    components[component] = value;
                }
                return value;
            }).ToArray());
        }
        plan = EvaluationPlan.Compile(builder, outputs);
    }

    /// <summary>The graphs, in the order their values are written.</summary>
    public IReadOnlyList<InvariantGraph> Graphs { get; }

    /// <summary>Number of n x n x n matrix products one evaluation performs (at most 3 for
    /// graphs with at most 4 edges).</summary>
    public int MatrixProductCount => plan.MatrixProducts;

    /// <summary>Doubles of scratch that an evaluation of an n x n matrix needs: a few n x n
    /// matrices at once (about 9 n^2 for all graphs of degree at most 4), plus O(n) per
    /// intermediate vector and one per scalar.</summary>
    /// <exception cref="ArgumentException">n &lt; 4, or the scratch would exceed an array's length.</exception>
    public int ScratchLength(int n) => MatrixInput.ScratchLength(n, plan.ScratchLength(n));

    /// <summary>The value of one graph invariant of the n x n row-major <paramref name="matrix"/>.
    /// Compiles a plan on every call: evaluate many graphs or matrices with an instance.</summary>
    /// <exception cref="ArgumentException">As for the constructor and <see cref="Evaluate(ReadOnlySpan{double}, int, Span{double})"/>.</exception>
    public static double Evaluate(InvariantGraph graph, ReadOnlySpan<double> matrix, int n)
    {
        Span<double> value = stackalloc double[1];
        new GraphEvaluator([graph]).Evaluate(matrix, n, value);
        return value[0];
    }

    /// <summary>
    /// Writes the invariants of <see cref="Graphs"/>, in order, for the n x n row-major
    /// <paramref name="matrix"/> to destination[0..Graphs.Count). Scratch comes from the stack for
    /// small sizes and from the shared array pool otherwise (reused from call to call unless the
    /// pool releases it under memory pressure); the overload with caller scratch never allocates.
    /// </summary>
    /// <exception cref="ArgumentException">n &lt; 4, matrix.Length != n^2, or the destination is
    /// shorter than the number of graphs.</exception>
    public void Evaluate(ReadOnlySpan<double> matrix, int n, Span<double> destination) =>
        MatrixComputation.RunWithLease(this, matrix, n, destination);

    /// <inheritdoc cref="Evaluate(ReadOnlySpan{double}, int, Span{double})"/>
    public void Evaluate(ReadOnlySpan<float> matrix, int n, Span<double> destination) =>
        MatrixComputation.RunWithLease(this, matrix, n, destination);

    /// <summary>As <see cref="Evaluate(ReadOnlySpan{double}, int, Span{double})"/>, with
    /// caller-provided scratch of at least <see cref="ScratchLength"/>(n) doubles (contents
    /// ignored and overwritten).</summary>
    /// <exception cref="ArgumentException">As there, or the scratch is too short.</exception>
    public void Evaluate(ReadOnlySpan<double> matrix, int n, Span<double> destination, Span<double> scratch) =>
        MatrixComputation.Run(this, matrix, n, destination, scratch);

    /// <inheritdoc cref="Evaluate(ReadOnlySpan{double}, int, Span{double}, Span{double})"/>
    public void Evaluate(ReadOnlySpan<float> matrix, int n, Span<double> destination, Span<double> scratch) =>
        MatrixComputation.Run(this, matrix, n, destination, scratch);

    int IMatrixComputation.OutputCount => Graphs.Count;

    void IMatrixComputation.ComputeUnchecked(ReadOnlySpan<double> matrix, int n, Span<double> destination, Span<double> scratch) =>
        plan.Execute(matrix, n, destination, scratch);

    void IMatrixComputation.ComputeUnchecked(ReadOnlySpan<float> matrix, int n, Span<double> destination, Span<double> scratch) =>
        plan.Execute(matrix, n, destination, scratch);

    /// <summary>The evaluation without argument checks, for callers that validated them.</summary>
    internal void EvaluateUnchecked<T>(ReadOnlySpan<T> matrix, int n, Span<double> destination, Span<double> scratch)
        where T : unmanaged => plan.Execute(matrix, n, destination, scratch);
}
