using OrleansPigmm.Training.Gpu;
using OrleansPigmm.Training.Tests.Support;

namespace OrleansPigmm.Training.Tests.Gpu;

/// <summary>
/// The GPU backend's kernels, run on ILGPU's CPU accelerator at small sizes: the same training as
/// the CPU trainer within the tolerance below, checkpoints that move between the two, divergence,
/// bit-identity whatever the ensemble, and a clear refusal where there is no CUDA device.
/// </summary>
/// <remarks>Weights agree with the CPU trainer's within <see cref="TrainerAgreement"/>'s tolerance,
/// and the mean losses within <see cref="LossTolerance"/> relative.</remarks>
public sealed class GpuTrainerTests
{
    private const double LossTolerance = 1e-5;

    public static TheoryData<string, int[], string> Networks => new()
    {
        // The paper's net (784-10-10-10-10) with Adam, and a small wide net with SGD and L2.
        { "paper", [10, 10, 10], "adam" },
        { "wide", [48, 48], "sgd" },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void A_few_epochs_agree_with_the_cpu_trainer(string name, int[] hidden, string optimizer)
    {
        var (dataset, spec) = Setup(hidden, optimizer);
        using var cpu = Trainers.Create(spec, dataset, [0, 3]);
        using var gpu = Trainers.CreateEmulated(spec, dataset, [0, 3]);
        Trainers.AssertBitIdentical(Trainers.Weights(cpu, 1), Trainers.Weights(gpu, 1), $"{name}: initial weights");

        for (int epoch = 0; epoch < 3; epoch++)
        {
            cpu.TrainEpoch();
            gpu.TrainEpoch();
        }

        for (int slot = 0; slot < 2; slot++)
        {
            var (expected, actual) = (cpu.Status(slot), gpu.Status(slot));
            Assert.Equal((expected.Replica, expected.EpochsCompleted, expected.Steps, expected.DivergedAtEpoch), (actual.Replica, actual.EpochsCompleted, actual.Steps, actual.DivergedAtEpoch));
            Assert.True(Math.Abs(expected.LastTrainLoss - actual.LastTrainLoss) <= LossTolerance * Math.Abs(expected.LastTrainLoss),
                $"{name}, slot {slot}: loss {actual.LastTrainLoss:R}, the CPU's {expected.LastTrainLoss:R}");
            AssertClose(Trainers.Weights(cpu, slot), Trainers.Weights(gpu, slot), $"{name}, slot {slot}");
        }
        Assert.Equal(cpu.EvaluateTestAccuracy(), gpu.EvaluateTestAccuracy());
    }

    [Fact]
    public void Checkpoints_move_a_replica_between_the_devices_mid_run()
    {
        var (dataset, spec) = Setup([10, 10, 10], "adam");
        using var reference = Trainers.Create(spec, dataset, [5]);
        using var cpu = Trainers.Create(spec, dataset, [5]);
        using var gpu = Trainers.CreateEmulated(spec, dataset, [5]);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            reference.TrainEpoch();
        }
        cpu.TrainEpoch();
        gpu.ImportState(0, cpu.ExportState(0));
        gpu.TrainEpoch();
        cpu.ImportState(0, gpu.ExportState(0));
        cpu.TrainEpoch();

        Assert.Equal(reference.Status(0) with { LastTrainLoss = 0 }, cpu.Status(0) with { LastTrainLoss = 0 });
        AssertClose(Trainers.Weights(reference, 0), Trainers.Weights(cpu, 0), "CPU, GPU, CPU");
        // A state exported by the GPU trainer is complete: imported again, it exports the same bytes.
        byte[] exported = gpu.ExportState(0);
        using var again = Trainers.CreateEmulated(spec, dataset, [5]);
        again.ImportState(0, exported);
        Assert.Equal(exported, again.ExportState(0));
    }

    [Fact]
    public void A_replica_s_bits_do_not_depend_on_the_ensemble_or_a_resume()
    {
        var (dataset, spec) = Setup([10, 10, 10], "adam");
        using var three = Trainers.CreateEmulated(spec, dataset, [0, 1, 2]);
        using var alone = Trainers.CreateEmulated(spec, dataset, [2]);
        using var twice = Trainers.CreateEmulated(spec, dataset, [2, 7]);
        foreach (var trainer in new IEnsembleTrainer[] { three, alone, twice })
        {
            trainer.TrainEpoch();
            trainer.TrainEpoch();
        }

        Trainers.AssertBitIdentical(Trainers.Weights(alone, 0), Trainers.Weights(three, 2), "alone vs with replicas 0 and 1");
        Trainers.AssertBitIdentical(Trainers.Weights(alone, 0), Trainers.Weights(twice, 0), "alone vs with replica 7");
        Assert.Equal(alone.Status(0), three.Status(2));

        // Resumed from its checkpoint in another trainer after one epoch, the same bits again.
        using var before = Trainers.CreateEmulated(spec, dataset, [2]);
        before.TrainEpoch();
        using var resumed = Trainers.CreateEmulated(spec, dataset, [4, 2]);
        resumed.ImportState(1, before.ExportState(0));
        resumed.TrainEpoch();
        Assert.Equal(alone.ExportState(0), resumed.ExportState(1));
    }

    [Theory]
    [InlineData(new[] { 48, 48 })]
    [InlineData(new[] { 10, 10, 10 })]
    public void Tiled_and_one_thread_dense_products_give_the_same_bits(int[] hidden)
    {
        // Every dense layer through the tiles, against none: each value summed in the same order.
        var (dataset, spec) = Setup(hidden, "adam");
        using var tiledEverywhere = GpuTrainerBackend.CpuAccelerator(tiledFrom: 1);
        using var tiledNowhere = GpuTrainerBackend.CpuAccelerator(tiledFrom: int.MaxValue);
        using var tiled = tiledEverywhere.Create(spec, dataset, [1]);
        using var plain = tiledNowhere.Create(spec, dataset, [1]);

        tiled.TrainEpoch();
        plain.TrainEpoch();

        Trainers.AssertBitIdentical(Trainers.Weights(plain, 0), Trainers.Weights(tiled, 0), $"{string.Join('-', hidden)}: tiled vs one thread per value");
        Assert.Equal(plain.ExportState(0), tiled.ExportState(0));
    }

    [Fact]
    public void A_replica_that_diverges_is_marked_and_stops_training_while_the_others_go_on()
    {
        // Replica 1 gets a NaN weight of a unit ReLU silences: the end-of-epoch check finds it, on both devices alike.
        var (dataset, spec) = Setup([10, 10, 10], "adam");
        using var cpu = Trainers.Create(spec, dataset, [0, 1]);
        using var gpu = Trainers.CreateEmulated(spec, dataset, [0, 1]);
        var poisoned = ReplicaCheckpoint.Decode(cpu.ExportState(1));
        poisoned.Weights[2][3] = float.NaN;
        cpu.ImportState(1, poisoned.Encode());
        gpu.ImportState(1, poisoned.Encode());

        foreach (var trainer in new IEnsembleTrainer[] { cpu, gpu })
        {
            trainer.TrainEpoch();
            trainer.TrainEpoch();
        }

        Assert.Equal((0, 1), (gpu.Status(1).EpochsCompleted, gpu.Status(1).DivergedAtEpoch));
        Assert.Equal(cpu.Status(1) with { LastTrainLoss = 0 }, gpu.Status(1) with { LastTrainLoss = 0 });
        Assert.Equal((2, 0), (gpu.Status(0).EpochsCompleted, gpu.Status(0).DivergedAtEpoch));
        Assert.Equal(cpu.Status(0).Steps, gpu.Status(0).Steps);
        var accuracy = gpu.EvaluateTestAccuracy();
        Assert.True(double.IsNaN(accuracy[1]) && accuracy[0] is > 0 and <= 1, $"accuracies {accuracy[0]}, {accuracy[1]}");
    }

    [Fact]
    public void An_exploding_learning_rate_diverges_in_the_first_epoch()
    {
        var (dataset, spec) = Setup([10, 10, 10], "sgd");
        using var gpu = Trainers.CreateEmulated(spec with { Optimizer = OptimizerSpec.Sgd(1e30) }, dataset, [0]);

        gpu.TrainEpoch();

        Assert.Equal((0, 1), (gpu.Status(0).EpochsCompleted, gpu.Status(0).DivergedAtEpoch));
    }

    [Fact]
    public void Without_that_CUDA_device_the_backend_refuses_in_one_sentence()
    {
        var refusal = Assert.Throws<GpuUnavailableException>(() => GpuTrainerBackend.Cuda(999));

        Assert.Matches("^(no CUDA device: .+--device cpu\\.|there is no CUDA device 999: this machine has \\d+ \\(gpu:0 .+\\)\\.)$", refusal.Message);
    }

    private static (Training.Data.Dataset Dataset, TrainingSpec Spec) Setup(int[] hidden, string optimizer)
    {
        var dataset = TestData.Synthetic(train: 60, test: 30, pixels: 784, classes: 10);
        var spec = new TrainingSpec
        {
            Dataset = "synthetic",
            HiddenWidths = hidden,
            Optimizer = optimizer == "adam" ? OptimizerSpec.Adam() : OptimizerSpec.Sgd(0.05),
            WeightDecay = optimizer == "adam" ? 0 : 1e-3,
            BatchSize = 16,
            Seed = 11,
        };
        return (dataset, spec);
    }

    private static void AssertClose(float[][] expected, float[][] actual, string context)
    {
        for (int l = 0; l < expected.Length; l++)
        {
            for (int i = 0; i < expected[l].Length; i++)
            {
                Assert.True(TrainerAgreement.Excess(expected[l][i], actual[l][i]) <= 0, $"{context}: layer {l} weight {i} is {actual[l][i]:R} on the GPU, {expected[l][i]:R} on the CPU.");
            }
        }
    }
}
