using System.Runtime.CompilerServices;
using OrleansPigmm.Formats.Npy;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Outputs;

/// <summary>
/// An experiment's raw weight snapshots as one float32 array (R, E+1, L, n, n), the layout of
/// <c>pigmm train</c>: replica, epoch (0 = initialisation), analysed layer, then each matrix
/// [out][in]. <c>pigmm export</c> writes it to a file and the HTTP API streams it; both read it
/// here, one matrix at a time, so that an array of any size passes through little memory.
/// </summary>
public static class SnapshotArray
{
    /// <summary>The array's shape: (R, E+1, L, n, n).</summary>
    public static long[] Shape(ExperimentRecord experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        return [experiment.Replicas, experiment.Epochs + 1, experiment.Layers, experiment.MatrixSize, experiment.MatrixSize];
    }

    /// <summary>The .npy header of the array (float32, C order, little-endian).</summary>
    public static byte[] NpyHeader(ExperimentRecord experiment) => Formats.Npy.NpyHeader.Encode(NpyElementType.Float32, Shape(experiment));

    /// <summary>The size of the whole .npy file, header included, in bytes.</summary>
    public static long NpyLength(ExperimentRecord experiment) =>
        NpyHeader(experiment).Length + 4L * Shape(experiment).Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>
    /// The matrices of the array in C order. Every (replica, epoch, layer) must have kept its
    /// weights; once one is found missing, nothing more is yielded, and the enumeration ends with
    /// <see cref="MissingWeightsException"/> naming every epoch whose weights are missing.
    /// </summary>
    public static async IAsyncEnumerable<float[]> ReadAsync(IPigmmStore store, ExperimentRecord experiment, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(experiment);
        int layers = experiment.Layers, epochs = experiment.Epochs + 1;
        long expected = 0;
        var missingEpochs = new SortedSet<int>();
        void Missing(long upTo)
        {
            for (; expected < upTo; expected++)
            {
                missingEpochs.Add((int)(expected / layers % epochs));
            }
        }
        await foreach (var snapshot in store.ReadWeightsAsync(experiment.Id, cancellationToken).ConfigureAwait(false))
        {
            long index = ((long)snapshot.Replica * epochs + snapshot.Epoch) * layers + snapshot.Layer - 1;
            Missing(index);
            if (missingEpochs.Count == 0)
            {
                yield return snapshot.Weights!;
            }
            expected = index + 1;
        }
        Missing((long)experiment.Replicas * epochs * layers);
        if (missingEpochs.Count > 0)
        {
            throw new MissingWeightsException($"experiment {experiment.Id} kept no raw weights for epoch{(missingEpochs.Count == 1 ? "" : "s")} {Ranges(missingEpochs)} (its keep_weights_every retention drops them); only complete snapshot arrays are exported.");
        }
    }

    /// <summary>"0-2, 5, 7-9" for a sorted set of integers.</summary>
    private static string Ranges(SortedSet<int> values)
    {
        var parts = new List<string>();
        int? start = null, end = null;
        foreach (int value in values.Append(int.MinValue))
        {
            if (start is not null && value == end + 1)
            {
                end = value;
                continue;
            }
            if (start is not null)
            {
                parts.Add(start == end ? $"{start}" : $"{start}-{end}");
            }
            (start, end) = (value, value);
        }
        return string.Join(", ", parts);
    }
}

/// <summary>An experiment's retention policy dropped raw weights its snapshot array needs.</summary>
public sealed class MissingWeightsException(string message) : Exception(message);
