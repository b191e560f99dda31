using System.Diagnostics;
using System.Numerics.Tensors;
using OrleansPigmm.Benchmarks.Harness;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Benchmarks;

/// <summary>
/// The math core's costs per matrix size. Invariants of one n x n matrix against two yardsticks measured in the same run: one plain
/// pass summing the matrix (SIMD, <see cref="TensorPrimitives.Sum{T}(ReadOnlySpan{T})"/>), and
/// one n x n x n matrix product by the library's own kernel (<see cref="MatrixProduct"/>, the
/// kernel the graph evaluator uses). Targets: the 52 paper invariants within 10 plain passes,
/// the all-graphs catalogue of degree 4 (361 values: I1..I52 by their O(n^2) recipes, the other
/// 309 graphs by the evaluator's plan) within 20 matrix products. And the refit of one
/// (layer, epoch) as the aggregator makes it, from an accumulator of 1000 matrices: the PIGMM fit,
/// the exact predictions of every invariant, the deviations, and W2 to the three references;
/// target under 1 ms whatever n.
/// </summary>
/// <remarks>
/// The matrix has entries uniform in [-1/sqrt(n), 1/sqrt(n)) (a network layer at
/// initialisation) from a fixed seed. The accumulators of the refit hold the invariants of 1000
/// matrices drawn from the i.i.d. law of that layer (eight distinct draws repeated: the cost of a
/// refit depends on the number of invariants, not on their values). Every computation uses caller-provided scratch, as an
/// accumulator processing many matrices would. Before anything is timed, all computations of all
/// sizes run for <c>warmup</c>, so that the JIT has compiled every path in its final tier.
/// Timings are medians (<see cref="Measure.PerCall"/>); on a shared machine compare ratios from
/// the same run only.
/// </remarks>
public sealed class MathBenchmark(MeasureOptions? options = null, TimeSpan? warmup = null)
{
    /// <summary>Timing name of the plain summing pass.</summary>
    public const string PlainSum = "sum";

    /// <summary>Timing name of the matrix product.</summary>
    public const string Product = "GEMM";

    /// <summary>Timing name of the 52 paper invariants.</summary>
    public const string Paper = "52 invariants";

    /// <summary>Timing name of the all-graphs catalogue of degree 4 (361 values).</summary>
    public const string AllGraphs = "361 graphs";

    /// <summary>The matrix sizes of the paper's width sweep.</summary>
    public static IReadOnlyList<int> Sizes { get; } = [10, 40, 160, 640];

    /// <summary>Warms up, then measures every size; one row per size.</summary>
    public IReadOnlyList<SizeRow> Run(IReadOnlyList<int>? sizes = null)
    {
        var catalog = InvariantCatalog.AllGraphs(4);
        var paperAnalyzer = new EnsembleAnalyzer(InvariantCatalog.Paper(4));
        var allGraphsAnalyzer = new EnsembleAnalyzer(catalog);
        var calls = (sizes ?? Sizes).Select(n => new Calls(n, paperAnalyzer, allGraphsAnalyzer)).ToArray();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (warmup ?? TimeSpan.FromSeconds(1)))
        {
            foreach (var call in calls.SelectMany(c => c.All))
            {
                call();
            }
        }
        return calls.Select(Measure).ToArray();
    }

    /// <summary>Runs <see cref="Run"/> and returns the table of <see cref="SizeRow.Tabulate"/>.</summary>
    public TextTable RunTable(IReadOnlyList<int>? sizes = null) => SizeRow.Tabulate(Run(sizes));

    private SizeRow Measure(Calls calls)
    {
        var row = new SizeRow(calls.N);
        row.Timings.Add(new(PlainSum, Harness.Measure.PerCall(calls.Sum, options)));
        row.Timings.Add(new(Product, Harness.Measure.PerCall(calls.Product, options)));
        row.Timings.Add(new(Paper, Harness.Measure.PerCall(calls.Paper, options)));
        row.Timings.Add(new(AllGraphs, Harness.Measure.PerCall(calls.AllGraphs, options)));
        row.Timings.Add(new(RefitBenchmark.Paper, Harness.Measure.PerCall(calls.PaperRefit, options)));
        row.Timings.Add(new(RefitBenchmark.AllGraphs, Harness.Measure.PerCall(calls.AllGraphsRefit, options)));
        row.Ratios.Add(new($"{Paper} / {PlainSum}", row[Paper].MedianSeconds / row[PlainSum].MedianSeconds, 10));
        row.Ratios.Add(new($"{AllGraphs} / {Product}", row[AllGraphs].MedianSeconds / row[Product].MedianSeconds, 20));
        RefitBenchmark.AddRatios(row);
        return row;
    }

    // The measured calls for one size, with their inputs and outputs.
    private sealed class Calls
    {
        private readonly double[] matrix;
        private readonly double[] product;
        private readonly double[] values;
        private readonly double[] scratch;
        public Calls(int n, EnsembleAnalyzer paperAnalyzer, EnsembleAnalyzer allGraphsAnalyzer)
        {
            N = n;
            var catalog = allGraphsAnalyzer.Catalogue;
            var random = new Random(n);
            double bound = 1 / Math.Sqrt(n);
            matrix = Enumerable.Range(0, n * n).Select(_ => bound * (2 * random.NextDouble() - 1)).ToArray();
            product = new double[n * n];
            values = new double[catalog.Count];
            scratch = new double[catalog.ScratchLength(n)];
            Sum = () => values[0] = TensorPrimitives.Sum<double>(matrix);
            Product = () => MatrixProduct.Multiply(matrix, matrix, product, n, n, n);
            Paper = () => PaperInvariants.Compute(matrix, n, values, scratch);
            AllGraphs = () => catalog.Compute(matrix, n, values, scratch);
            PaperRefit = RefitBenchmark.Call(paperAnalyzer, n, random);
            AllGraphsRefit = RefitBenchmark.Call(allGraphsAnalyzer, n, random);
        }

        public int N { get; }

        public Action Sum { get; }

        public Action Product { get; }

        public Action Paper { get; }

        public Action AllGraphs { get; }

        public Action PaperRefit { get; }

        public Action AllGraphsRefit { get; }

        public IEnumerable<Action> All => [Sum, Product, Paper, AllGraphs, PaperRefit, AllGraphsRefit];
    }
}
