namespace OrleansPigmm.Training.Cpu;

/// <summary>Scratch memory of one worker thread, reused for every replica it trains: activations,
/// deltas and gradients of one batch, and the epoch's sample order.</summary>
internal sealed class Workspace : IDisposable
{
    private readonly AlignedBuffer memory;
    private readonly long[] activations, deltas, gradients, transposed;
    private readonly long bias, offset, zeros;
    private readonly PaddedLayout layout;

    public Workspace(PaddedLayout layout, int batchCapacity, int trainingSamples)
    {
        this.layout = layout;
        BatchCapacity = batchCapacity;
        int layers = layout.LayerCount;
        activations = new long[layers];
        deltas = new long[layers];
        gradients = new long[layers];
        transposed = new long[layers];
        long total = 0;
        long Take(long floats)
        {
            long start = total;
            total += (floats + 15) / 16 * 16;
            return start;
        }
        for (int l = 0; l < layers; l++)
        {
            activations[l] = Take((long)batchCapacity * layout.Ld[l]);
            deltas[l] = Take((long)batchCapacity * layout.Ld[l]);
            gradients[l] = Take(layout.BlockLength(l));
            transposed[l] = l == 0 ? 0 : Take((long)layout.Shape.Layers[l].Outputs * layout.Ld[l - 1]);
        }
        bias = Take(layout.Ld[0]);
        offset = Take(layout.Ld[0]);
        zeros = Take(layout.Ld.Max());
        memory = new AlignedBuffer(total);
        Order = new int[trainingSamples];
        Labels = new byte[batchCapacity];
    }

    public int BatchCapacity { get; }

    /// <summary>The permutation of the training samples for the epoch in progress.</summary>
    public int[] Order { get; }

    /// <summary>Labels of the batch in progress.</summary>
    public byte[] Labels { get; }

    /// <summary>Outputs of layer l (after ReLU for hidden layers; logits for the last): batch x Ld[l].</summary>
    public Span<float> Activations(int layer) => memory.Slice(activations[layer], (long)BatchCapacity * layout.Ld[layer]);

    /// <summary>Loss gradient with respect to layer l's pre-activations: batch x Ld[l].</summary>
    public Span<float> Deltas(int layer) => memory.Slice(deltas[layer], (long)BatchCapacity * layout.Ld[layer]);

    /// <summary>Weight gradient of layer l in the padded transposed layout (for layer 0, its sparse part).</summary>
    public Span<float> Gradients(int layer) => memory.Slice(gradients[layer], layout.BlockLength(layer));

    /// <summary>Layer l's weights as [out][Ld[l-1]] rows, for backpropagating to layer l - 1.</summary>
    public Span<float> Transposed(int layer) => memory.Slice(transposed[layer], (long)layout.Shape.Layers[layer].Outputs * layout.Ld[layer - 1]);

    /// <summary>The first layer's per-step bias x0 · Σ_j W[j, :].</summary>
    public Span<float> Bias => memory.Slice(bias, layout.Ld[0]);

    /// <summary>The dense part x0 · Σ_b δ_b of the first layer's weight gradient, added to every row.</summary>
    public Span<float> Offset => memory.Slice(offset, layout.Ld[0]);

    /// <summary>A row of zeros: the gradient offset of dense layers.</summary>
    public Span<float> Zeros => memory.Slice(zeros, layout.Ld.Max());

    public void Dispose() => memory.Dispose();
}
