using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OrleansPigmm.Mathematics.Kernels;

namespace OrleansPigmm.Mathematics.Graphs.Evaluation;

/// <summary>
/// A compiled list of operations that evaluates many graph invariants of one matrix, sharing
/// every common intermediate. Values live in one scratch arena laid out for the matrix size n:
/// matrix slots (n^2 each, reused once their last reader has run), vector slots (n each),
/// a staging area for batched matrix-vector products, then scalars.
/// </summary>
/// <remarks>
/// Operations run in stages: stage s holds the matrix-vector products whose inputs come from
/// earlier stages, run as one matrix product per matrix (the input vectors stacked as rows),
/// followed by everything else that depends on them, grouped by kind as far as dependencies
/// allow so that each group runs as one tight loop. Execution order and every reduction order
/// depend only on the plan, n and the SIMD width, so results are deterministic.
/// </remarks>
internal sealed class EvaluationPlan
{
    private readonly PlanStep[] steps;
    private readonly PlanItem[] items;
    private readonly int[] outputs;

    // Whether output k is scalar slot k for every k (no graph repeated).
    private readonly bool outputsLead;

    private EvaluationPlan(PlanStep[] steps, PlanItem[] items, int[] outputs, int matrixSlots, int vectorSlots, int stagingVectors, int scalarSlots)
    {
        this.steps = steps;
        this.items = items;
        this.outputs = outputs;
        outputsLead = outputs.Select((slot, index) => slot == index).All(leads => leads);
        MatrixSlots = matrixSlots;
        VectorSlots = vectorSlots;
        StagingVectors = stagingVectors;
        ScalarSlots = scalarSlots;
        MatrixProducts = steps.Where(s => s.Kind == PlanNodeKind.MatrixProduct).Sum(s => s.Count);
    }

    /// <summary>n x n matrices held at once.</summary>
    public int MatrixSlots { get; }

    /// <summary>Vectors of length n held.</summary>
    public int VectorSlots { get; }

    /// <summary>Rows of the staging area for batched matrix-vector products.</summary>
    public int StagingVectors { get; }

    /// <summary>Scalars held.</summary>
    public int ScalarSlots { get; }

    /// <summary>Number of n x n x n matrix products per evaluation.</summary>
    public int MatrixProducts { get; }

    /// <summary>Doubles of scratch for size n.</summary>
    public long ScratchLength(int n) => (long)MatrixSlots * n * n + (long)(VectorSlots + StagingVectors) * n + ScalarSlots;

    /// <summary>Schedules the nodes of <paramref name="builder"/> that the output scalars need.</summary>
    public static EvaluationPlan Compile(PlanBuilder builder, IReadOnlyList<int> outputNodes)
    {
        var nodes = FuseSingleUseHadamards(builder.Nodes);
        var groups = Schedule(nodes, outputNodes);
        var lastUse = new Dictionary<int, int>();
        for (int position = 0; position < groups.Count; position++)
        {
            foreach (int operand in groups[position].SelectMany(node => nodes[node].Operands))
            {
                lastUse[operand] = position;
            }
        }

        var slot = new Dictionary<int, int>();
        var freeMatrices = new SortedSet<int>();
        int matrixSlots = 0, vectorSlots = 0, scalarSlots = 0, staging = 0;
        // The outputs take the first scalar slots, in order, so that they are copied out as a block.
        foreach (int output in outputNodes)
        {
            slot.TryAdd(output, scalarSlots++);
        }
        var steps = new List<PlanStep>();
        var items = new List<PlanItem>();
        for (int position = 0; position < groups.Count; position++)
        {
            var group = groups[position];
            foreach (int node in group.Where(node => !slot.ContainsKey(node)))
            {
                slot[node] = nodes[node].Shape switch
                {
                    PlanValueShape.Matrix => TakeMatrixSlot(freeMatrices, ref matrixSlots),
                    PlanValueShape.Vector => vectorSlots++,
                    _ => scalarSlots++,
                };
            }
            var kind = nodes[group[0]].Kind;
            bool gather = false;
            if (kind == PlanNodeKind.ColumnMatVec)
            {
                var inputs = group.Select(g => slot[nodes[g].Second]).ToArray();
                gather = inputs.Select((s, i) => s - i).Distinct().Count() > 1;
                staging = gather ? Math.Max(staging, inputs.Length) : staging;
            }
            steps.Add(new PlanStep(kind, items.Count, group.Count, gather));
            items.AddRange(group.Select(node => new PlanItem(slot[node], SlotOf(nodes[node].First), SlotOf(nodes[node].Second), SlotOf(nodes[node].Third))));
            foreach (int operand in group.SelectMany(node => nodes[node].Operands))
            {
                if (lastUse[operand] == position && nodes[operand].Shape == PlanValueShape.Matrix)
                {
                    freeMatrices.Add(slot[operand]);
                }
            }
        }
        return new EvaluationPlan([.. steps], [.. items], outputNodes.Select(o => slot[o]).ToArray(), matrixSlots, vectorSlots, staging, scalarSlots);

        int SlotOf(int node) => node < 0 ? -1 : slot[node];
    }

    /// <summary>
    /// Evaluates every output for the n x n row-major <paramref name="matrix"/> (double or float)
    /// into destination[0..outputs); scratch holds <see cref="ScratchLength"/>(n) doubles.
    /// </summary>
    public void Execute<T>(ReadOnlySpan<T> matrix, int n, Span<double> destination, Span<double> scratch)
        where T : unmanaged
    {
        var arena = new Arena(scratch, n, this);
        foreach (ref readonly var step in steps.AsSpan())
        {
            var batch = items.AsSpan(step.Start, step.Count);
            switch (step.Kind)
            {
                case PlanNodeKind.Input:
                    MatrixInput.CopyAsDouble(matrix, arena.Matrix(batch[0].Output));
                    break;
                case PlanNodeKind.Ones:
                    arena.Vector(batch[0].Output).Fill(1);
                    break;
                case PlanNodeKind.ColumnMatVec:
                    ColumnMatVecs(batch, step.Gather, in arena);
                    break;
                case PlanNodeKind.Dot:
                    Dots(batch, arena.VectorRegion, n, arena.Scalars);
                    break;
                case PlanNodeKind.Frobenius:
                    Dots(batch, arena.MatrixRegion, n * n, arena.Scalars);
                    break;
                case PlanNodeKind.ScalarProduct:
                    foreach (ref readonly var item in batch)
                    {
                        arena.Scalars[item.Output] = arena.Scalars[item.First] * arena.Scalars[item.Second];
                    }
                    break;
                default:
                    foreach (ref readonly var item in batch)
                    {
                        RunArrayOperation(step.Kind, in item, in arena);
                    }
                    break;
            }
        }
        if (outputsLead)
        {
            arena.Scalars[..outputs.Length].CopyTo(destination);
        }
        else
        {
            for (int o = 0; o < outputs.Length; o++)
            {
                destination[o] = arena.Scalars[outputs[o]];
            }
        }
    }

    // Dot products of pairs of equally long slots of one region.
    private static void Dots(ReadOnlySpan<PlanItem> batch, Span<double> region, int length, Span<double> scalars)
    {
        ref double origin = ref MemoryMarshal.GetReference(region);
        foreach (ref readonly var item in batch)
        {
            scalars[item.Output] = VectorKernels.Dot(in Unsafe.Add(ref origin, (nint)item.First * length),
                in Unsafe.Add(ref origin, (nint)item.Second * length), length);
        }
    }

    private static void RunArrayOperation(PlanNodeKind kind, ref readonly PlanItem item, ref readonly Arena arena)
    {
        int n = arena.N;
        switch (kind)
        {
            case PlanNodeKind.Transpose:
                MatrixTranspose.Transpose(arena.Matrix(item.First), arena.Matrix(item.Output), n);
                break;
            case PlanNodeKind.MatrixHadamard:
                TensorPrimitives.Multiply(arena.Matrix(item.First), arena.Matrix(item.Second), arena.Matrix(item.Output));
                break;
            case PlanNodeKind.MatrixProduct:
                MatrixProduct.MultiplyUnchecked(arena.Matrix(item.First), arena.Matrix(item.Second), arena.Matrix(item.Output), n, n, n);
                break;
            case PlanNodeKind.ScaleRows:
                ScaleRows(arena.Matrix(item.First), arena.Vector(item.Second), arena.Matrix(item.Output), n);
                break;
            case PlanNodeKind.Diagonal:
                CopyDiagonal(arena.Matrix(item.First), arena.Vector(item.Output), n);
                break;
            case PlanNodeKind.HadamardMatVec:
                VectorKernels.WeightedColumnSums(arena.Matrix(item.First), arena.Matrix(item.Second), arena.Vector(item.Third), arena.Vector(item.Output), n);
                break;
            default:
                VectorKernels.Multiply(arena.Vector(item.First), arena.Vector(item.Second), arena.Vector(item.Output));
                break;
        }
    }

    // The batch's input vectors stacked as rows (gathered into staging unless their slots are
    // consecutive) times the common matrix: row k of the result, a run of consecutive vector
    // slots, is (M^T v_k)^T.
    private static void ColumnMatVecs(ReadOnlySpan<PlanItem> batch, bool gather, ref readonly Arena arena)
    {
        int n = arena.N;
        ReadOnlySpan<double> stacked;
        if (gather)
        {
            for (int k = 0; k < batch.Length; k++)
            {
                arena.Vector(batch[k].Second).CopyTo(arena.Staging.Slice(k * n, n));
            }
            stacked = arena.Staging[..(batch.Length * n)];
        }
        else
        {
            stacked = arena.Vectors(batch[0].Second, batch.Length);
        }
        MatrixProduct.MultiplyUnchecked(stacked, arena.Matrix(batch[0].First), arena.Vectors(batch[0].Output, batch.Length), batch.Length, n, n);
    }

    private static void ScaleRows(ReadOnlySpan<double> matrix, ReadOnlySpan<double> weights, Span<double> destination, int n)
    {
        for (int z = 0; z < n; z++)
        {
            TensorPrimitives.Multiply(matrix.Slice(z * n, n), weights[z], destination.Slice(z * n, n));
        }
    }

    private static void CopyDiagonal(ReadOnlySpan<double> matrix, Span<double> destination, int n)
    {
        for (int i = 0; i < n; i++)
        {
            destination[i] = matrix[i * (n + 1)];
        }
    }

    private static int TakeMatrixSlot(SortedSet<int> free, ref int count)
    {
        if (free.Count == 0)
        {
            return count++;
        }
        int slot = free.Min;
        free.Remove(slot);
        return slot;
    }

    // A matrix-vector product with an entrywise product of matrices that nothing else reads
    // becomes one pass over the two factors: the product is never formed.
    private static List<PlanNode> FuseSingleUseHadamards(IReadOnlyList<PlanNode> nodes)
    {
        var readers = nodes.SelectMany(node => node.Operands).CountBy(operand => operand).ToDictionary();
        return nodes.Select(node =>
        {
            if (node.Kind != PlanNodeKind.ColumnMatVec || readers[node.First] != 1)
            {
                return node;
            }
            var matrix = nodes[node.First];
            return matrix.Kind == PlanNodeKind.MatrixHadamard
                ? new PlanNode(PlanNodeKind.HadamardMatVec, matrix.First, matrix.Second, node.Second)
                : node;
        }).ToList();
    }

    // Groups of nodes of one kind, in execution order. Stage s (the number of matrix-vector
    // products on the longest path from the input) starts with its matrix-vector products, one
    // group per matrix; its other nodes follow in a topological order that takes, among the
    // nodes whose operands are done, those of the kind that comes first in PlanNodeKind (then
    // by construction order), and runs of one kind become one group.
    private static List<List<int>> Schedule(List<PlanNode> nodes, IReadOnlyList<int> outputNodes)
    {
        var needed = new bool[nodes.Count];
        var pending = new Stack<int>(outputNodes);
        while (pending.Count > 0)
        {
            int node = pending.Pop();
            if (!needed[node])
            {
                needed[node] = true;
                foreach (int operand in nodes[node].Operands)
                {
                    pending.Push(operand);
                }
            }
        }
        var stage = new int[nodes.Count];
        for (int node = 0; node < nodes.Count; node++)
        {
            int deepest = nodes[node].Operands.Select(o => stage[o]).DefaultIfEmpty(0).Max();
            stage[node] = deepest + (nodes[node].Kind == PlanNodeKind.ColumnMatVec ? 1 : 0);
        }
        var groups = new List<List<int>>();
        var done = new bool[nodes.Count];
        foreach (var inStage in Enumerable.Range(0, nodes.Count).Where(n => needed[n]).GroupBy(n => stage[n]).OrderBy(g => g.Key))
        {
            foreach (var batch in inStage.Where(n => nodes[n].Kind == PlanNodeKind.ColumnMatVec).GroupBy(n => nodes[n].First).OrderBy(g => g.Key))
            {
                groups.Add(batch.ToList());
                batch.ToList().ForEach(n => done[n] = true);
            }
            var ready = new PriorityQueue<int, (PlanNodeKind, int)>();
            var waiting = inStage.Where(n => !done[n]).ToList();
            var remaining = waiting.ToDictionary(n => n, n => nodes[n].Operands.Count(o => !done[o]));
            var users = waiting.SelectMany(n => nodes[n].Operands.Where(o => !done[o]).Select(o => (Operand: o, User: n)))
                .ToLookup(pair => pair.Operand, pair => pair.User);
            waiting.Where(n => remaining[n] == 0).ToList().ForEach(n => ready.Enqueue(n, (nodes[n].Kind, n)));
            while (ready.TryDequeue(out int node, out _))
            {
                if (groups.Count == 0 || nodes[groups[^1][0]].Kind != nodes[node].Kind || nodes[node].Kind <= PlanNodeKind.Ones)
                {
                    groups.Add([]);
                }
                groups[^1].Add(node);
                done[node] = true;
                foreach (int user in users[node])
                {
                    if (--remaining[user] == 0)
                    {
                        ready.Enqueue(user, (nodes[user].Kind, user));
                    }
                }
            }
        }
        return groups;
    }
}

/// <summary>A run of nodes of one kind, executed as one loop: items[Start .. Start + Count).
/// For matrix-vector products, all items share one matrix and write consecutive vector slots;
/// Gather says whether their input slots must be gathered first.</summary>
internal readonly record struct PlanStep(PlanNodeKind Kind, int Start, int Count, bool Gather);

/// <summary>One node with its value and operands resolved to slots of their shapes.</summary>
internal readonly record struct PlanItem(int Output, int First, int Second, int Third);

/// <summary>The scratch arena of one evaluation, cut into the plan's regions for size n.</summary>
internal readonly ref struct Arena
{
    private readonly Span<double> matrices;
    private readonly Span<double> vectors;

    /// <summary>Cuts <paramref name="scratch"/> into the regions of <paramref name="plan"/>.</summary>
    public Arena(Span<double> scratch, int n, EvaluationPlan plan)
    {
        N = n;
        int nn = n * n;
        int vectorStart = plan.MatrixSlots * nn, stagingStart = vectorStart + plan.VectorSlots * n;
        int scalarStart = stagingStart + plan.StagingVectors * n;
        matrices = scratch[..vectorStart];
        vectors = scratch[vectorStart..stagingStart];
        Staging = scratch[stagingStart..scalarStart];
        Scalars = scratch.Slice(scalarStart, plan.ScalarSlots);
    }

    /// <summary>The matrix size.</summary>
    public int N { get; }

    /// <summary>Rows for gathering the inputs of a batched matrix-vector product.</summary>
    public Span<double> Staging { get; }

    /// <summary>Scalar slots.</summary>
    public Span<double> Scalars { get; }

    /// <summary>All matrix slots, slot i at i n^2.</summary>
    public Span<double> MatrixRegion => matrices;

    /// <summary>All vector slots, slot i at i n.</summary>
    public Span<double> VectorRegion => vectors;

    /// <summary>Matrix slot <paramref name="index"/>.</summary>
    public Span<double> Matrix(int index) => matrices.Slice(index * N * N, N * N);

    /// <summary>Vector slot <paramref name="index"/>.</summary>
    public Span<double> Vector(int index) => vectors.Slice(index * N, N);

    /// <summary><paramref name="count"/> consecutive vector slots from <paramref name="first"/>.</summary>
    public Span<double> Vectors(int first, int count) => vectors.Slice(first * N, count * N);
}
