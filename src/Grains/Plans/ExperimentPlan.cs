using OrleansPigmm.Training.Data;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Storage;
using OrleansPigmm.Training;

namespace OrleansPigmm.Grains.Plans;

/// <summary>
/// Everything an experiment's grains derive from its spec and its dataset's shape: the network,
/// the analysed layers, the invariant catalogue, the trainer's spec, the initial law of the
/// analysed entries, and how much training state one replica holds.
/// </summary>
public sealed class ExperimentPlan
{
    private ExperimentPlan(ExperimentSpec spec, NetworkShape network)
    {
        Spec = spec;
        Network = network;
        AnalysedMatrices = network.AnalysedLayers.Select(l => l - 1).ToArray();
        MatrixSize = network.LayerOutputs(network.AnalysedLayers[0]);
        Catalogue = spec.AllGraphs ? InvariantCatalog.AllGraphs(spec.InvariantDegree) : InvariantCatalog.Paper(spec.InvariantDegree);
        Training = new TrainingSpec
        {
            Dataset = spec.Dataset,
            HiddenWidths = spec.HiddenWidths,
            Init = InitSchemeNames.Schemes[spec.Init],
            Optimizer = spec.Optimizer == "sgd" ? OptimizerSpec.Sgd(spec.LearningRate) : OptimizerSpec.Adam(spec.LearningRate),
            WeightDecay = spec.L2,
            BatchSize = spec.BatchSize,
            Seed = spec.Seed,
        };
        InitialLaw = Law(spec.Init, MatrixSize);
        ReplicaStateBytes = network.ParameterCount * sizeof(float) * (spec.Optimizer == "adam" ? 3 : 1);
    }

    /// <summary>The spec.</summary>
    public ExperimentSpec Spec { get; }

    /// <summary>The experiment's id.</summary>
    public string Id => Spec.Id;

    /// <summary>The network trained.</summary>
    public NetworkShape Network { get; }

    /// <summary>0-based indices into <see cref="NetworkShape.Layers"/> of the analysed (square)
    /// weight matrices: analysed layer k (1-based) is matrix AnalysedMatrices[k - 1].</summary>
    public IReadOnlyList<int> AnalysedMatrices { get; }

    /// <summary>Number of analysed layers L.</summary>
    public int Layers => AnalysedMatrices.Count;

    /// <summary>n of the analysed layers.</summary>
    public int MatrixSize { get; }

    /// <summary>The invariants computed of every snapshot.</summary>
    public InvariantCatalog Catalogue { get; }

    /// <summary>What the trainer follows.</summary>
    public TrainingSpec Training { get; }

    /// <summary>The i.i.d. law of an analysed layer's entries at initialisation; null for
    /// orthogonal initialisation, whose entries are not independent.</summary>
    public IidLaw? InitialLaw { get; }

    /// <summary>Bytes of one replica's training state (weights, and Adam's two moments), about
    /// the size of its checkpoint: what a training device budgets its memory by.</summary>
    public long ReplicaStateBytes { get; }

    /// <summary>The plan of a valid spec on one of the datasets <paramref name="datasets"/> knows
    /// (null for an unknown name).</summary>
    /// <exception cref="SpecException">The spec is invalid; every problem is listed.</exception>
    public static ExperimentPlan Create(ExperimentSpec spec, Func<string, DatasetDimensions?> datasets)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(datasets);
        return datasets(spec.Dataset) is { } dimensions
            ? Create(spec, dimensions)
            : throw new SpecException([.. ExperimentSpecParser.Validate(spec), $"spec.dataset: '{spec.Dataset}' is not a configured dataset"]);
    }

    /// <summary>The plan of a valid spec on a dataset with these dimensions.</summary>
    /// <exception cref="SpecException">The spec is invalid for that dataset; every problem is listed.</exception>
    public static ExperimentPlan Create(ExperimentSpec spec, DatasetDimensions dataset)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(dataset);
        var problems = ExperimentSpecParser.Validate(spec).ToList();
        // The network exists only with widths in range; its problems are listed beside the others.
        bool widthsValid = spec.HiddenWidths.Count is >= 1 and <= ExperimentSpecParser.MaxHiddenLayers
            && spec.HiddenWidths.All(width => width is >= 1 and <= ExperimentSpecParser.MaxWidth);
        var network = widthsValid ? new NetworkShape(dataset.Inputs, spec.HiddenWidths, dataset.Classes) : null;
        if (network is not null)
        {
            problems.AddRange(NetworkProblems(spec, dataset, network));
        }
        return problems.Count == 0 ? new ExperimentPlan(spec, network!) : throw new SpecException(problems);
    }

    /// <summary>The checks that need the dataset: the batch size, the size of the network, and
    /// its analysed layers (<see cref="NetworkShape.AnalysedLayers"/>: one size n >= 4).</summary>
    private static IEnumerable<string> NetworkProblems(ExperimentSpec spec, DatasetDimensions dataset, NetworkShape network)
    {
        if (spec.BatchSize > dataset.TrainCount)
        {
            yield return $"spec.batch_size: must be at most the {dataset.TrainCount} training examples of {spec.Dataset}, got {spec.BatchSize}";
        }
        if (network.ParameterCount > ExperimentSpecParser.MaxParameters)
        {
            yield return $"spec.hidden_widths: the network has {network.ParameterCount:N0} weights; the limit is {ExperimentSpecParser.MaxParameters:N0}";
        }
        var sizes = network.AnalysedLayers.Select(network.LayerOutputs).Distinct().ToArray();
        if (sizes.Length == 0)
        {
            yield return $"spec.hidden_widths: no weight matrix of {network} after the input layer is square; PIGMMs need square n x n layers (e.g. two equal hidden widths)";
        }
        else if (sizes.Length > 1)
        {
            yield return $"spec.hidden_widths: the square layers of {network} have sizes {string.Join(" and ", sizes)}; an experiment analyses layers of one size";
        }
        else if (sizes[0] < 4)
        {
            yield return $"spec.hidden_widths: the square layers of {network} are {sizes[0]} x {sizes[0]}; PIGMMs need n >= 4";
        }
        else if ((long)spec.Replicas * (spec.Epochs + 1) * network.AnalysedLayers.Count is var snapshots && snapshots > ExperimentSpecParser.MaxSnapshots)
        {
            yield return $"spec: {snapshots:N0} snapshots (replicas x (epochs + 1) x layers) exceed the limit of {ExperimentSpecParser.MaxSnapshots:N0}";
        }
    }

    /// <summary>The store's record of the experiment.</summary>
    public ExperimentRecord ToRecord(DateTimeOffset createdAt) =>
        new(Id, Spec.ToCanonicalJson(), Spec.Replicas, Spec.Epochs, Layers, MatrixSize, createdAt);

    // fan_in = fan_out = n for a square layer.
    private static IidLaw? Law(string init, int n) => init switch
    {
        "gaussian" => IidLaw.GaussianInitialisation(n),
        "he" => IidLaw.CentredGaussian(2.0 / n),
        "uniform" => IidLaw.UniformInitialisation(n),
        "xavier" => IidLaw.SymmetricUniform(Math.Sqrt(6.0 / (2 * n))),
        _ => null,
    };
}
