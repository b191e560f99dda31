using System.Runtime.InteropServices;

namespace OrleansPigmm.Storage.Tests;

/// <summary>Deterministic experiments, commits and values for the store tests, and comparisons
/// that look at bits rather than values (so NaN payloads and -0.0 count).</summary>
internal static class TestData
{
    public const int InvariantCount = 5;

    public static ExperimentRecord Experiment(string id, DateTimeOffset createdAt, int replicas = 4, int epochs = 3, int layers = 2, int matrixSize = 3) =>
        new(id, $$"""{"name":"{{id}}","replicas":{{replicas}}}""", replicas, epochs, layers, matrixSize, createdAt);

    public static float[] Weights(ExperimentRecord experiment, int replica, int layer, int epoch) =>
        Enumerable.Range(0, experiment.MatrixSize * experiment.MatrixSize)
            .Select(i => (float)Math.Sin(1 + 0.7 * replica + 1.3 * layer + 0.4 * epoch + 0.1 * i))
            .ToArray();

    public static double[] Invariants(int replica, int layer, int epoch) =>
        Enumerable.Range(0, InvariantCount).Select(k => Math.Cos(0.3 * replica + 0.5 * layer + 0.9 * epoch + k)).ToArray();

    public static SnapshotRecord Snapshot(ExperimentRecord experiment, int replica, int layer, int epoch, bool keepWeights = true) =>
        new(replica, layer, epoch, keepWeights ? Weights(experiment, replica, layer, epoch) : null, Invariants(replica, layer, epoch), Diverged: false);

    public static ReplicaMetrics Metrics(int replica, int epoch) =>
        new(replica, epoch, epoch == 0 ? double.NaN : 2.0 / (epoch + replica + 1), epoch == 0 ? null : 0.5 + 0.01 * replica, Diverged: false);

    public static byte[] Checkpoint(int replica, int epoch) =>
        Enumerable.Range(0, 64 + replica).Select(i => (byte)(i * 7 + replica * 31 + epoch * 13)).ToArray();

    /// <summary>The commit of one epoch of one replica, every layer included.</summary>
    public static ReplicaEpochCommit Commit(ExperimentRecord experiment, int replica, int epoch, bool keepWeights = true) => new(
        experiment.Id,
        replica,
        epoch,
        Checkpoint(replica, epoch),
        Enumerable.Range(1, experiment.Layers).Select(l => Snapshot(experiment, replica, l, epoch, keepWeights)).ToList(),
        Metrics(replica, epoch));

    /// <summary>The commits of one epoch of <paramref name="replicas"/> (every replica by default), as one group.</summary>
    public static List<ReplicaEpochCommit> Group(ExperimentRecord experiment, int epoch, IEnumerable<int>? replicas = null, bool keepWeights = true) =>
        (replicas ?? Enumerable.Range(0, experiment.Replicas)).Select(r => Commit(experiment, r, epoch, keepWeights)).ToList();

    public static void AssertSame(SnapshotRecord expected, SnapshotRecord actual)
    {
        Assert.Equal((expected.Replica, expected.Layer, expected.Epoch, expected.Diverged), (actual.Replica, actual.Layer, actual.Epoch, actual.Diverged));
        Assert.Equal(Bits(expected.Weights), Bits(actual.Weights));
        Assert.Equal(Bits(expected.Invariants), Bits(actual.Invariants));
    }

    public static void AssertSame(ReplicaMetrics expected, ReplicaMetrics actual)
    {
        Assert.Equal((expected.Replica, expected.Epoch, expected.Diverged), (actual.Replica, actual.Epoch, actual.Diverged));
        AssertSameValue(expected.TrainLoss, actual.TrainLoss);
        Assert.Equal(expected.TestAccuracy.HasValue, actual.TestAccuracy.HasValue);
        if (expected.TestAccuracy is { } accuracy)
        {
            AssertSameValue(accuracy, actual.TestAccuracy!.Value);
        }
    }

    /// <summary>Equal bits, except that any NaN matches any NaN (a backend may canonicalise NaN
    /// metrics; weights and invariants, which must keep their bits, are compared with <see cref="Bits"/>).</summary>
    private static void AssertSameValue(double expected, double actual)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"Expected NaN, got {actual}.");
        }
        else
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
        }
    }

    public static int[]? Bits(float[]? values) => values is null ? null : MemoryMarshal.Cast<float, int>(values).ToArray();

    public static long[]? Bits(double[]? values) => values is null ? null : MemoryMarshal.Cast<double, long>(values).ToArray();

    /// <summary>Float32 values that a careless encoding would change: NaNs with payloads and sign,
    /// infinities, -0.0, the smallest subnormal, the extremes.</summary>
    public static float[] ExtremeSingles() =>
    [
        float.NaN, BitConverter.Int32BitsToSingle(0x7FC00001), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC12345)), BitConverter.Int32BitsToSingle(0x7F800001),
        float.PositiveInfinity, float.NegativeInfinity, -0.0f, 0.0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue,
        BitConverter.Int32BitsToSingle(0x007FFFFF), 1.0f / 3.0f,
    ];

    /// <summary>The float64 counterparts of <see cref="ExtremeSingles"/>.</summary>
    public static double[] ExtremeDoubles() =>
    [
        double.NaN, BitConverter.Int64BitsToDouble(0x7FF8000000000001), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000ABCDEF)), BitConverter.Int64BitsToDouble(0x7FF0000000000001),
        double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue,
        BitConverter.Int64BitsToDouble(0x000FFFFFFFFFFFFF), 1.0 / 3.0,
    ];
}
