using System.Text.Json;
using OrleansPigmm.Formats.Fits;

namespace OrleansPigmm.Formats.Tests.Fits;

/// <summary>
/// Realistic fits.json documents made up for tests: every layer has all 52 invariants of the
/// paper at every epoch, with deviations that start near the sampling floor and grow smoothly
/// (more in deeper layers and for high-node graphs), multiplicative noise, parameters that
/// drift away from the simple Gaussian, Wasserstein distances and training curves. Layer 2's
/// I14 deviation is undefined at epochs 0 to 2, as when the diagonal is frozen early.
/// </summary>
public static class SyntheticFits
{
    public const int Replicas = 1000;
    public const int MatrixSize = 10;
    public const double Variance = 0.1;

    /// <summary>The 52 invariants of pigmm-math.md section 5.2, in order.</summary>
    public static readonly IReadOnlyList<string> PaperSpecs =
    [
        "ii", "ij",
        "ij,ij", "ij,ji", "ii,ij", "ii,ji", "ij,ik", "ij,kj", "ij,jk", "ij,kl", "ii,ii", "ii,jj", "ii,jk",
        "ii,ii,ii", "ii,ii,jj", "ii,ij,jj", "ii,ii,ij", "ji,ii,ii", "ii,ij,ij", "ji,ii,ij", "ji,ji,ii", "ij,ij,ij", "ij,ij,ji",
        "ii,jk,lm", "ij,jk,lm", "ij,kj,lm", "ji,jk,lm", "ij,kl,mn",
        "ii,ii,ii,ii", "ii,ii,ii,jj", "ii,ii,jj,jj", "ii,ii,ii,ij", "ji,ii,ii,ii", "ii,ii,ij,jj", "jj,ji,ii,ii", "ii,ii,ij,ij",
        "ji,ii,ii,ij", "ji,ji,ii,ii", "ii,ij,ij,jj", "ji,ii,ij,jj", "ii,ij,ij,ij", "ji,ii,ij,ij", "ji,ji,ii,ij", "ji,ji,ji,ii",
        "ij,ij,ij,ij", "ji,ij,ij,ij", "ji,ji,ij,ij",
        "ii,jk,lm,no", "ij,jk,lm,no", "ij,kj,lm,no", "ji,jk,lm,no", "ij,kl,mn,op",
    ];

    public static JsonElement Spec { get; } = JsonDocument.Parse("""
        {"dataset": "mnist", "widths": [784, 10, 10, 10, 10], "activation": "relu", "bias": false,
         "init": {"scheme": "gaussian", "variance": "1/fan_in"},
         "optimiser": {"name": "adam", "learning_rate": 0.001, "betas": [0.9, 0.999]},
         "batch_size": 100, "epochs": 10, "replicas": 1000, "l2": 0, "seed": 20251005, "analyse": [1, 2, 3]}
        """).RootElement.Clone();

    /// <summary>A document with <paramref name="layers"/> layers fitted at epochs 0..<paramref name="lastEpoch"/>.</summary>
    public static ExperimentFitsDocument Document(int layers = 3, int lastEpoch = 10, bool lawKnown = true, int seed = 7)
    {
        var random = new Random(seed);
        var fits = new List<FitDocument>();
        for (int layer = 1; layer <= layers; layer++)
        {
            for (int epoch = 0; epoch <= lastEpoch; epoch++)
            {
                fits.Add(Fit(layer, epoch, lawKnown, random));
            }
        }
        var training = Enumerable.Range(1, lastEpoch).Select(epoch =>
        {
            double progress = Progress(epoch);
            return new EpochTraining(epoch, Replicas, 0, 0.25 + 1.9 * Math.Exp(-epoch / 1.5), 0.80 + 0.12 * progress,
                0.70 + 0.12 * progress, 0.86 + 0.1 * progress);
        }).ToList();
        return new ExperimentFitsDocument("e3b0c44298fc1c14", Spec, lawKnown ? new InitialLaw("gaussian", Variance) : null, fits,
            new TrainingHistory(Replicas, training));
    }

    /// <summary>The document with one invariant value of every fit of one layer replaced.</summary>
    public static ExperimentFitsDocument WithInvariant(this ExperimentFitsDocument document, int layer, string id, Func<InvariantFit, InvariantFit> change) =>
        document with
        {
            Fits = [.. document.Fits.Select(fit => fit.Layer != layer ? fit : fit with
            {
                Invariants = [.. fit.Invariants.Select(invariant => invariant.Id == id ? change(invariant) : invariant)],
            })],
        };

    public static int Nodes(string spec) => spec.Where(char.IsLetter).Distinct().Count();

    public static int Degree(string spec) => spec.Count(c => c == ',') + 1;

    private static double Progress(int epoch) => 1 - Math.Exp(-epoch / 3.0);

    private static FitDocument Fit(int layer, int epoch, bool lawKnown, Random random)
    {
        double progress = Progress(epoch);
        double Noise(double relative) => 1 + relative * (2 * random.NextDouble() - 1);
        var invariants = PaperSpecs.Select((spec, index) =>
        {
            int k = index + 1, degree = Degree(spec), nodes = Nodes(spec);
            double std = Math.Pow(Variance, degree / 2.0) * Math.Pow(MatrixSize, nodes / 2.0) * Noise(0.1);
            double mean = (degree % 2 == 0 ? std * 0.8 : 0) + std * 0.05 * Noise(1);
            double? deviation = degree >= 3
                ? (0.03 + progress * layer * (nodes > 2 ? 0.4 : 0.08) * (1 + (k % 5) / 2.0)) * Noise(0.3)
                : null;
            if (layer == 2 && k == 14 && epoch <= 2)
            {
                deviation = null;
            }
            double? iid = lawKnown && degree <= 2 ? (0.8 + progress * layer * 12 * (1 + k % 4)) * Noise(0.3) : null;
            double predicted = mean + (deviation ?? 0) * std;
            return new InvariantFit($"I{k}", spec, degree, nodes, mean, std, predicted, deviation, iid);
        }).ToList();
        double drift = progress * layer;
        double[] parameters =
        [
            0.01 * Noise(1) - 0.02 * drift, 0.01 * Noise(1) + 0.03 * drift,
            0.0999 * (1 + 0.4 * drift) * Noise(0.03), 0.003 * Noise(1) + 0.01 * drift, 0.0999 * (1 + 0.2 * drift) * Noise(0.03),
            0.1 * (1 + 0.1 * drift) * Noise(0.01), 0.001 * Noise(1) - 0.004 * drift, 0.001 * Noise(1), 0.1 * (1 - 0.05 * drift) * Noise(0.01),
            0.001 * Noise(1) + 0.002 * drift, 0.1 * Noise(0.01),
            0.1 * (1 + 0.15 * drift) * Noise(0.005), 0.1 * (1 + 0.05 * drift) * Noise(0.005),
        ];
        double toReference = 0.02 * Noise(0.2) + 2.5 * drift * drift;
        return new FitDocument(MatrixSize, Replicas, parameters, invariants, "paper-d4", layer, epoch,
            new WassersteinDistances(lawKnown ? Math.Sqrt(toReference) : null, epoch == 0 ? 0 : Math.Sqrt(2.2 * drift * drift + 0.01),
                epoch == 0 ? null : 0.6 * layer * Math.Exp(-epoch / 3.0) + 0.05),
            new WassersteinDistances(lawKnown ? toReference : null, epoch == 0 ? 0 : 2.2 * drift * drift + 0.01,
                epoch == 0 ? null : Math.Pow(0.6 * layer * Math.Exp(-epoch / 3.0) + 0.05, 2)),
            Diverged: 0);
    }
}
