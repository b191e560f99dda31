using OrleansPigmm.Client.Tests.Support;

namespace OrleansPigmm.Client.Tests.Commands;

public sealed class BenchStoreCommandTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void A_measuring_time_that_is_not_positive_is_bad_input(string seconds)
    {
        var result = Cli.Run("bench", "store", "--seconds", seconds);

        Assert.Contains("--seconds must be more than 0", result.AssertBadInput("bench store"));
        Assert.Equal("", result.Output);
    }
}
