using OrleansPigmm.Grains.Runtime;

namespace OrleansPigmm.Grains.Interfaces;

/// <summary>What an ensemble's aggregator holds after a fold.</summary>
/// <param name="Folded">Replicas folded so far (diverged ones included).</param>
/// <param name="Diverged">Folded replicas that diverged: counted, not fitted.</param>
/// <param name="Published">Whether a fit is published (it needs at least 2 finite matrices).</param>
public sealed record EnsembleProgress(int Folded, int Diverged, bool Published);

/// <summary>
/// The ensemble of one (experiment, layer, epoch), keyed "EXPERIMENT/LAYER/EPOCH": folds the
/// invariant rows of its snapshots into the exact, mergeable accumulator, each replica exactly
/// once whatever the order or repetition of deliveries, refits the PIGMM and publishes the fit.
/// </summary>
public interface IAggregatorGrain : IGrainWithStringKey
{
    /// <summary>Folds the stored snapshots of replicas [first, first + count) not folded yet
    /// (absent ones are skipped and folded by a later call), then refits and publishes.</summary>
    Task<EnsembleProgress> FoldAsync(int firstReplica, int replicaCount);

    /// <summary>The parameters f1..f13 of the published fit, or null when there is none.</summary>
    Task<double[]?> GetFitParametersAsync();
}
