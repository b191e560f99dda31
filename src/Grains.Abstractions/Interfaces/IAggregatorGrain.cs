namespace OrleansPigmm.Grains.Abstractions;

/// <summary>
/// The ensemble of one (experiment, layer, epoch), keyed "EXPERIMENT/LAYER/EPOCH": folds each
/// replica's invariants exactly once whatever the order or repetition of deliveries, refits the
/// PIGMM (at most every 200 ms while replicas arrive, and always when the ensemble is complete)
/// and publishes the fit.
/// </summary>
[Alias("pigmm.IAggregatorGrain")]
public interface IAggregatorGrain : IGrainWithStringKey
{
    /// <summary>Folds one replica's contribution, unless that replica is folded already.</summary>
    [Alias("Fold")]
    Task<EnsembleProgress> FoldAsync(ReplicaInvariants contribution);

    /// <summary>Folds every committed replica that no call delivered (from the store), refits and
    /// publishes the final fit with its distances to the complete epoch-0 and previous fits.</summary>
    [Alias("Complete")]
    Task<EnsembleProgress> CompleteAsync();

    /// <summary>The parameters f1..f13 of the fit of the whole ensemble (every replica folded,
    /// from the store where needed), or null when fewer than 2 replicas have finite matrices.</summary>
    [Alias("GetCompleteParameters")]
    Task<double[]?> GetCompleteParametersAsync();
}
