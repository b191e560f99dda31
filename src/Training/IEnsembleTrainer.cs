using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Training;

/// <summary>Where a replica stands: counters, last loss and divergence.</summary>
/// <param name="Replica">The replica index (part of its identity: it fixes its initialisation and data order).</param>
/// <param name="EpochsCompleted">Epochs trained without divergence.</param>
/// <param name="Steps">Optimiser steps taken.</param>
/// <param name="LastTrainLoss">Mean batch loss over the last epoch trained; NaN before the first.</param>
/// <param name="DivergedAtEpoch">The epoch (1-based) in which the loss or a weight became NaN or infinite; 0 if none.
/// A diverged replica is no longer trained, and its snapshots from that epoch on are not to be used.</param>
public readonly record struct ReplicaStatus(int Replica, int EpochsCompleted, long Steps, double LastTrainLoss, int DivergedAtEpoch)
{
    /// <summary>Whether training produced NaN or infinity.</summary>
    public bool Diverged => DivergedAtEpoch != 0;
}

/// <summary>
/// Trains a set of replicas of one <see cref="TrainingSpec"/> together, epoch by epoch. Replica r is
/// the same network whatever other replicas share the trainer, the backend's thread count or batch
/// of replicas: its initial weights and the order of its samples in epoch e are pure functions of
/// (spec, r, e), so a replica exported after any epoch and imported elsewhere continues bit-identically.
/// Slots index <see cref="Replicas"/>. Members are not thread-safe; call them from one thread,
/// except the reads <see cref="Status"/>, <see cref="CopyWeights"/> and <see cref="ExportState"/>,
/// which may run concurrently for distinct slots while no other member runs.
/// </summary>
public interface IEnsembleTrainer : IDisposable
{
    /// <summary>The spec every replica follows.</summary>
    TrainingSpec Spec { get; }

    /// <summary>The network trained.</summary>
    NetworkShape Shape { get; }

    /// <summary>The replica index in each slot (any distinct indices, not necessarily contiguous).</summary>
    IReadOnlyList<int> Replicas { get; }

    /// <summary>Describes the backend, e.g. "cpu, 512-bit vectors, 2 threads".</summary>
    string Backend { get; }

    /// <summary>Trains every replica that has not diverged for one more epoch. Reports to
    /// <paramref name="progress"/> the number of replicas finished so far in this call.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; replicas already finished keep their new epoch.</exception>
    void TrainEpoch(IProgress<int>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The status of the replica in <paramref name="slot"/>.</summary>
    ReplicaStatus Status(int slot);

    /// <summary>Copies layer <paramref name="layer"/>'s weights of a replica, [out][in] (PyTorch's layout).</summary>
    /// <exception cref="ArgumentException">destination does not hold exactly outputs · inputs floats.</exception>
    void CopyWeights(int slot, int layer, Span<float> destination);

    /// <summary>The fraction of the test images each replica classifies correctly, by slot; NaN for a diverged replica.</summary>
    IReadOnlyList<double> EvaluateTestAccuracy(CancellationToken cancellationToken = default);

    /// <summary>A replica's full training state (weights, optimiser moments, step and epoch counters,
    /// divergence) as a compact, self-checking byte form; see <see cref="ReplicaCheckpoint"/>.</summary>
    byte[] ExportState(int slot);

    /// <summary>Replaces a replica's state by one exported from a trainer of the same spec and replica index.</summary>
    /// <exception cref="InvalidDataException">The bytes are corrupt, or belong to another spec, shape or replica.</exception>
    void ImportState(int slot, ReadOnlySpan<byte> state);
}

/// <summary>Creates trainers; a backend (CPU SIMD now, CUDA later) is chosen once and callers see only this.</summary>
public interface ITrainerBackend
{
    /// <summary>Short name, e.g. "cpu".</summary>
    string Name { get; }

    /// <summary>Creates a trainer for <paramref name="replicas"/> of <paramref name="spec"/> on
    /// <paramref name="dataset"/>, with every replica initialised (epoch 0).</summary>
    /// <exception cref="ArgumentException">The spec is invalid, names another dataset, or the replica indices are negative or repeated.</exception>
    IEnsembleTrainer Create(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas);
}
