using ILGPU;

namespace OrleansPigmm.Training.Gpu;

/// <summary>
/// The network, the data and the memory of one ensemble on the device, as the kernels see them.
/// Conventions: weights are [out][in] (PyTorch's layout, the checkpoints'); replica slot s owns
/// <c>Weights[s·Parameters ..]</c> (layer l from <c>WeightOffsets[l]</c>), likewise the moments and
/// the gradients, and <c>Activations[s·ActivationStride ..]</c> holds, per layer l from
/// <c>ActivationOffsets[l]</c>, one row of <c>LayerOutputs[l]</c> values per sample of the batch
/// (after ReLU for hidden layers, logits for the last), as <c>Deltas</c> holds the loss's gradients
/// with respect to the layers' pre-activations. Inputs are the dataset's sparse rows: x = x0 + s,
/// with x0 = <see cref="Baseline"/> for every pixel and s nonzero only where the pixel is.
/// </summary>
internal struct EnsembleViews
{
    public int Layers;
    public int Parameters;
    public int ActivationStride;
    public int BatchCapacity;

    /// <summary>Dense layers of at least this many weights multiply through tiles in shared
    /// memory; smaller ones, one dot product per thread. Either way each value is summed in the
    /// same order, so the choice changes no bit.</summary>
    public int TiledFrom;

    public ArrayView<int> LayerInputs;
    public ArrayView<int> LayerOutputs;
    public ArrayView<int> WeightOffsets;
    public ArrayView<int> ActivationOffsets;

    public float Baseline;
    public ArrayView<float> Levels;

    public ArrayView<float> Weights;
    public ArrayView<float> FirstMoments;
    public ArrayView<float> SecondMoments;
    public ArrayView<float> Gradients;
    public ArrayView<float> Activations;
    public ArrayView<float> Deltas;

    /// <summary>Per slot, two rows of the first layer's outputs: x0 · Σ_j W0[o][j] (the dense
    /// part of the forward pass) and x0 · Σ_b δ0[b][o] (the dense part of the gradient).</summary>
    public ArrayView<float> DenseTerms;

    /// <summary>Per slot and sample of the batch, the sample's cross-entropy loss.</summary>
    public ArrayView<float> SampleLosses;
}

/// <summary>A split of a dataset on the device: compressed sparse rows as <c>SparseImages</c> holds them.</summary>
internal struct SparseRows
{
    public ArrayView<int> Offsets;

    /// <summary>Pixel index in bits 0-15, pixel value in bits 16-23.</summary>
    public ArrayView<uint> Entries;

    public ArrayView<byte> Labels;
}

/// <summary>What one epoch (or one gradient evaluation) of a set of replicas needs besides the ensemble.</summary>
internal struct EpochViews
{
    public EnsembleViews Ensemble;
    public SparseRows Data;

    /// <summary>The slot each group trains (group g trains <c>Slots[g]</c>).</summary>
    public ArrayView<int> Slots;

    /// <summary>Per slot, the rows of the epoch in the replica's order: <c>Order[s·Samples + k]</c>.</summary>
    public ArrayView<int> Order;

    public int Samples;
    public int BatchSize;
    public int Steps;

    /// <summary>1 for Adam, 0 for SGD.</summary>
    public int Adam;

    public float LearningRate;
    public float WeightDecay;
    public float Beta1;
    public float OneMinusBeta1;
    public float Beta2;
    public float OneMinusBeta2;
    public float Epsilon;

    /// <summary>Per slot and step of the epoch, Adam's lr / (1 - β1^t) and √(1 - β2^t), computed on the host in double precision as the CPU trainer does.</summary>
    public ArrayView<float> StepSizes;
    public ArrayView<float> Corrections;

    /// <summary>0 trains; 1 evaluates the loss and gradients of the first batch only, without updating (gradients then include the dense part).</summary>
    public int GradientsOnly;

    /// <summary>Out, per slot: the sum of the steps' mean losses, the steps taken, the loss of the step that diverged, and 1 if the loss became NaN or infinite, 2 if a weight did.</summary>
    public ArrayView<double> LossSums;
    public ArrayView<int> StepsTaken;
    public ArrayView<float> DivergedLosses;
    public ArrayView<int> Diverged;
}

/// <summary>What an evaluation of test accuracy needs besides the ensemble.</summary>
internal struct EvaluationViews
{
    public EnsembleViews Ensemble;
    public SparseRows Data;
    public ArrayView<int> Slots;

    /// <summary>0, 1, …, Count - 1: the rows in their stored order.</summary>
    public ArrayView<int> Rows;

    public int Count;

    /// <summary>Out, per slot: test images classified correctly.</summary>
    public ArrayView<int> Correct;
}

/// <summary>
/// The kernels: one group of threads per replica, which runs the replica's whole epoch (every
/// step: forward, loss, backward, optimiser) in one launch, its threads sharing each phase's work
/// and meeting at a barrier between phases. Every value is computed by one thread in a fixed
/// order (no atomics on floating-point values), so a replica's bits depend on neither the group
/// size, the other replicas, nor the run.
/// </summary>
internal static class EnsembleKernels
{
    /// <summary>Trains the replica of each group for one epoch, or (with <see cref="EpochViews.GradientsOnly"/>) evaluates one batch's loss and gradients.</summary>
    public static void TrainEpoch(EpochViews a)
    {
        var e = a.Ensemble;
        int slot = a.Slots[Grid.IdxX];
        var shared = SharedMemory.Allocate<float>(1);
        var tiles = Tiles.Allocate();
        double lossSum = 0;
        int steps = 0;
        int diverged = 0;
        for (int step = 0; step < a.Steps; step++)
        {
            int first = step * a.BatchSize;
            int batch = Math.Min(a.BatchSize, a.Samples - first);
            Forward(e, tiles, a.Data, a.Order, slot * a.Samples + first, batch, slot);
            Loss(e, a.Data, a.Order, slot * a.Samples + first, batch, slot);
            if (Group.IdxX == 0)
            {
                float sum = 0f;
                for (int i = 0; i < batch; i++)
                {
                    sum += e.SampleLosses[slot * e.BatchCapacity + i];
                }
                shared[0] = sum / batch;
            }
            Group.Barrier();
            float loss = shared[0];
            Group.Barrier();
            if (!IsFinite(loss))
            {
                diverged = 1;
                if (Group.IdxX == 0)
                {
                    a.DivergedLosses[slot] = loss;
                }
                break;
            }
            Backward(e, tiles, a.Data, a.Order, slot * a.Samples + first, batch, slot);
            if (a.GradientsOnly != 0)
            {
                AddDenseGradient(e, slot);
                lossSum = loss;
                steps = 1;
                break;
            }
            Update(a, e, slot, slot * a.Steps + step);
            lossSum += loss;
            steps++;
        }
        if (diverged == 0 && a.GradientsOnly == 0)
        {
            bool bad = false;
            for (int p = Group.IdxX; p < e.Parameters; p += Group.DimX)
            {
                bad |= !IsFinite(e.Weights[slot * e.Parameters + p]);
            }
            if (Group.BarrierOr(bad))
            {
                diverged = 2;
            }
        }
        if (Group.IdxX == 0)
        {
            a.LossSums[slot] = lossSum;
            a.StepsTaken[slot] = steps;
            a.Diverged[slot] = diverged;
        }
    }

    /// <summary>Counts the test images the replica of each group classifies correctly (the first largest logit is the prediction).</summary>
    public static void Evaluate(EvaluationViews a)
    {
        var e = a.Ensemble;
        int slot = a.Slots[Grid.IdxX];
        var tiles = Tiles.Allocate();
        int last = e.Layers - 1;
        int classes = e.LayerOutputs[last];
        int correct = 0;
        for (int first = 0; first < a.Count; first += e.BatchCapacity)
        {
            int batch = Math.Min(e.BatchCapacity, a.Count - first);
            Forward(e, tiles, a.Data, a.Rows, first, batch, slot);
            int logits = slot * e.ActivationStride + e.ActivationOffsets[last];
            for (int i = Group.IdxX; i < batch; i += Group.DimX)
            {
                int row = logits + i * classes;
                int best = 0;
                for (int c = 1; c < classes; c++)
                {
                    if (e.Activations[row + c] > e.Activations[row + best])
                    {
                        best = c;
                    }
                }
                correct += best == a.Data.Labels[a.Rows[first + i]] ? 1 : 0;
            }
            Group.Barrier();
        }
        if (correct != 0)
        {
            Atomic.Add(ref a.Correct[slot], correct);
        }
    }

    /// <summary>The batch's activations, layer by layer.</summary>
    private static void Forward(EnsembleViews e, Tiles tiles, SparseRows data, ArrayView<int> rows, int firstRow, int batch, int slot)
    {
        int weights = slot * e.Parameters;
        int activations = slot * e.ActivationStride;
        int inputs0 = e.LayerInputs[0];
        int outputs0 = e.LayerOutputs[0];
        int dense = slot * 2 * outputs0;
        for (int o = Group.IdxX; o < outputs0; o += Group.DimX)
        {
            float sum = 0f;
            for (int j = 0; j < inputs0; j++)
            {
                sum += e.Weights[weights + o * inputs0 + j];
            }
            e.DenseTerms[dense + o] = e.Baseline * sum;
        }
        Group.Barrier();
        for (int index = Group.IdxX; index < batch * outputs0; index += Group.DimX)
        {
            int i = index / outputs0;
            int o = index - i * outputs0;
            int row = rows[firstRow + i];
            float z = e.DenseTerms[dense + o];
            for (int k = data.Offsets[row]; k < data.Offsets[row + 1]; k++)
            {
                uint entry = data.Entries[k];
                z += e.Weights[weights + o * inputs0 + (int)(entry & 0xFFFF)] * e.Levels[(int)(entry >> 16)];
            }
            e.Activations[activations + e.ActivationOffsets[0] + index] = e.Layers == 1 ? z : Rectified(z);
        }
        Group.Barrier();
        for (int l = 1; l < e.Layers; l++)
        {
            int inputs = e.LayerInputs[l];
            int outputs = e.LayerOutputs[l];
            int w = weights + e.WeightOffsets[l];
            int below = activations + e.ActivationOffsets[l - 1];
            int here = activations + e.ActivationOffsets[l];
            int epilogue = l < e.Layers - 1 ? Rectify : Plain;
            // h[i][o] = Σ_k h_below[i][k] · W[o][k]
            if (inputs * outputs >= e.TiledFrom)
            {
                Tiled(tiles, e.Activations, below, inputs, 1, e.Weights, w, 1, inputs, batch, outputs, inputs, e.Activations, here, outputs, epilogue, e.Activations, 0);
                continue;
            }
            for (int index = Group.IdxX; index < batch * outputs; index += Group.DimX)
            {
                int i = index / outputs;
                int o = index - i * outputs;
                float z = 0f;
                for (int k = 0; k < inputs; k++)
                {
                    z += e.Activations[below + i * inputs + k] * e.Weights[w + o * inputs + k];
                }
                e.Activations[here + index] = epilogue == Rectify ? Rectified(z) : z;
            }
            Group.Barrier();
        }
    }

    /// <summary>Each sample's softmax cross-entropy and the gradient δ = (softmax - onehot) / batch of the last layer.</summary>
    private static void Loss(EnsembleViews e, SparseRows data, ArrayView<int> rows, int firstRow, int batch, int slot)
    {
        int last = e.Layers - 1;
        int classes = e.LayerOutputs[last];
        int logits = slot * e.ActivationStride + e.ActivationOffsets[last];
        float scale = 1f / batch;
        for (int i = Group.IdxX; i < batch; i += Group.DimX)
        {
            int row = logits + i * classes;
            float max = e.Activations[row];
            for (int c = 1; c < classes; c++)
            {
                max = MathF.Max(max, e.Activations[row + c]);
            }
            float sum = 0f;
            for (int c = 0; c < classes; c++)
            {
                float exponential = MathF.Exp(e.Activations[row + c] - max);
                e.Deltas[row + c] = exponential;
                sum += exponential;
            }
            int label = data.Labels[rows[firstRow + i]];
            e.SampleLosses[slot * e.BatchCapacity + i] = MathF.Log(sum) + max - e.Activations[row + label];
            float factor = scale / sum;
            for (int c = 0; c < classes; c++)
            {
                e.Deltas[row + c] *= factor;
            }
            e.Deltas[row + label] -= scale;
        }
        Group.Barrier();
    }

    /// <summary>Every layer's gradient (the first layer's sparse part, and its dense part in <see cref="EnsembleViews.DenseTerms"/>) and the deltas below each layer.</summary>
    private static void Backward(EnsembleViews e, Tiles tiles, SparseRows data, ArrayView<int> rows, int firstRow, int batch, int slot)
    {
        int weights = slot * e.Parameters;
        int activations = slot * e.ActivationStride;
        for (int l = e.Layers - 1; l >= 1; l--)
        {
            int inputs = e.LayerInputs[l];
            int outputs = e.LayerOutputs[l];
            int w = weights + e.WeightOffsets[l];
            int below = activations + e.ActivationOffsets[l - 1];
            int here = activations + e.ActivationOffsets[l];
            if (inputs * outputs >= e.TiledFrom)
            {
                // dW[o][k] = Σ_i δ[i][o] · h[i][k], then δ_below[i][k] = (Σ_o δ[i][o] · W[o][k]) · [h[i][k] > 0]
                Tiled(tiles, e.Deltas, here, 1, outputs, e.Activations, below, inputs, 1, outputs, inputs, batch, e.Gradients, w, inputs, Plain, e.Activations, 0);
                Tiled(tiles, e.Deltas, here, outputs, 1, e.Weights, w, inputs, 1, batch, inputs, outputs, e.Deltas, below, inputs, Gate, e.Activations, below);
                continue;
            }
            // dW[o][k] = Σ_i δ[i][o] · h[i][k]
            for (int index = Group.IdxX; index < outputs * inputs; index += Group.DimX)
            {
                int o = index / inputs;
                int k = index - o * inputs;
                float g = 0f;
                for (int i = 0; i < batch; i++)
                {
                    g += e.Deltas[here + i * outputs + o] * e.Activations[below + i * inputs + k];
                }
                e.Gradients[w + index] = g;
            }
            // δ_below[i][k] = (Σ_o δ[i][o] · W[o][k]) · [h[i][k] > 0]
            for (int index = Group.IdxX; index < batch * inputs; index += Group.DimX)
            {
                int i = index / inputs;
                int k = index - i * inputs;
                float d = 0f;
                for (int o = 0; o < outputs; o++)
                {
                    d += e.Deltas[here + i * outputs + o] * e.Weights[w + o * inputs + k];
                }
                e.Deltas[below + index] = e.Activations[below + index] > 0f ? d : 0f;
            }
            Group.Barrier();
        }
        int inputs0 = e.LayerInputs[0];
        int outputs0 = e.LayerOutputs[0];
        int first = activations + e.ActivationOffsets[0];
        int dense = slot * 2 * outputs0 + outputs0;
        // Thread (o, c) alone writes unit o's gradient over pixel range c, summing the samples in
        // order; rows list their pixels in ascending order, so each finds its range by bisection.
        int chunks = Math.Max(1, Group.DimX / outputs0);
        int span = (inputs0 + chunks - 1) / chunks;
        for (int index = Group.IdxX; index < outputs0 * chunks; index += Group.DimX)
        {
            int o = index / chunks;
            int low = (index - o * chunks) * span;
            int high = Math.Min(inputs0, low + span);
            int gradient = weights + o * inputs0;
            for (int j = low; j < high; j++)
            {
                e.Gradients[gradient + j] = 0f;
            }
            float deltaSum = 0f;
            for (int i = 0; i < batch; i++)
            {
                float d = e.Deltas[first + i * outputs0 + o];
                deltaSum += d;
                int row = rows[firstRow + i];
                for (int k = FirstAtOrAfter(data, row, low); k < data.Offsets[row + 1]; k++)
                {
                    uint entry = data.Entries[k];
                    int j = (int)(entry & 0xFFFF);
                    if (j >= high)
                    {
                        break;
                    }
                    e.Gradients[gradient + j] += d * e.Levels[(int)(entry >> 16)];
                }
            }
            if (low == 0)
            {
                e.DenseTerms[dense + o] = e.Baseline * deltaSum;
            }
        }
        Group.Barrier();
    }

    /// <summary>The first entry of <paramref name="row"/> whose pixel is at least <paramref name="pixel"/>.</summary>
    private static int FirstAtOrAfter(SparseRows data, int row, int pixel)
    {
        int low = data.Offsets[row];
        int high = data.Offsets[row + 1];
        while (low < high)
        {
            int middle = (low + high) >> 1;
            if ((int)(data.Entries[middle] & 0xFFFF) < pixel)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    /// <summary>Adds the first layer's dense part to its gradient, for a gradient evaluation.</summary>
    private static void AddDenseGradient(EnsembleViews e, int slot)
    {
        int inputs0 = e.LayerInputs[0];
        int outputs0 = e.LayerOutputs[0];
        int dense = slot * 2 * outputs0 + outputs0;
        for (int index = Group.IdxX; index < outputs0 * inputs0; index += Group.DimX)
        {
            e.Gradients[slot * e.Parameters + index] += e.DenseTerms[dense + index / inputs0];
        }
        Group.Barrier();
    }

    /// <summary>One optimiser step in the CPU trainer's order of operations: g = λw + (gradient +
    /// dense part); Adam: m = β1·m + (1-β1)·g, v = β2·v + ((1-β2)·g)·g, w += -stepSize · m / (√v / √(1-β2^t) + ε); SGD: w += -lr · g.</summary>
    private static void Update(EpochViews a, EnsembleViews e, int slot, int step)
    {
        int weights = slot * e.Parameters;
        int inputs0 = e.LayerInputs[0];
        int firstLayer = e.LayerOutputs[0] * inputs0;
        int dense = slot * 2 * e.LayerOutputs[0] + e.LayerOutputs[0];
        float stepSize = a.Adam != 0 ? a.StepSizes[step] : a.LearningRate;
        float correction = a.Adam != 0 ? a.Corrections[step] : 1f;
        for (int p = Group.IdxX; p < e.Parameters; p += Group.DimX)
        {
            int at = weights + p;
            float weight = e.Weights[at];
            float gradient = e.Gradients[at] + (p < firstLayer ? e.DenseTerms[dense + p / inputs0] : 0f);
            float g = a.WeightDecay * weight + gradient;
            if (a.Adam != 0)
            {
                float m = a.Beta1 * e.FirstMoments[at] + a.OneMinusBeta1 * g;
                float v = a.Beta2 * e.SecondMoments[at] + a.OneMinusBeta2 * g * g;
                e.FirstMoments[at] = m;
                e.SecondMoments[at] = v;
                e.Weights[at] = -stepSize * (m / (MathF.Sqrt(v) / correction + a.Epsilon)) + weight;
            }
            else
            {
                e.Weights[at] = -stepSize * g + weight;
            }
        }
        Group.Barrier();
    }

    private const int Plain = 0;
    private const int Rectify = 1;
    private const int Gate = 2;

    /// <summary>
    /// C = A·B through tiles in shared memory, for dense layers: C[m][n] = Σ_k A(m, k) · B(k, n),
    /// A(m, k) = a[aStart + m·am + k·ak], B(k, n) = b[bStart + k·bk + n·bn], written to
    /// c[cStart + m·cm + n] after the epilogue (<see cref="Plain"/>, <see cref="Rectify"/>, or
    /// <see cref="Gate"/>: zero where gate[gateStart + m·cm + n] is not positive). Each thread
    /// keeps its values of the output tile in shared memory across the k tiles and adds their
    /// products in ascending k, the order of the one-thread dot products.
    /// </summary>
    private static void Tiled(Tiles tiles, ArrayView<float> a, int aStart, int am, int ak, ArrayView<float> b, int bStart, int bk, int bn,
        int rows, int columns, int depth, ArrayView<float> c, int cStart, int cm, int epilogue, ArrayView<float> gate, int gateStart)
    {
        const int size = Tiles.Size;
        for (int m0 = 0; m0 < rows; m0 += size)
        {
            for (int n0 = 0; n0 < columns; n0 += size)
            {
                for (int q = Group.IdxX; q < size * size; q += Group.DimX)
                {
                    tiles.Output[q] = 0f;
                }
                for (int k0 = 0; k0 < depth; k0 += size)
                {
                    for (int q = Group.IdxX; q < size * size; q += Group.DimX)
                    {
                        int r = q / size;
                        int kk = q - r * size;
                        tiles.Left[q] = m0 + r < rows && k0 + kk < depth ? a[aStart + (m0 + r) * am + (k0 + kk) * ak] : 0f;
                        tiles.Right[q] = k0 + r < depth && n0 + kk < columns ? b[bStart + (k0 + r) * bk + (n0 + kk) * bn] : 0f;
                    }
                    Group.Barrier();
                    int count = Math.Min(size, depth - k0);
                    for (int q = Group.IdxX; q < size * size; q += Group.DimX)
                    {
                        int r = q / size;
                        int n = q - r * size;
                        float sum = tiles.Output[q];
                        for (int kk = 0; kk < count; kk++)
                        {
                            sum += tiles.Left[r * size + kk] * tiles.Right[kk * size + n];
                        }
                        tiles.Output[q] = sum;
                    }
                    Group.Barrier();
                }
                for (int q = Group.IdxX; q < size * size; q += Group.DimX)
                {
                    int r = q / size;
                    int n = q - r * size;
                    if (m0 + r < rows && n0 + n < columns)
                    {
                        int at = (m0 + r) * cm + n0 + n;
                        float value = tiles.Output[q];
                        c[cStart + at] = epilogue switch
                        {
                            Rectify => Rectified(value),
                            Gate => gate[gateStart + at] > 0f ? value : 0f,
                            _ => value,
                        };
                    }
                }
                Group.Barrier();
            }
        }
    }

    private static bool IsFinite(float value) => !float.IsNaN(value) && !float.IsInfinity(value);

    /// <summary>ReLU that maps NaN to 0, as the CPU trainer's does (and a GPU's max instruction):
    /// a NaN weight then shows in the end-of-epoch check on both devices alike.</summary>
    private static float Rectified(float z) => z > 0f ? z : 0f;
}

/// <summary>A group's shared-memory tiles for the dense products: two operand tiles and the output tile.</summary>
internal struct Tiles
{
    /// <summary>The tile's side: 32 × 32 floats, 4 KB each.</summary>
    public const int Size = 32;

    public ArrayView<float> Left;
    public ArrayView<float> Right;
    public ArrayView<float> Output;

    public static Tiles Allocate() => new()
    {
        Left = SharedMemory.Allocate<float>(Size * Size),
        Right = SharedMemory.Allocate<float>(Size * Size),
        Output = SharedMemory.Allocate<float>(Size * Size),
    };
}
