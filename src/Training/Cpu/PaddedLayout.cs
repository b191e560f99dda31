namespace OrleansPigmm.Training.Cpu;

/// <summary>
/// How a network's matrices sit in memory for one vector width. Layer l's weights are stored
/// transposed, one row per input unit, each row padded with zeros to <see cref="Ld"/>[l] (a multiple
/// of the lane count) so every kernel works on whole vectors; activations use the same row length.
/// Padding stays zero through training, so it never changes a result.
/// </summary>
internal sealed class PaddedLayout
{
    private const int CacheLineFloats = 16;
    private readonly long[] offsets;

    public PaddedLayout(NetworkShape shape, int lanes)
    {
        Shape = shape;
        Lanes = lanes;
        Ld = shape.Layers.Select(l => RoundUp(l.Outputs, lanes)).ToArray();
        offsets = new long[shape.Layers.Count];
        long total = 0;
        for (int l = 0; l < offsets.Length; l++)
        {
            offsets[l] = total;
            total += RoundUp(BlockLength(l), CacheLineFloats);
        }
        ParameterFloats = total;
    }

    public NetworkShape Shape { get; }

    public int Lanes { get; }

    /// <summary>Row length of layer l's transposed weights and of its activations.</summary>
    public IReadOnlyList<int> Ld { get; }

    public int LayerCount => Ld.Count;

    /// <summary>Floats of one copy of all layers' weights (weights, or one optimiser moment).</summary>
    public long ParameterFloats { get; }

    /// <summary>Start of layer l inside a block of <see cref="ParameterFloats"/>.</summary>
    public long Offset(int layer) => offsets[layer];

    /// <summary>Floats of layer l: inputs · Ld[l].</summary>
    public int BlockLength(int layer) => Shape.Layers[layer].Inputs * Ld[layer];

    /// <summary>Copies a [out][in] matrix into the padded transposed block of layer l.</summary>
    public void Pack(int layer, ReadOnlySpan<float> outIn, Span<float> block)
    {
        var (inputs, outputs) = Shape.Layers[layer];
        int ld = Ld[layer];
        block[..BlockLength(layer)].Clear();
        for (int o = 0; o < outputs; o++)
        {
            for (int i = 0; i < inputs; i++)
            {
                block[i * ld + o] = outIn[o * inputs + i];
            }
        }
    }

    /// <summary>Copies layer l's padded transposed block out as a [out][in] matrix.</summary>
    public void Unpack(int layer, ReadOnlySpan<float> block, Span<float> outIn)
    {
        var (inputs, outputs) = Shape.Layers[layer];
        int ld = Ld[layer];
        for (int o = 0; o < outputs; o++)
        {
            for (int i = 0; i < inputs; i++)
            {
                outIn[o * inputs + i] = block[i * ld + o];
            }
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
