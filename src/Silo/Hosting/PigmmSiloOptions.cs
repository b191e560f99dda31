using OrleansPigmm.Training.Data;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Grains.Training;
using OrleansPigmm.Silo.Telemetry;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo.Hosting;

/// <summary>What a silo is made of, whatever its mode.</summary>
public sealed class PigmmSiloOptions
{
    /// <summary>Opens the store (called once, when the silo starts; the silo disposes it).</summary>
    public required Func<IPigmmStore> Store { get; init; }

    /// <summary>Creates the training device (called once, while the silo is configured, so that
    /// its capacity can be advertised; the silo disposes it).</summary>
    public required Func<ITrainingDevice> Device { get; init; }

    /// <summary>The dimensions of a dataset by name, for validating specs; null for an unknown name.</summary>
    public required Func<string, DatasetDimensions?> Datasets { get; init; }

    /// <summary>When set, the silo keeps only this experiment going (a <c>pigmm run</c> process
    /// trains its own experiment, not every running one the store file holds).</summary>
    public string? OnlyExperiment { get; init; }

    /// <summary>How often the silo wakes the running experiments it finds in the store.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a running experiment looks for replicas that stopped.</summary>
    public TimeSpan WatchInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where the silo's spans and metrics go (the environment's OTLP endpoint by default).</summary>
    public PigmmTelemetryOptions Telemetry { get; init; } = new();
}
