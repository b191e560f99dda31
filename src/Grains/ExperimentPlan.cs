using OrleansPigmm.Grains.Experiments;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Storage;
using OrleansPigmm.Training;

namespace OrleansPigmm.Grains;

/// <summary>
/// Everything an experiment's grains derive from its spec and its dataset's shape: the network,
/// the analysed layers, the invariant catalogue, the trainer's spec, the initial law of the
/// analysed entries, and the split of replicas into batches.
/// </summary>
public sealed class ExperimentPlan
{
    /// <summary>Bytes of training state a batch may hold: weights and both Adam moments of every
    /// replica, as in its checkpoint (which a store keeps in one value).</summary>
    public const long BatchStateBudget = 256L << 20;

    /// <summary>The most replicas in one batch: batches are the unit of work a silo claims, so
    /// several of them let several silos share an experiment.</summary>
    public const int MaxReplicasPerBatch = 250;

    private ExperimentPlan(ExperimentSpec spec, NetworkShape network)
    {
        Spec = spec;
        Network = network;
        AnalysedMatrices = network.SquareLayers.Select(l => l - 1).ToArray();
        MatrixSize = network.LayerOutputs(network.SquareLayers[0]);
        Catalogue = spec.AllGraphs ? InvariantCatalog.AllGraphs(spec.InvariantDegree) : InvariantCatalog.Paper(spec.InvariantDegree);
        Training = new TrainingSpec
        {
            Dataset = spec.Dataset,
            HiddenWidths = spec.HiddenWidths,
            Init = Scheme(spec.Init),
            Optimizer = spec.Optimizer == "sgd" ? OptimizerSpec.Sgd(spec.LearningRate) : OptimizerSpec.Adam(spec.LearningRate),
            WeightDecay = spec.L2,
            BatchSize = spec.BatchSize,
            Seed = spec.Seed,
        };
        InitialLaw = Law(spec.Init, MatrixSize);
        long stateBytes = network.ParameterCount * sizeof(float) * 3;
        ReplicasPerBatch = (int)Math.Clamp(BatchStateBudget / Math.Max(stateBytes, 1), 1, Math.Min(spec.Replicas, MaxReplicasPerBatch));
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

    /// <summary>Replicas per batch (the last batch may hold fewer).</summary>
    public int ReplicasPerBatch { get; }

    /// <summary>The plan of a valid spec on a dataset of the given shape.</summary>
    /// <exception cref="SpecException">The spec is invalid for that dataset.</exception>
    public static ExperimentPlan Create(ExperimentSpec spec, DatasetShape dataset)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(dataset);
        var problems = ExperimentSpecParser.Validate(spec, name => name == spec.Dataset ? dataset : null);
        if (problems.Count > 0)
        {
            throw new SpecException(problems);
        }
        return new ExperimentPlan(spec, new NetworkShape(dataset.Inputs, spec.HiddenWidths, dataset.Classes));
    }

    /// <summary>Batches covering replicas 0..R-1 in order.</summary>
    public IReadOnlyList<ReplicaBatch> Batches() =>
        Enumerable.Range(0, (Spec.Replicas + ReplicasPerBatch - 1) / ReplicasPerBatch)
            .Select(b => new ReplicaBatch(b, b * ReplicasPerBatch, Math.Min(ReplicasPerBatch, Spec.Replicas - b * ReplicasPerBatch)))
            .ToArray();

    /// <summary>The store's record of the experiment.</summary>
    public ExperimentRecord ToRecord(DateTimeOffset createdAt) =>
        new(Id, Spec.ToCanonicalJson(), Spec.Replicas, Spec.Epochs, Layers, MatrixSize, createdAt);

    /// <summary>The spec's init names (<see cref="ExperimentSpecParser.InitSchemes"/>) as the trainer's schemes.</summary>
    private static InitScheme Scheme(string init) => init switch
    {
        "gaussian" => InitScheme.Gaussian,
        "uniform" => InitScheme.Uniform,
        "he" => InitScheme.KaimingNormal,
        "xavier" => InitScheme.XavierUniform,
        "orthogonal" => InitScheme.Orthogonal,
        _ => throw new SpecException([$"spec.init: unknown scheme '{init}'"]),
    };

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
