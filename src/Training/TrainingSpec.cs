using System.Globalization;
using System.Text;

namespace OrleansPigmm.Training;

/// <summary>How a layer's initial weights are drawn (fan_in = inputs, fan_out = outputs of the layer).</summary>
public enum InitScheme
{
    /// <summary>N(0, 1/fan_in), as the paper's authors.</summary>
    Gaussian,

    /// <summary>U(-1/√fan_in, +1/√fan_in), PyTorch's default for nn.Linear.</summary>
    Uniform,

    /// <summary>He/Kaiming normal for ReLU: N(0, 2/fan_in) (torch.nn.init.kaiming_normal_ defaults).</summary>
    KaimingNormal,

    /// <summary>Xavier/Glorot uniform, gain 1: U(±√(6/(fan_in + fan_out))).</summary>
    XavierUniform,

    /// <summary>A Haar-random (semi-)orthogonal matrix, gain 1, as torch.nn.init.orthogonal_:
    /// the Q of the QR decomposition of a Gaussian matrix with R's diagonal made positive.</summary>
    Orthogonal,
}

/// <summary>Which update rule trains the weights.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba), in PyTorch's formulation.</summary>
    Adam,

    /// <summary>Plain stochastic gradient descent, no momentum.</summary>
    Sgd,
}

/// <summary>An optimiser and its hyperparameters; use <see cref="Adam"/> or <see cref="Sgd"/>.</summary>
public sealed record OptimizerSpec
{
    private OptimizerSpec(OptimizerKind kind, double learningRate, double beta1, double beta2, double epsilon)
    {
        Kind = kind;
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>The update rule.</summary>
    public OptimizerKind Kind { get; }

    /// <summary>Step size (&gt; 0).</summary>
    public double LearningRate { get; }

    /// <summary>Adam's first-moment decay in [0, 1); 0 for SGD.</summary>
    public double Beta1 { get; }

    /// <summary>Adam's second-moment decay in [0, 1); 0 for SGD.</summary>
    public double Beta2 { get; }

    /// <summary>Adam's ε added to the denominator (&gt; 0); 0 for SGD.</summary>
    public double Epsilon { get; }

    /// <summary>Adam with PyTorch's defaults unless given: lr 0.001, betas (0.9, 0.999), eps 1e-8.</summary>
    public static OptimizerSpec Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) =>
        new(OptimizerKind.Adam, learningRate, beta1, beta2, epsilon);

    /// <summary>Plain SGD with the given learning rate.</summary>
    public static OptimizerSpec Sgd(double learningRate) => new(OptimizerKind.Sgd, learningRate, 0, 0, 0);

    /// <summary>E.g. "adam(lr=0.001,beta1=0.9,beta2=0.999,eps=1E-08)" or "sgd(lr=0.1)".</summary>
    public override string ToString() => Kind == OptimizerKind.Adam
        ? string.Create(CultureInfo.InvariantCulture, $"adam(lr={LearningRate:R},beta1={Beta1:R},beta2={Beta2:R},eps={Epsilon:R})")
        : string.Create(CultureInfo.InvariantCulture, $"sgd(lr={LearningRate:R})");
}

/// <summary>
/// Everything that determines how an ensemble is trained. Replica r's initial weights and the
/// order of its samples in epoch e are pure functions of (<see cref="Seed"/>, r, e) and this spec.
/// </summary>
public sealed record TrainingSpec
{
    /// <summary>Dataset name, as its descriptor names it ("mnist").</summary>
    public string Dataset { get; init; } = "mnist";

    /// <summary>Hidden widths; the paper's net is 10, 10, 10.</summary>
    public IReadOnlyList<int> HiddenWidths { get; init; } = [10, 10, 10];

    /// <summary>Initialisation scheme of every layer.</summary>
    public InitScheme Init { get; init; } = InitScheme.Gaussian;

    /// <summary>Update rule; Adam with PyTorch's defaults unless set.</summary>
    public OptimizerSpec Optimizer { get; init; } = OptimizerSpec.Adam();

    /// <summary>Coupled L2 coefficient λ: λ·w is added to the gradient (PyTorch's weight_decay). &gt;= 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Samples per step; the last step of an epoch takes the remainder.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Experiment seed.</summary>
    public long Seed { get; init; }

    /// <summary>Train on the first N training samples only (null: all of them).</summary>
    public int? TrainingSamples { get; init; }

    /// <summary>Checks every field; the message names the field and the allowed range.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }
        Check(!string.IsNullOrWhiteSpace(Dataset), "The dataset name is empty.");
        Check(HiddenWidths is { Count: > 0 } && HiddenWidths.All(w => w is >= 1 and <= 65536), "Hidden widths must be 1 to 65536, at least one layer.");
        Check(Enum.IsDefined(Init), $"Unknown init scheme {Init}.");
        Check(Optimizer is not null && double.IsFinite(Optimizer.LearningRate) && Optimizer.LearningRate > 0, "The learning rate must be a positive finite number.");
        if (Optimizer!.Kind == OptimizerKind.Adam)
        {
            Check(Optimizer.Beta1 is >= 0 and < 1 && Optimizer.Beta2 is >= 0 and < 1, "Adam's betas must lie in [0, 1).");
            Check(double.IsFinite(Optimizer.Epsilon) && Optimizer.Epsilon > 0, "Adam's epsilon must be a positive finite number.");
        }
        Check(double.IsFinite(WeightDecay) && WeightDecay >= 0, "The L2 coefficient (weight decay) must be a finite number >= 0.");
        Check(BatchSize is >= 1 and <= 65536, "The batch size must be 1 to 65536.");
        Check(TrainingSamples is null or >= 1, "The number of training samples must be at least 1.");
    }

    /// <summary>A canonical one-line text of every field; equal specs give equal text.</summary>
    public string CanonicalText => string.Create(CultureInfo.InvariantCulture,
        $"dataset={Dataset};widths={string.Join(",", HiddenWidths)};init={Init};optimizer={Optimizer};l2={WeightDecay:R};batch={BatchSize};seed={Seed};samples={TrainingSamples?.ToString(CultureInfo.InvariantCulture) ?? "all"}");

    /// <summary>A 64-bit FNV-1a hash of <see cref="CanonicalText"/>: identifies the spec in checkpoints.</summary>
    public ulong Fingerprint => Fnv1a.Hash(Encoding.UTF8.GetBytes(CanonicalText));
}
