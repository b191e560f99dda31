using System.Net;
using OrleansPigmm.Silo.Hosting;

namespace OrleansPigmm.Silo.Tests;

/// <summary>When a silo takes itself to run in a Kubernetes pod, and what it then demands of the
/// pod's variables before Orleans' Kubernetes hosting is switched on.</summary>
public sealed class KubernetesPodTests
{
    private static readonly IPAddress PodIp = IPAddress.Parse("10.244.1.7");

    private static Dictionary<string, string> InAPod() => new()
    {
        [KubernetesPod.ServiceHostVariable] = "10.96.0.1",
        ["POD_NAME"] = "pigmm-silo-7d9f8-abcde",
        ["POD_NAMESPACE"] = "pigmm",
        ["POD_IP"] = PodIp.ToString(),
        ["ORLEANS_CLUSTER_ID"] = "pigmm",
        ["ORLEANS_SERVICE_ID"] = PigmmCluster.ServiceId,
    };

    private static KubernetesPod? Read(Dictionary<string, string> variables, string clusterId = "pigmm") =>
        KubernetesPod.FromEnvironment(name => variables.GetValueOrDefault(name), clusterId, PodIp);

    [Fact]
    public void WithoutTheKubeletsVariableASiloIsNotInAPodWhateverElseIsSet()
    {
        var variables = InAPod();
        variables.Remove(KubernetesPod.ServiceHostVariable);

        Assert.Null(Read(variables));
        Assert.Null(Read([]));
    }

    [Fact]
    public void InAPodWithEveryVariableTheSiloKnowsItsPod()
    {
        Assert.Equal(new KubernetesPod("pigmm-silo-7d9f8-abcde", "pigmm"), Read(InAPod()));
    }

    [Fact]
    public void InAPodEveryMissingVariableIsNamed()
    {
        var variables = InAPod();
        variables.Remove("POD_NAME");
        variables["POD_IP"] = " ";

        var refusal = Assert.Throws<InvalidOperationException>(() => Read(variables));

        Assert.Contains("does not give POD_NAME, POD_IP;", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ORLEANS_CLUSTER_ID", "other", "--cluster-id is 'pigmm'")]
    [InlineData("ORLEANS_SERVICE_ID", "other", "service id 'orleanspigmm'")]
    [InlineData("POD_IP", "10.244.1.8", "the silo advertises 10.244.1.7")]
    [InlineData("POD_IP", "not-an-address", "the silo advertises 10.244.1.7")]
    public void InAPodVariablesThatDisagreeWithTheSilosSettingsAreRefused(string variable, string value, string explanation)
    {
        var variables = InAPod();
        variables[variable] = value;

        var refusal = Assert.Throws<InvalidOperationException>(() => Read(variables));

        Assert.StartsWith($"{variable} is '{value}'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(explanation, refusal.Message, StringComparison.Ordinal);
    }
}
