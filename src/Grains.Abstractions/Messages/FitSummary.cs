namespace OrleansPigmm.Grains.Abstractions;

/// <summary>A fit just published, as pushed to subscribers: enough for a live view; the whole
/// document (every invariant's prediction and deviation) is read from the store or the API.</summary>
/// <param name="ExperimentId">The experiment.</param>
/// <param name="Layer">Analysed layer, 1-based.</param>
/// <param name="Epoch">Epoch, 0 = initialisation.</param>
/// <param name="Samples">Matrices fitted (replicas that did not diverge).</param>
/// <param name="Diverged">Replicas excluded because they diverged.</param>
/// <param name="Complete">Whether the fit covers every replica (it is then final).</param>
/// <param name="Parameters">f1..f13 in the order of the math specification.</param>
/// <param name="W2SquaredToSimpleGaussian">W2^2 to the simple Gaussian of the initial law; null where that law is not known.</param>
/// <param name="MaxHigherDeviation">Largest |deviation| of the cubic and quartic invariants, in ensemble standard deviations; null with none.</param>
[GenerateSerializer, Immutable, Alias("pigmm.FitSummary")]
public sealed record FitSummary(
    [property: Id(0)] string ExperimentId,
    [property: Id(1)] int Layer,
    [property: Id(2)] int Epoch,
    [property: Id(3)] long Samples,
    [property: Id(4)] int Diverged,
    [property: Id(5)] bool Complete,
    [property: Id(6)] double[] Parameters,
    [property: Id(7)] double? W2SquaredToSimpleGaussian,
    [property: Id(8)] double? MaxHigherDeviation);
