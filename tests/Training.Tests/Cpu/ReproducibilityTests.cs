using System.Runtime.Intrinsics;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Tests.Support;

namespace OrleansPigmm.Training.Tests.Cpu;

/// <summary>A replica's weights depend only on (spec, replica index): not on the other replicas,
/// the thread count, the vector width, or interruptions.</summary>
public class ReproducibilityTests
{
    private static readonly TrainingSpec Spec = new() { Dataset = "synthetic", HiddenWidths = [10, 10, 10], TrainingSamples = 300, Seed = 42 };
    private static readonly Lazy<OrleansPigmm.Training.Data.Dataset> Data = new(() => TestData.Synthetic(train: 300, test: 50));

    private static float[][] TrainAndRead(int[] replicas, int slot, int epochs, int threads, VectorWidth width = VectorWidth.Auto)
    {
        using var trainer = Trainers.Create(Spec, Data.Value, replicas, threads, width);
        for (int e = 0; e < epochs; e++)
        {
            trainer.TrainEpoch();
        }
        return Trainers.Weights(trainer, slot);
    }

    [Fact]
    public void A_replica_is_bit_identical_alone_in_batches_of_7_and_1000_and_on_1_or_16_threads()
    {
        const int replica = 5;
        var alone = TrainAndRead([replica], 0, epochs: 2, threads: 1);

        Trainers.AssertBitIdentical(alone, TrainAndRead([0, 1, 2, 3, 4, 5, 6], replica, epochs: 2, threads: 2), "batch of 7, 2 threads");
        Trainers.AssertBitIdentical(alone, TrainAndRead([9, 5, 100, 3, 7, 11, 2], 1, epochs: 2, threads: 16), "non-contiguous batch of 7, 16 threads");
        Trainers.AssertBitIdentical(alone, TrainAndRead(Enumerable.Range(0, 1000).ToArray(), replica, epochs: 2, threads: 2), "batch of 1000");
    }

    [Fact]
    public void Different_replicas_get_different_initialisations()
    {
        using var trainer = Trainers.Create(Spec, Data.Value, [0, 1]);
        Assert.NotEqual(Trainers.Weights(trainer, 0)[1], Trainers.Weights(trainer, 1)[1]);
    }

    [Fact]
    public void Every_vector_width_gives_the_same_bits()
    {
        var narrow = TrainAndRead([3], 0, epochs: 1, threads: 1, VectorWidth.Bits128);
        if (Vector256.IsHardwareAccelerated)
        {
            Trainers.AssertBitIdentical(narrow, TrainAndRead([3], 0, epochs: 1, threads: 1, VectorWidth.Bits256), "256-bit vs 128-bit");
        }
        if (Vector512.IsHardwareAccelerated)
        {
            Trainers.AssertBitIdentical(narrow, TrainAndRead([3], 0, epochs: 1, threads: 1, VectorWidth.Bits512), "512-bit vs 128-bit");
        }
    }

    [Fact]
    public void Resuming_from_an_exported_state_is_bit_identical_to_an_uninterrupted_run()
    {
        int[] replicas = [2, 8];
        using var uninterrupted = Trainers.Create(Spec, Data.Value, replicas);
        for (int e = 0; e < 3; e++)
        {
            uninterrupted.TrainEpoch();
        }

        byte[][] checkpoints;
        using (var first = Trainers.Create(Spec, Data.Value, replicas))
        {
            first.TrainEpoch();
            checkpoints = [first.ExportState(0), first.ExportState(1)];
        }
        // Resume in another trainer, with the replicas in other slots and other company.
        using var resumed = Trainers.Create(Spec, Data.Value, [8, 50, 2], threads: 1);
        resumed.ImportState(0, checkpoints[1]);
        resumed.ImportState(2, checkpoints[0]);
        resumed.TrainEpoch();
        resumed.TrainEpoch();

        Trainers.AssertBitIdentical(Trainers.Weights(uninterrupted, 0), Trainers.Weights(resumed, 2), "replica 2");
        Trainers.AssertBitIdentical(Trainers.Weights(uninterrupted, 1), Trainers.Weights(resumed, 0), "replica 8");
        Assert.Equal(uninterrupted.ExportState(0), resumed.ExportState(2));
        Assert.Equal(3, resumed.Status(2).EpochsCompleted);
        Assert.Equal(uninterrupted.Status(0).Steps, resumed.Status(2).Steps);
    }

    [Fact]
    public void A_checkpoint_is_refused_by_another_spec_another_replica_or_when_corrupt()
    {
        using var trainer = Trainers.Create(Spec, Data.Value, [1, 2]);
        var state = trainer.ExportState(0);
        using var otherSpec = Trainers.Create(Spec with { Seed = 43 }, Data.Value, [1]);

        Assert.Contains("another spec", Assert.Throws<InvalidDataException>(() => otherSpec.ImportState(0, state)).Message);
        Assert.Contains("replica 1", Assert.Throws<InvalidDataException>(() => trainer.ImportState(1, state)).Message);
        state[200] ^= 1;
        Assert.Contains("corrupt", Assert.Throws<InvalidDataException>(() => trainer.ImportState(0, state)).Message);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => trainer.ImportState(0, state.AsSpan(8))).Message);
    }

    [Fact]
    public void A_diverging_replica_is_reported_and_leaves_the_others_untouched()
    {
        int[] replicas = [0, 1, 2];
        using var clean = Trainers.Create(Spec, Data.Value, replicas);
        using var poisoned = Trainers.Create(Spec, Data.Value, replicas);
        poisoned.ImportState(1, WithNaNWeight(poisoned.ExportState(1)));

        clean.TrainEpoch();
        poisoned.TrainEpoch();
        poisoned.TrainEpoch();

        Assert.True(poisoned.Status(1).Diverged);
        Assert.Equal(1, poisoned.Status(1).DivergedAtEpoch);
        Assert.Equal(0, poisoned.Status(1).EpochsCompleted);
        Assert.True(double.IsNaN(poisoned.EvaluateTestAccuracy()[1]));
        clean.TrainEpoch();
        foreach (int slot in new[] { 0, 2 })
        {
            Assert.False(poisoned.Status(slot).Diverged);
            Trainers.AssertBitIdentical(Trainers.Weights(clean, slot), Trainers.Weights(poisoned, slot), $"slot {slot}");
        }
    }

    private static byte[] WithNaNWeight(byte[] state)
    {
        var checkpoint = ReplicaCheckpoint.Decode(state);
        checkpoint.Weights[1][3] = float.NaN;
        return checkpoint.Encode();
    }
}
