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
}
