namespace OrleansPigmm.Grains.Experiments;

/// <summary>
/// Layer sizes of a bias-free MLP: inputs -> hidden widths -> classes. Weight matrix l (1-based,
/// 1..depth) maps layer l-1 to layer l and is stored [out][in], i.e. it is
/// <see cref="LayerOutputs"/>(l) x <see cref="LayerInputs"/>(l).
/// </summary>
public sealed class NetworkShape
{
    private readonly int[] sizes;

    /// <summary>The network inputs -> hiddenWidths... -> classes.</summary>
    public NetworkShape(int inputs, IReadOnlyList<int> hiddenWidths, int classes)
    {
        ArgumentNullException.ThrowIfNull(hiddenWidths);
        sizes = [inputs, .. hiddenWidths, classes];
        SquareLayers = Enumerable.Range(1, Depth).Where(l => LayerInputs(l) == LayerOutputs(l)).ToArray();
    }

    /// <summary>Number of weight matrices.</summary>
    public int Depth => sizes.Length - 1;

    /// <summary>Total number of weights.</summary>
    public long Parameters => Enumerable.Range(1, Depth).Sum(l => (long)LayerInputs(l) * LayerOutputs(l));

    /// <summary>The 1-based weight matrices that are square, input side first: the analysed
    /// layers; analysed layer k (1-based) is weight matrix SquareLayers[k - 1].</summary>
    public IReadOnlyList<int> SquareLayers { get; }

    /// <summary>Columns of weight matrix <paramref name="layer"/> (1-based).</summary>
    public int LayerInputs(int layer) => sizes[layer - 1];

    /// <summary>Rows of weight matrix <paramref name="layer"/> (1-based).</summary>
    public int LayerOutputs(int layer) => sizes[layer];

    /// <summary>The sizes joined by '-', e.g. "784-10-10-10-10".</summary>
    public override string ToString() => string.Join('-', sizes);
}
