namespace OrleansPigmm.Grains.Abstractions;

/// <summary>Where an experiment is in its life.</summary>
[GenerateSerializer, Alias("pigmm.ExperimentPhase")]
public enum ExperimentPhase
{
    /// <summary>Submitted and not finished: its replicas train (or wait for a silo to train them).</summary>
    Running = 0,

    /// <summary>Stopped on request; every committed epoch stays, and submitting it again resumes it.</summary>
    Cancelled = 1,

    /// <summary>Every replica committed every epoch and every fit covers the whole ensemble.</summary>
    Complete = 2,
}
