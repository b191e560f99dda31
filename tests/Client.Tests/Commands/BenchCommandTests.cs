namespace OrleansPigmm.Client.Tests.Commands;

public class BenchCommandTests
{
    [Fact]
    public void Bench_train_prints_rates_and_says_when_the_peer_is_missing()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exit = PigmmCommandLine.Run(["bench", "train", "--replicas", "2,3", "--wide-replicas", "1", "--peer", "/nonexistent/torch_ensemble.py"], output, error);

        Assert.True(exit == 0, error.ToString());
        string text = output.ToString();
        Assert.Contains("PyTorch peer skipped: /nonexistent/torch_ensemble.py not found", text);
        Assert.Contains("fp32 peak measured now", text);
        Assert.Contains("784-10-10-10-10", text);
        Assert.Contains("784-640-640-10", text);
        Assert.Contains("Projected paper workload (1000 replicas x 50 epochs)", text);
    }
}
