using OrleansPigmm.Grains.Training;
using OrleansPigmm.Silo.Training;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;
using OrleansPigmm.Training.Gpu;

namespace OrleansPigmm.Silo.Tests;

/// <summary>The training device: rounds within the memory budget, and the same bits whatever the rounds.</summary>
public sealed class TrainingDeviceTests
{
    private static readonly Lazy<Dataset> Mnist = new(() => DatasetCatalog.Load("mnist"));
    private static readonly TrainingSpec Spec = new() { TrainingSamples = 2000 };
    private static readonly int[] Replicas = [0, 1, 2, 3, 4, 5];
    private static readonly int[] AnalysedLayers = [1, 2, 3];

    [Fact(Timeout = 2 * 60 * 1000)]
    public async Task Rounds_hold_no_more_replicas_than_the_memory_budget_and_give_the_bits_of_one_ensemble()
    {
        // Proves that replicas beyond the budget wait their turn, and that training in rounds of
        // two changes no bit of any replica against one ensemble of all six.
        var backend = new RecordingBackend(new CpuTrainerBackend(new TrainerOptions { Threads = 1 }));
        long stateBytes = new NetworkShape(784, Spec.HiddenWidths, 10).ParameterCount * sizeof(float) * 3;
        using var device = new TrainingDevice(backend, "cpu, recorded", 1, _ => Mnist.Value, memoryBudget: 2 * stateBytes);

        var initialised = await Task.WhenAll(Replicas.Select(r => device.TrainAsync(Request(r, 0, ReadOnlyMemory<byte>.Empty, stateBytes), CancellationToken.None)));
        var trained = await Task.WhenAll(Replicas.Select(r => device.TrainAsync(Request(r, 1, initialised[r].State, stateBytes), CancellationToken.None)));

        Assert.All(backend.Rounds, round => Assert.InRange(round.Count, 1, 2));
        Assert.Equal(Replicas, backend.Rounds.SelectMany(r => r).Distinct().Order());
        using var whole = new CpuTrainerBackend(new TrainerOptions { Threads = 1 }).Create(Spec, Mnist.Value, Replicas);
        Assert.Equal(Replicas.Select(whole.ExportState), initialised.Select(e => e.State));
        whole.TrainEpoch();
        var accuracy = whole.EvaluateTestAccuracy();
        foreach (int replica in Replicas)
        {
            Assert.Equal(whole.ExportState(replica), trained[replica].State);
            Assert.Equal(accuracy[replica], trained[replica].TestAccuracy);
            Assert.Equal(1, trained[replica].Status.EpochsCompleted);
            var weights = new float[100];
            whole.CopyWeights(replica, 2, weights);
            Assert.Equal(weights, trained[replica].Weights[1]);
        }
    }

    [Fact(Timeout = 2 * 60 * 1000)]
    public async Task A_state_that_does_not_belong_to_the_spec_fails_its_request_only()
    {
        // Proves that a corrupt checkpoint is reported to its replica and leaves the device working.
        using var device = TrainingDevice.Cpu(1, VectorWidth.Auto, _ => Mnist.Value);

        var corrupt = device.TrainAsync(Request(0, 1, new byte[] { 1, 2, 3 }, 1), CancellationToken.None);
        await Assert.ThrowsAsync<InvalidDataException>(() => corrupt);
        var fresh = await device.TrainAsync(Request(1, 0, ReadOnlyMemory<byte>.Empty, 1), CancellationToken.None);

        Assert.Equal(0, fresh.Status.EpochsCompleted);
    }

    [Fact(Timeout = 2 * 60 * 1000)]
    public async Task A_cancelled_request_is_abandoned()
    {
        // Proves that cancellation reaches a replica waiting on the device.
        using var device = TrainingDevice.Cpu(1, VectorWidth.Auto, _ => Mnist.Value);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => device.TrainAsync(Request(0, 0, ReadOnlyMemory<byte>.Empty, 1), cancellation.Token));
    }

    [Fact(Timeout = 3 * 60 * 1000)]
    public async Task A_gpu_device_trains_replicas_whose_states_a_cpu_device_resumes()
    {
        // Proves the GPU device end to end, its kernels on ILGPU's CPU accelerator: it initialises
        // and trains replicas from the same requests as the CPU device, its placement weight is the
        // replicas the device trains at once, and a replica moves to a CPU device mid-run.
        var backend = GpuTrainerBackend.CpuAccelerator();
        using var gpu = TrainingDevice.Gpu(backend, _ => Mnist.Value);
        using var cpu = TrainingDevice.Cpu(1, VectorWidth.Auto, _ => Mnist.Value);
        int[] replicas = [0, 1];

        var initialised = await Task.WhenAll(replicas.Select(r => gpu.TrainAsync(Request(r, 0, ReadOnlyMemory<byte>.Empty, 1), CancellationToken.None)));
        var onGpu = await Task.WhenAll(replicas.Select(r => gpu.TrainAsync(Request(r, 1, initialised[r].State, 1), CancellationToken.None)));
        var onCpu = await Task.WhenAll(replicas.Select(r => cpu.TrainAsync(Request(r, 2, onGpu[r].State, 1), CancellationToken.None)));

        Assert.StartsWith("gpu-emulated ", gpu.Description, StringComparison.Ordinal);
        Assert.Equal(backend.ConcurrentReplicas, gpu.TrainingSlots);
        using var reference = new CpuTrainerBackend(new TrainerOptions { Threads = 1 }).Create(Spec, Mnist.Value, replicas);
        Assert.Equal(replicas.Select(reference.ExportState), initialised.Select(e => e.State));
        reference.TrainEpoch();
        reference.TrainEpoch();
        var accuracy = reference.EvaluateTestAccuracy();
        foreach (int replica in replicas)
        {
            Assert.Equal(reference.Status(replica) with { LastTrainLoss = 0 }, onCpu[replica].Status with { LastTrainLoss = 0 });
            Assert.InRange(onCpu[replica].TestAccuracy, accuracy[replica] - 0.002, accuracy[replica] + 0.002);
            var weights = new float[100];
            reference.CopyWeights(replica, 2, weights);
            Assert.All(weights.Zip(onCpu[replica].Weights[1]), pair => Assert.True(TrainerAgreement.Excess(pair.First, pair.Second) <= 0, $"{pair.First:R} vs {pair.Second:R}"));
        }
    }

    private static EpochRequest Request(int replica, int epoch, ReadOnlyMemory<byte> state, long stateBytes) =>
        new(Spec, replica, epoch, stateBytes, _ => Task.FromResult(state), AnalysedLayers);

    /// <summary>Records the replicas of every trainer the device creates (one per round and spec).</summary>
    private sealed class RecordingBackend(ITrainerBackend inner) : ITrainerBackend
    {
        public List<IReadOnlyList<int>> Rounds { get; } = [];

        public string Name => inner.Name;

        public IEnsembleTrainer Create(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas)
        {
            lock (Rounds)
            {
                Rounds.Add([.. replicas]);
            }
            return inner.Create(spec, dataset, replicas);
        }
    }
}
