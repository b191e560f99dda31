namespace OrleansPigmm.Grains.Abstractions;

/// <summary>What an ensemble's aggregator holds.</summary>
/// <param name="Folded">Replicas folded so far (diverged ones included).</param>
/// <param name="Diverged">Folded replicas that diverged: counted, not fitted.</param>
/// <param name="Published">Whether a fit is published (it needs at least 2 finite matrices).</param>
/// <param name="Complete">Whether every replica of the experiment is folded.</param>
[GenerateSerializer, Immutable, Alias("pigmm.EnsembleProgress")]
public sealed record EnsembleProgress(
    [property: Id(0)] int Folded,
    [property: Id(1)] int Diverged,
    [property: Id(2)] bool Published,
    [property: Id(3)] bool Complete);
