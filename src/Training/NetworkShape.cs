namespace OrleansPigmm.Training;

/// <summary>One linear layer: a weight matrix of shape (<see cref="Outputs"/>, <see cref="Inputs"/>), PyTorch's [out][in] layout.</summary>
public readonly record struct LayerShape(int Inputs, int Outputs)
{
    /// <summary>Inputs · outputs.</summary>
    public int Weights => Inputs * Outputs;
}

/// <summary>
/// An MLP inputs → hidden[0] → … → hidden[k-1] → classes with ReLU after every hidden layer and no
/// biases. Layer l (0-based) maps the width before it to the width after it.
/// </summary>
public sealed class NetworkShape
{
    /// <summary>Creates the shape; every width must be at least 1.</summary>
    /// <exception cref="ArgumentException">A width is below 1.</exception>
    public NetworkShape(int inputs, IReadOnlyList<int> hidden, int classes)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var widths = new List<int> { inputs };
        widths.AddRange(hidden);
        widths.Add(classes);
        if (widths.Any(w => w < 1))
        {
            throw new ArgumentException($"Every layer width must be at least 1; got {string.Join("-", widths)}.", nameof(hidden));
        }
        Inputs = inputs;
        Classes = classes;
        Hidden = hidden.ToArray();
        Layers = widths.Zip(widths.Skip(1), (i, o) => new LayerShape(i, o)).ToArray();
        SquareLayers = Enumerable.Range(1, Depth).Where(l => LayerInputs(l) == LayerOutputs(l)).ToArray();
        AnalysedLayers = SquareLayers.Where(l => l > 1).ToArray();
    }

    /// <summary>Input units (784 for MNIST).</summary>
    public int Inputs { get; }

    /// <summary>Output units (classes).</summary>
    public int Classes { get; }

    /// <summary>Hidden widths, in order.</summary>
    public IReadOnlyList<int> Hidden { get; }

    /// <summary>The linear layers, first to last.</summary>
    public IReadOnlyList<LayerShape> Layers { get; }

    /// <summary>Number of weight matrices.</summary>
    public int Depth => Layers.Count;

    /// <summary>The weight matrices that are square, 1-based (matrix l is <c>Layers[l - 1]</c>), input side
    /// first: the layers a matrix model can describe.</summary>
    public IReadOnlyList<int> SquareLayers { get; }

    /// <summary>The weight matrices an experiment analyses, 1-based: the square ones after the
    /// input layer (hidden-to-hidden and hidden-to-output, as in the paper; the input layer sees
    /// pixels, not units). The one rule for every command and grain.</summary>
    public IReadOnlyList<int> AnalysedLayers { get; }

    /// <summary>Columns of weight matrix <paramref name="layer"/> (1-based).</summary>
    public int LayerInputs(int layer) => Layers[layer - 1].Inputs;

    /// <summary>Rows of weight matrix <paramref name="layer"/> (1-based).</summary>
    public int LayerOutputs(int layer) => Layers[layer - 1].Outputs;

    /// <summary>Weights in all layers.</summary>
    public long ParameterCount => Layers.Sum(l => (long)l.Weights);

    /// <summary>
    /// Floating-point operations of one replica-epoch counted as a dense implementation does
    /// (the convention of the PyTorch reference): forward 2·in·out per layer and sample; backward
    /// 2·in·out for the first layer (no input gradient) and 4·in·out for the others; Adam about
    /// 12 per weight per step.
    /// </summary>
    public double DenseFlopsPerEpoch(int samples, int batchSize)
    {
        double forward = Layers.Sum(l => 2.0 * l.Weights);
        double backward = Layers.Select((l, i) => (i == 0 ? 2.0 : 4.0) * l.Weights).Sum();
        long steps = (samples + batchSize - 1) / batchSize;
        return (forward + backward) * samples + 12.0 * ParameterCount * steps;
    }

    /// <summary>The widths joined by '-', e.g. "784-10-10-10-10".</summary>
    public override string ToString() => string.Join("-", Layers.Select(l => l.Inputs).Append(Classes));
}
