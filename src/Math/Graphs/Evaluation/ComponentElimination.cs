namespace OrleansPigmm.Mathematics.Graphs.Evaluation;

/// <summary>
/// The elimination of pigmm-math.md section 5.3 for one connected graph, recorded as plan nodes:
/// loops fold into vertex weights (factors d), parallel edges into one entrywise monomial per
/// vertex pair, degree-1 vertices are summed into their neighbour (a matrix-vector product),
/// degree-2 vertices into a matrix product between their neighbours, until one or two vertices
/// remain.
/// </summary>
/// <remarks>
/// Choices are made so that results are shared between graphs: leaves with the simplest weights
/// go first, degree-2 vertices without weights and with single edges are preferred (their
/// product is one of W W, W W^T, W^T W, whose transpose (W W)^T = W^T W^T is never formed by a
/// product), and the final matrix-vector product takes the simpler of the two end vectors.
/// </remarks>
internal sealed class ComponentElimination
{
    private readonly PlanBuilder plan;
    private readonly int vertexCount;
    private readonly bool[] alive;
    private readonly List<int>[] weights;
    private readonly int[] weightDegree;
    private readonly Dictionary<(int Lower, int Upper), PairEdge> edges = [];

    private ComponentElimination(PlanBuilder plan, InvariantGraph component)
    {
        this.plan = plan;
        vertexCount = component.VertexCount;
        alive = Enumerable.Repeat(true, vertexCount).ToArray();
        weights = Enumerable.Range(0, vertexCount).Select(_ => new List<int>()).ToArray();
        weightDegree = new int[vertexCount];
        int diagonal = plan.Add(PlanNodeKind.Diagonal, plan.Input);
        for (int e = 0; e < component.Degree; e++)
        {
            var (tail, head) = component.Edge(e);
            if (tail == head)
            {
                weights[tail].Add(diagonal);
                weightDegree[tail]++;
                continue;
            }
            var edge = EdgeBetween(tail, head);
            if (tail == edge.Lower)
            {
                edge.Forward++;
            }
            else
            {
                edge.Backward++;
            }
        }
    }

    /// <summary>The scalar node of a connected graph's invariant.</summary>
    /// <exception cref="ArgumentException">Every remaining vertex has three or more neighbours.</exception>
    public static int Evaluate(PlanBuilder plan, InvariantGraph component) =>
        new ComponentElimination(plan, component).Run(component);

    private int Run(InvariantGraph component)
    {
        while (true)
        {
            var remaining = Enumerable.Range(0, vertexCount).Where(v => alive[v]).ToArray();
            if (remaining.Length == 1)
            {
                return plan.SumOfProduct(weights[remaining[0]]);
            }
            if (remaining.Length == 2)
            {
                return FinalPair(remaining[0], remaining[1]);
            }
            var leaf = remaining.Where(v => Neighbours(v).Count == 1)
                .OrderBy(v => weights[v].Count).ThenBy(v => weightDegree[v]).ThenBy(v => v)
                .Select(v => (int?)v).FirstOrDefault();
            if (leaf is int z)
            {
                SumOutLeaf(z);
                continue;
            }
            var middle = remaining.Where(v => Neighbours(v).Count == 2)
                .OrderBy(v => weights[v].Count).ThenBy(v => Neighbours(v).Count(x => !EdgeBetween(v, x).IsSingleEdge))
                .ThenBy(v => Neighbours(v).Sum(x => EdgeBetween(v, x).Degree)).ThenBy(v => v)
                .Select(v => (int?)v).FirstOrDefault();
            if (middle is not int m)
            {
                throw new ArgumentException(
                    $"Graph '{component.Spec}' cannot be evaluated by elimination: every remaining vertex has three or more neighbours (pigmm-math.md section 5.3).",
                    nameof(component));
            }
            SumOutMiddle(m);
        }
    }

    private List<int> Neighbours(int v)
    {
        var result = new List<int>(2);
        foreach (var key in edges.Keys)
        {
            if (key.Lower == v)
            {
                result.Add(key.Upper);
            }
            else if (key.Upper == v)
            {
                result.Add(key.Lower);
            }
        }
        return result;
    }

    private PairEdge EdgeBetween(int x, int y)
    {
        var key = (Math.Min(x, y), Math.Max(x, y));
        if (!edges.TryGetValue(key, out var edge))
        {
            edge = new PairEdge(key.Item1, key.Item2);
            edges[key] = edge;
        }
        return edge;
    }

    // Weight of x times sum_z M[z][x] w[z]: the matrix oriented with the leaf as row.
    private void SumOutLeaf(int leaf)
    {
        int neighbour = Neighbours(leaf)[0];
        var edge = EdgeBetween(leaf, neighbour);
        int vector = plan.Add(PlanNodeKind.ColumnMatVec, EdgeMatrix(edge, leaf), plan.VectorProduct(weights[leaf]));
        weights[neighbour].Add(vector);
        weightDegree[neighbour] += weightDegree[leaf] + edge.Degree;
        Remove(leaf, edge);
    }

    // New x-y factor A diag(w) B with A[x][z], B[z][y].
    private void SumOutMiddle(int middle)
    {
        var neighbours = Neighbours(middle);
        int x = neighbours[0], y = neighbours[1];
        var toX = EdgeBetween(x, middle);
        var toY = EdgeBetween(middle, y);
        int left = EdgeMatrix(toX, x), right = EdgeMatrix(toY, middle);
        int product, row;
        if (weights[middle].Count > 0)
        {
            right = plan.Add(PlanNodeKind.ScaleRows, right, plan.VectorProduct(weights[middle]));
            (product, row) = (plan.Add(PlanNodeKind.MatrixProduct, left, right), x);
        }
        else if (toX.IsMonomial && toY.IsMonomial && plan.IsBackward(left) && plan.IsBackward(right))
        {
            // (A B)^T = B^T A^T: keep the product between forward monomials, rows indexed by y.
            (product, row) = (plan.Add(PlanNodeKind.MatrixProduct, plan.Transposed(right), plan.Transposed(left)), y);
        }
        else
        {
            (product, row) = (plan.Add(PlanNodeKind.MatrixProduct, left, right), x);
        }
        var joined = EdgeBetween(x, y);
        joined.Matrices.Add((product, row));
        Remove(middle, toX);
        Remove(middle, toY);
    }

    private int FinalPair(int x, int y)
    {
        var edge = EdgeBetween(x, y);
        if (weights[x].Count == 0 && weights[y].Count == 0)
        {
            return SumOfEdge(edge);
        }
        // The matrix-vector product takes the simpler end vector, which other graphs share more often.
        bool fromX = (weights[x].Count, weightDegree[x], x).CompareTo((weights[y].Count, weightDegree[y], y)) < 0;
        int input = fromX ? x : y, output = fromX ? y : x;
        int vector = plan.Add(PlanNodeKind.ColumnMatVec, EdgeMatrix(edge, input), plan.VectorProduct(weights[input]));
        return plan.SumOfProduct([.. weights[output], vector]);
    }

    // Sum of all entries of the edge's matrix: a Frobenius product of two factors where possible,
    // so that no entrywise product is formed only to be summed.
    private int SumOfEdge(PairEdge edge)
    {
        var factors = new List<int>();
        int row = edge.Matrices.Count > 0 ? edge.Matrices[0].Row : edge.Lower;
        foreach (var (matrix, matrixRow) in edge.Matrices)
        {
            factors.Add(matrixRow == row ? matrix : plan.Transposed(matrix));
        }
        if (edge.IsMonomial)
        {
            // Sum of entries is unchanged by transposition: use the orientation with more forward factors.
            int forward = Math.Max(edge.Forward, edge.Backward), backward = Math.Min(edge.Forward, edge.Backward);
            if (forward + backward == 1)
            {
                factors.Add(plan.Input);
            }
            else
            {
                factors.Add(plan.Monomial((forward + 1) / 2, backward / 2));
                factors.Add(plan.Monomial(forward / 2, (backward + 1) / 2));
            }
        }
        else if (edge.Forward + edge.Backward > 0)
        {
            factors.Add(row == edge.Lower ? plan.Monomial(edge.Forward, edge.Backward) : plan.Monomial(edge.Backward, edge.Forward));
        }
        if (factors.Count == 1)
        {
            return plan.SumOfProduct([plan.Add(PlanNodeKind.ColumnMatVec, factors[0], plan.Ones)]);
        }
        int rest = factors[0];
        for (int f = 1; f < factors.Count - 1; f++)
        {
            rest = plan.Add(PlanNodeKind.MatrixHadamard, rest, factors[f]);
        }
        return plan.Add(PlanNodeKind.Frobenius, rest, factors[^1]);
    }

    // The entrywise product of all factors of an edge, oriented with row vertex `row`.
    private int EdgeMatrix(PairEdge edge, int row)
    {
        int? result = null;
        if (edge.Forward + edge.Backward > 0)
        {
            result = row == edge.Lower ? plan.Monomial(edge.Forward, edge.Backward) : plan.Monomial(edge.Backward, edge.Forward);
        }
        foreach (var (matrix, matrixRow) in edge.Matrices)
        {
            int oriented = matrixRow == row ? matrix : plan.Transposed(matrix);
            result = result is int r ? plan.Add(PlanNodeKind.MatrixHadamard, r, oriented) : oriented;
        }
        return result!.Value;
    }

    private void Remove(int vertex, PairEdge edge)
    {
        edges.Remove((edge.Lower, edge.Upper));
        alive[vertex] = Neighbours(vertex).Count > 0;
    }

    /// <summary>All edges between two vertices Lower &lt; Upper: Forward edges Lower -&gt; Upper and
    /// Backward edges Upper -&gt; Lower (an entrywise monomial), times matrices from eliminated
    /// vertices, each with the vertex indexing its rows.</summary>
    private sealed class PairEdge(int lower, int upper)
    {
        public int Lower { get; } = lower;

        public int Upper { get; } = upper;

        public int Forward { get; set; }

        public int Backward { get; set; }

        public List<(int Matrix, int Row)> Matrices { get; } = [];

        public bool IsMonomial => Matrices.Count == 0;

        public bool IsSingleEdge => IsMonomial && Forward + Backward == 1;

        public int Degree => Forward + Backward + Matrices.Count;
    }
}
