namespace OrleansPigmm.Grains.Abstractions;

/// <summary>A subscriber to an experiment (a console or the HTTP API): receives its status
/// changes and published fits as they happen. Deliveries are one-way and may be lost; the store
/// holds everything.</summary>
[Alias("pigmm.IExperimentObserver")]
public interface IExperimentObserver : IGrainObserver
{
    /// <summary>The experiment's progress changed.</summary>
    [Alias("OnStatus")]
    void OnStatus(ExperimentStatus status);

    /// <summary>A fit was published.</summary>
    [Alias("OnFit")]
    void OnFit(FitSummary fit);
}
