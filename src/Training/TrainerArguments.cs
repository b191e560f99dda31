using OrleansPigmm.Training.Data;
using OrleansPigmm.Training.Initialization;
using OrleansPigmm.Training.Randomness;

namespace OrleansPigmm.Training;

/// <summary>What every trainer backend checks of its arguments and derives from them alike: the
/// network, the samples of an epoch, and each replica's initial weights.</summary>
internal static class TrainerArguments
{
    /// <summary>Checks a trainer's arguments and returns its network.</summary>
    /// <exception cref="ArgumentException">The spec is invalid, names another dataset or more samples than it has, or the replica indices are negative or repeated.</exception>
    public static NetworkShape Validate(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(replicas);
        spec.Validate();
        if (!string.Equals(spec.Dataset, dataset.Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The spec names dataset '{spec.Dataset}' but '{dataset.Name}' was given.", nameof(dataset));
        }
        if (spec.TrainingSamples > dataset.TrainCount)
        {
            throw new ArgumentException($"The spec asks for {spec.TrainingSamples} training samples; {dataset.Name} has {dataset.TrainCount}.", nameof(spec));
        }
        if (replicas.Any(r => r < 0) || replicas.Distinct().Count() != replicas.Count)
        {
            throw new ArgumentException("Replica indices must be distinct and non-negative.", nameof(replicas));
        }
        return new NetworkShape(dataset.InputWidth, spec.HiddenWidths, dataset.Classes);
    }

    /// <summary>The training samples of every epoch.</summary>
    public static int Samples(TrainingSpec spec, Dataset dataset) => spec.TrainingSamples ?? dataset.TrainCount;

    /// <summary>Replica <paramref name="replica"/>'s initial weights of layer <paramref name="layer"/>, [out][in]: a pure function of (spec, replica, layer).</summary>
    public static float[] InitialWeights(TrainingSpec spec, NetworkShape shape, int replica, int layer)
    {
        var random = new ReplicaRandom(StreamKey.Derive(spec.Seed, replica, StreamPurpose.Initialization, layer));
        var matrix = new float[shape.Layers[layer].Weights];
        WeightInitializer.Fill(spec.Init, shape.Layers[layer], ref random, matrix);
        return matrix;
    }

    /// <summary>Replica <paramref name="replica"/>'s order of the first <paramref name="order"/>.Length samples in epoch <paramref name="epoch"/> (0-based).</summary>
    public static void DataOrder(TrainingSpec spec, int replica, int epoch, Span<int> order) =>
        new ReplicaRandom(StreamKey.Derive(spec.Seed, replica, StreamPurpose.DataOrder, epoch)).FillPermutation(order);

    /// <summary>The checkpoint in <paramref name="bytes"/>, checked to belong to this spec, replica, network and optimiser.</summary>
    /// <exception cref="InvalidDataException">The bytes are corrupt, or belong to another spec, replica, network or optimiser.</exception>
    public static ReplicaCheckpoint Checkpoint(ReadOnlySpan<byte> bytes, TrainingSpec spec, NetworkShape shape, int slot, int replica)
    {
        var checkpoint = ReplicaCheckpoint.Decode(bytes);
        if (checkpoint.SpecFingerprint != spec.Fingerprint)
        {
            throw new InvalidDataException($"The checkpoint belongs to another spec (fingerprint {checkpoint.SpecFingerprint:x16}, this trainer's is {spec.Fingerprint:x16}).");
        }
        if (checkpoint.Status.Replica != replica)
        {
            throw new InvalidDataException($"The checkpoint is of replica {checkpoint.Status.Replica}; slot {slot} holds replica {replica}.");
        }
        bool moments = spec.Optimizer.Kind == OptimizerKind.Adam;
        if (!checkpoint.Layers.SequenceEqual(shape.Layers) || (checkpoint.FirstMoments is not null) != moments)
        {
            throw new InvalidDataException($"The checkpoint's network ({string.Join(", ", checkpoint.Layers)}) or optimiser state does not match {shape}.");
        }
        return checkpoint;
    }
}
