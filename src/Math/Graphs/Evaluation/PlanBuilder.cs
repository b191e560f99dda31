namespace OrleansPigmm.Mathematics.Graphs.Evaluation;

/// <summary>
/// Collects the operations needed by a list of graphs, keeping one node per distinct
/// computation, so that intermediates shared by several graphs (row and column sums, matrix
/// powers, entrywise powers) are computed once per matrix.
/// </summary>
internal sealed class PlanBuilder
{
    private readonly List<PlanNode> nodes = [];
    private readonly Dictionary<PlanNode, int> ids = [];
    private readonly Dictionary<(int Forward, int Backward), int> monomials = [];
    private readonly Dictionary<int, (int Forward, int Backward)> monomialOf = [];

    /// <summary>Starts with the input matrix W (node 0) and the all-ones vector.</summary>
    public PlanBuilder()
    {
        Input = Add(PlanNodeKind.Input);
        Ones = Add(PlanNodeKind.Ones);
        monomials[(1, 0)] = Input;
        monomialOf[Input] = (1, 0);
    }

    /// <summary>The node of W.</summary>
    public int Input { get; }

    /// <summary>The node of the all-ones vector.</summary>
    public int Ones { get; }

    /// <summary>The nodes so far, operands before their users.</summary>
    public IReadOnlyList<PlanNode> Nodes => nodes;

    /// <summary>The node computing <paramref name="kind"/> of the operands, added if new.</summary>
    public int Add(PlanNodeKind kind, int first = -1, int second = -1)
    {
        var node = new PlanNode(kind, first, second);
        if (node.IsSymmetric && second < first)
        {
            node = new PlanNode(kind, second, first);
        }
        if (!ids.TryGetValue(node, out int id))
        {
            id = nodes.Count;
            nodes.Add(node);
            ids[node] = id;
        }
        return id;
    }

    /// <summary>The entrywise monomial W^(o forward) o (W^T)^(o backward), forward + backward &gt;= 1:
    /// the matrix from x to y of forward edges x -&gt; y and backward edges y -&gt; x.</summary>
    public int Monomial(int forward, int backward)
    {
        if (monomials.TryGetValue((forward, backward), out int id))
        {
            return id;
        }
        id = forward + backward == 1 ? Add(PlanNodeKind.Transpose, Input)
            : forward >= backward ? Add(PlanNodeKind.MatrixHadamard, Monomial(forward - 1, backward), Input)
            : Add(PlanNodeKind.MatrixHadamard, Monomial(forward, backward - 1), Monomial(0, 1));
        monomials[(forward, backward)] = id;
        monomialOf[id] = (forward, backward);
        return id;
    }

    /// <summary>The transpose of a matrix node (a monomial with its exponents swapped, the operand
    /// of a transpose, or a new transpose).</summary>
    public int Transposed(int matrix)
    {
        if (monomialOf.TryGetValue(matrix, out var exponents))
        {
            return Monomial(exponents.Backward, exponents.Forward);
        }
        var node = nodes[matrix];
        if (node.Kind == PlanNodeKind.Transpose)
        {
            return node.First;
        }
        // A A^T is symmetric.
        bool symmetric = node.Kind == PlanNodeKind.MatrixProduct && monomialOf.TryGetValue(node.First, out var left)
            && monomialOf.TryGetValue(node.Second, out var right) && left == (right.Backward, right.Forward);
        return symmetric ? matrix : Add(PlanNodeKind.Transpose, matrix);
    }

    /// <summary>Whether a matrix node is W^T or another monomial with more backward than forward
    /// factors, or an explicit transpose: the orientation to avoid when there is a choice.</summary>
    public bool IsBackward(int matrix) =>
        monomialOf.TryGetValue(matrix, out var exponents) ? exponents.Backward > exponents.Forward
            : nodes[matrix].Kind == PlanNodeKind.Transpose;

    /// <summary>The entrywise product of vectors (the ones vector when empty), built left to right
    /// over the ids in ascending order so that common prefixes are shared.</summary>
    public int VectorProduct(IReadOnlyList<int> factors)
    {
        if (factors.Count == 0)
        {
            return Ones;
        }
        var sorted = factors.Order().ToArray();
        int product = sorted[0];
        for (int f = 1; f < sorted.Length; f++)
        {
            product = Add(PlanNodeKind.VectorHadamard, product, sorted[f]);
        }
        return product;
    }

    /// <summary>The sum of the entrywise product of vectors: n for none, a sum, a dot product,
    /// or the dot product of the last factor with the product of the others.</summary>
    public int SumOfProduct(IReadOnlyList<int> factors)
    {
        var sorted = factors.Order().ToArray();
        return sorted.Length switch
        {
            0 => Add(PlanNodeKind.Dot, Ones, Ones),
            1 => Add(PlanNodeKind.Dot, sorted[0], Ones),
            _ => Add(PlanNodeKind.Dot, VectorProduct(sorted[..^1]), sorted[^1]),
        };
    }

    /// <summary>The product of scalars, left to right over ascending ids.</summary>
    public int ScalarProduct(IEnumerable<int> factors)
    {
        var sorted = factors.Order().ToArray();
        int product = sorted[0];
        for (int f = 1; f < sorted.Length; f++)
        {
            product = Add(PlanNodeKind.ScalarProduct, product, sorted[f]);
        }
        return product;
    }
}
