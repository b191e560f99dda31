using OrleansPigmm.Grains.Experiments;
using OrleansPigmm.Grains.Runtime;

namespace OrleansPigmm.Grains.Interfaces;

/// <summary>Where an experiment stands, from the store.</summary>
/// <param name="ExperimentId">The id: a hash of the canonical spec.</param>
/// <param name="Replicas">R.</param>
/// <param name="Epochs">E (snapshots are taken at epochs 0..E).</param>
/// <param name="Layers">Analysed (square) layers L.</param>
/// <param name="MatrixSize">n of the analysed layers.</param>
/// <param name="Batches">Replica batches, each trained under a lease.</param>
/// <param name="EpochsCommitted">Replica-epochs committed, epoch 0 (initialisation) included.</param>
/// <param name="Created">False when the spec was already known (it is then resumed, not restarted).</param>
public sealed record ExperimentStatus(string ExperimentId, int Replicas, int Epochs, int Layers, int MatrixSize, int Batches, long EpochsCommitted, bool Created)
{
    /// <summary>Replica-epochs of the whole experiment, epoch 0 included: R (E + 1).</summary>
    public long EpochsTotal => (long)Replicas * (Epochs + 1);

    /// <summary>Whether every replica committed every epoch.</summary>
    public bool TrainingComplete => EpochsCommitted == EpochsTotal;
}

/// <summary>
/// One experiment, keyed by its id: validates and owns its spec, creates its replica work in the
/// store, and reports its status.
/// </summary>
public interface IExperimentGrain : IGrainWithStringKey
{
    /// <summary>Stores the spec and its replica batches; submitting a spec already stored is a
    /// no-op, so a resumed run finds its work as it was left.</summary>
    /// <exception cref="SpecException">The spec is invalid or its id is not this grain's key.</exception>
    Task<ExperimentStatus> SubmitAsync(ExperimentSpec spec);

    /// <summary>The experiment's progress.</summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    Task<ExperimentStatus> GetStatusAsync();
}
