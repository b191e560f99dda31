namespace OrleansPigmm.Mathematics.Graphs.Evaluation;

/// <summary>What a node of an evaluation plan computes; operands are node ids (First, Second, Third).</summary>
internal enum PlanNodeKind : byte
{
    /// <summary>Matrix: the input W.</summary>
    Input,

    /// <summary>Matrix: First^T.</summary>
    Transpose,

    /// <summary>Matrix: First o Second (entrywise).</summary>
    MatrixHadamard,

    /// <summary>Matrix: First Second (the O(n^3) step).</summary>
    MatrixProduct,

    /// <summary>Matrix: diag(Second) First, i.e. row z of First times Second[z].</summary>
    ScaleRows,

    /// <summary>Vector: all ones.</summary>
    Ones,

    /// <summary>Vector: the diagonal of First.</summary>
    Diagonal,

    /// <summary>Vector: First o Second.</summary>
    VectorHadamard,

    /// <summary>Vector: y[x] = sum_z First[z][x] Second[z] (First^T Second), batched per matrix.</summary>
    ColumnMatVec,

    /// <summary>Vector: y[x] = sum_z First[z][x] Second[z][x] Third[z], the column matrix-vector
    /// product with an entrywise product of matrices that is not formed.</summary>
    HadamardMatVec,

    /// <summary>Scalar: First . Second (a sum when one is the ones vector).</summary>
    Dot,

    /// <summary>Scalar: sum of all entries of First o Second.</summary>
    Frobenius,

    /// <summary>Scalar: First * Second.</summary>
    ScalarProduct,
}

/// <summary>The three sizes of values a plan node can hold.</summary>
internal enum PlanValueShape : byte
{
    /// <summary>n x n, row-major.</summary>
    Matrix,

    /// <summary>n entries.</summary>
    Vector,

    /// <summary>One number.</summary>
    Scalar,
}

/// <summary>One operation of an evaluation plan; equal nodes are the same computation, so the
/// builder keeps one of each.</summary>
internal readonly record struct PlanNode(PlanNodeKind Kind, int First, int Second, int Third = -1)
{
    /// <summary>The operand ids, in order.</summary>
    public IEnumerable<int> Operands => new[] { First, Second, Third }.Where(operand => operand >= 0);

    /// <summary>The size of the value the node produces.</summary>
    public PlanValueShape Shape => Kind switch
    {
        <= PlanNodeKind.ScaleRows => PlanValueShape.Matrix,
        <= PlanNodeKind.HadamardMatVec => PlanValueShape.Vector,
        _ => PlanValueShape.Scalar,
    };

    /// <summary>Whether First and Second may be swapped without changing the value.</summary>
    public bool IsSymmetric => Kind is PlanNodeKind.MatrixHadamard or PlanNodeKind.VectorHadamard
        or PlanNodeKind.Dot or PlanNodeKind.Frobenius or PlanNodeKind.ScalarProduct;
}
