namespace OrleansPigmm.Grains;

/// <summary>How experiments are watched over.</summary>
public sealed class ExperimentOptions
{
    /// <summary>How often a running experiment re-reads its replicas' progress and wakes the ones
    /// that made none; also how long a silo's death can leave its replicas idle beyond the
    /// cluster's detection of it.</summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(5);
}
