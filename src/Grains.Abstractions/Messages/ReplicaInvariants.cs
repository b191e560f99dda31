namespace OrleansPigmm.Grains.Abstractions;

/// <summary>What one replica contributes to one ensemble (layer, epoch): the invariant row of
/// its matrix, or the fact that it diverged.</summary>
/// <param name="Replica">The replica (0-based).</param>
/// <param name="Diverged">The replica's weights are not finite: it is counted, not fitted.</param>
/// <param name="Invariants">The invariant row (the experiment's catalogue, I1 first); null exactly when diverged.</param>
[GenerateSerializer, Immutable, Alias("pigmm.ReplicaInvariants")]
public sealed record ReplicaInvariants(
    [property: Id(0)] int Replica,
    [property: Id(1)] bool Diverged,
    [property: Id(2)] double[]? Invariants);
