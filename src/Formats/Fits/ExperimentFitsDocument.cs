using System.Text.Json;

namespace OrleansPigmm.Formats.Fits;

/// <summary>
/// fits.json: everything known about one experiment's weight-matrix ensembles, the input of
/// report.html and fits.csv.
/// </summary>
/// <param name="Experiment">The experiment id (hash of the canonical spec).</param>
/// <param name="Spec">The canonical experiment spec.</param>
/// <param name="InitialLaw">The i.i.d. law of the analysed layers' initial entries, when the
/// initialisation scheme draws entries i.i.d. (gaussian, uniform, he, xavier); null otherwise.</param>
/// <param name="Fits">One fit per (layer, epoch), ordered by layer, then epoch.</param>
/// <param name="Training">Per-epoch training metrics over the replicas.</param>
public sealed record ExperimentFitsDocument(
    string Experiment,
    JsonElement Spec,
    InitialLaw? InitialLaw,
    IReadOnlyList<FitDocument> Fits,
    TrainingHistory Training);

/// <summary>An i.i.d. law of matrix entries with mean 0.</summary>
/// <param name="Distribution">"gaussian" or "uniform".</param>
/// <param name="Variance">Variance of one entry, e.g. 1/n for N(0, 1/fan_in).</param>
public sealed record InitialLaw(string Distribution, double Variance);

/// <summary>Training metrics of the ensemble.</summary>
/// <param name="Replicas">Replicas in the experiment.</param>
/// <param name="Epochs">One entry per epoch 1..E that at least one replica completed.</param>
public sealed record TrainingHistory(int Replicas, IReadOnlyList<EpochTraining> Epochs);

/// <summary>Metrics of one epoch over the replicas that completed it without diverging.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Completed">Replicas that completed this epoch.</param>
/// <param name="Diverged">Replicas whose weights became NaN or infinite by this epoch.</param>
/// <param name="MeanTrainLoss">Mean over replicas of the epoch's mean batch loss.</param>
/// <param name="MeanTestAccuracy">Mean test accuracy (fraction in [0, 1]) after this epoch, if measured.</param>
/// <param name="MinTestAccuracy">Lowest replica test accuracy, if measured.</param>
/// <param name="MaxTestAccuracy">Highest replica test accuracy, if measured.</param>
public sealed record EpochTraining(
    int Epoch,
    int Completed,
    int Diverged,
    double? MeanTrainLoss,
    double? MeanTestAccuracy,
    double? MinTestAccuracy,
    double? MaxTestAccuracy);
