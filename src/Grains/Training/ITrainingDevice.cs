using OrleansPigmm.Training;

namespace OrleansPigmm.Grains.Training;

/// <summary>
/// A silo's compute for training (its CPU cores today, a GPU later). Replica grains hand it one
/// epoch at a time; it trains every replica that is waiting together, on threads of its own
/// (never the grain scheduler's), and keeps at most its memory budget's worth of replicas
/// resident: the others wait their turn, lowest epoch first, so every replica reaches epoch e
/// before any goes past it.
/// </summary>
public interface ITrainingDevice
{
    /// <summary>Describes the device, e.g. "cpu, 2 threads, 512-bit vectors".</summary>
    string Description { get; }

    /// <summary>Replicas the device trains at once at full speed: the silo's weight in placement.</summary>
    int TrainingSlots { get; }

    /// <summary>Trains one epoch of a replica (or, for epoch 0, initialises it) and returns its
    /// state after it. Completes on the device's thread; cancellation abandons the epoch.</summary>
    /// <exception cref="InvalidDataException">The replica's stored state is corrupt or is not of this spec.</exception>
    Task<TrainedEpoch> TrainAsync(EpochRequest request, CancellationToken cancellationToken);
}

/// <summary>One epoch of one replica to train.</summary>
/// <param name="Spec">What the replica follows.</param>
/// <param name="Replica">The replica index: it fixes its initialisation and data order.</param>
/// <param name="Epoch">The epoch to reach: 0 initialises the replica, e trains epoch e from the
/// state after e - 1.</param>
/// <param name="StateBytes">The memory the replica's state takes on the device (its budget share).</param>
/// <param name="LoadState">The state after epoch - 1 (empty for epoch 0), fetched only when the
/// device admits the replica, so that waiting replicas hold no memory.</param>
/// <param name="CopiedLayers">0-based weight matrices whose weights come back.</param>
public sealed record EpochRequest(
    TrainingSpec Spec,
    int Replica,
    int Epoch,
    long StateBytes,
    Func<CancellationToken, Task<ReadOnlyMemory<byte>>> LoadState,
    IReadOnlyList<int> CopiedLayers);

/// <summary>A replica after an epoch.</summary>
/// <param name="State">The trainer state (<see cref="IEnsembleTrainer.ExportState"/>): the checkpoint to commit.</param>
/// <param name="Status">Counters, loss and divergence.</param>
/// <param name="Weights">The copied layers' weights, [out][in], in the order asked for.</param>
/// <param name="TestAccuracy">Fraction of the test images classified correctly; NaN when diverged.</param>
public sealed record TrainedEpoch(byte[] State, ReplicaStatus Status, IReadOnlyList<float[]> Weights, double TestAccuracy);
