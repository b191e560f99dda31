using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Training.Cpu;

/// <summary>The CPU backend: SIMD kernels, replicas spread over threads.</summary>
public sealed class CpuTrainerBackend(TrainerOptions options) : ITrainerBackend
{
    /// <summary>A backend with default options (all cores, widest vectors).</summary>
    public CpuTrainerBackend()
        : this(new TrainerOptions())
    {
    }

    /// <inheritdoc />
    public string Name => "cpu";

    /// <summary>The options every trainer of this backend uses.</summary>
    public TrainerOptions Options { get; } = options;

    /// <inheritdoc />
    public IEnsembleTrainer Create(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas) => new CpuEnsembleTrainer(spec, dataset, replicas, Options);
}
