using OrleansPigmm.Client.Tests.Support;

namespace OrleansPigmm.Client.Tests.Commands;

public class BenchCommandTests
{
    [Fact]
    public void Bench_train_prints_rates_and_says_when_the_peer_is_missing()
    {
        var result = Cli.Run("bench", "train", "--replicas", "2,3", "--wide-replicas", "1", "--peer", "/nonexistent/torch_ensemble.py");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("PyTorch peer skipped: /nonexistent/torch_ensemble.py not found", result.Output);
        Assert.Contains("fp32 peak measured now", result.Output);
        Assert.Contains("784-10-10-10-10", result.Output);
        Assert.Contains("784-640-640-10", result.Output);
        Assert.Contains("Projected paper workload (1000 replicas x 50 epochs)", result.Output);
    }

    [Fact]
    public void Bench_train_refuses_an_empty_ensemble_in_one_line()
    {
        Assert.Contains("--replicas", Cli.Run("bench", "train", "--replicas", "0", "--no-peer").AssertBadInput("bench train"));
    }

    [Fact]
    public void Bench_train_on_a_gpu_that_is_not_there_refuses_in_one_line()
    {
        Assert.Contains("no CUDA device", Cli.Run("bench", "train", "--device", "gpu:99", "--no-peer").AssertBadInput("bench train"));
    }

    [Fact]
    public void Bench_train_on_the_emulated_gpu_checks_it_against_the_cpu_and_prints_its_rows_beside_the_cpu_s()
    {
        var result = Cli.Run("bench", "train", "--device", "gpu-emulated", "--n-train", "300", "--replicas", "1", "--wide-replicas", "1",
            "--gpu-replicas", "2", "--gpu-wide-replicas", "1", "--no-peer");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("against the CPU trainer, 4 replicas x 2 epochs of 2000 images: every weight within 1E-05 + 0.0001·|w|", result.Output);
        Assert.Contains("measured cpu 784-10-10-10-10 R=1:", result.Output);
        Assert.Contains("measured gpu 784-10-10-10-10 R=2:", result.Output);
        Assert.Contains("measured gpu 784-640-640-10 R=1:", result.Output);
        Assert.DoesNotContain("Projected paper workload", result.Output);
    }
}
