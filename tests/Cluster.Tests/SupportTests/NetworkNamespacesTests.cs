using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OrleansPigmm.Cluster.Tests.Support;

namespace OrleansPigmm.Cluster.Tests.SupportTests;

/// <summary>The namespaces the partition test puts silos in: joined by their bridge, cut off and
/// restored one by one, and gone without a trace when disposed.</summary>
public sealed class NetworkNamespacesTests
{
    private const int Port = 47321;

    [Fact(Timeout = 60_000)]
    public async Task NamespacesReachEachOtherAndTheBridgeUntilCutAndAgainWhenRestored()
    {
        string[] names;
        string[] links;
        int listenerId;
        using (var network = NetworkNamespaces.Create(2))
        {
            names = [network.Name(0), network.Name(1)];
            links = [network.Bridge, network.HostLink(0), network.HostLink(1)];
            Assert.All(names, name => Assert.Contains(name, NetworkNamespaces.NamespacesOfHost()));
            Assert.All(links, link => Assert.True(NetworkNamespaces.LinkExists(link), link));
            Assert.Matches(@"^10\.213\.\d{1,3}\.1$", network.BridgeAddress);
            Assert.Equal(network.BridgeAddress[..^1] + "2", network.Address(0));

            using var host = new TcpListener(IPAddress.Parse(network.BridgeAddress), Port);
            host.Start();
            using var listener = StartListener(network, 0);
            listenerId = listener.Id;
            Assert.Contains(listenerId, network.Processes(0));

            Assert.True(Reaches(network, 1, network.Address(0)), "namespace 1 reaches namespace 0");
            Assert.True(Reaches(network, 0, network.BridgeAddress), "namespace 0 reaches the bridge");
            Assert.True(Reaches(network, 1, network.BridgeAddress), "namespace 1 reaches the bridge");
            // Each namespace is a network stack of its own: nothing listens on its loopback.
            Assert.False(Reaches(network, 1, "127.0.0.1"), "namespace 1 has its own loopback");

            network.Cut(0);
            Assert.False(Reaches(network, 1, network.Address(0)), "nothing reaches a cut namespace");
            Assert.False(Reaches(network, 0, network.BridgeAddress), "a cut namespace reaches nothing");
            Assert.True(Reaches(network, 1, network.BridgeAddress), "the others still reach the bridge");

            network.Restore(0);
            Assert.True(await EventuallyAsync(() => Reaches(network, 1, network.Address(0))), "a restored namespace is reached again");
            Assert.True(await EventuallyAsync(() => Reaches(network, 0, network.BridgeAddress)), "a restored namespace reaches the bridge again");
            // The listener is left running: disposing must end it.
        }

        Assert.All(names, name => Assert.DoesNotContain(name, NetworkNamespaces.NamespacesOfHost()));
        Assert.All(links, link => Assert.False(NetworkNamespaces.LinkExists(link), link));
        Assert.False(IsRunning(listenerId), "the process left in the namespace was killed");
        // No veth of the set is left either (their names all start as the bridge's).
        Assert.DoesNotContain(links[0][..^2], HostCommand.Run("ip", "link"));
    }

    [Fact]
    public void EachSetPicksA24NoInterfaceUses()
    {
        using var first = NetworkNamespaces.Create(1);
        using var second = NetworkNamespaces.Create(1);

        Assert.NotEqual(first.Subnet, second.Subnet);
        Assert.NotEqual(first.Name(0), second.Name(0));
        Assert.Equal(1, HostCommand.Run("ip", "-o", "-4", "addr").Split('\n').Count(line => line.Contains($" {first.BridgeAddress}/24 ", StringComparison.Ordinal)));
        Assert.Throws<ArgumentOutOfRangeException>(() => first.Address(1));
    }

    /// <summary>A connection from inside namespace <paramref name="from"/> to <paramref name="address"/>
    /// on the test port is accepted within two seconds.</summary>
    private static bool Reaches(NetworkNamespaces network, int from, string address) =>
        HostCommand.Try("ip", [.. network.Exec(from).Skip(1), "timeout", "2", "bash", "-c", $"exec 3<>/dev/tcp/{address}/{Port}"]).ExitCode == 0;

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(500);
        }
        return false;
    }

    /// <summary>A TCP listener on the test port of namespace <paramref name="index"/>'s address,
    /// accepting and closing every connection (perl, which every Debian has).</summary>
    private static Process StartListener(NetworkNamespaces network, int index)
    {
        string script = $"use IO::Socket::INET; $| = 1; my $s = IO::Socket::INET->new(LocalAddr => '{network.Address(index)}', LocalPort => {Port}, Listen => 5, ReuseAddr => 1) or die $!; "
            + "print \"ready\\n\"; while (my $c = $s->accept) { close $c; }";
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in network.Exec(index).Skip(1).Concat([HostCommand.Resolve("perl"), "-e", script]))
        {
            start.ArgumentList.Add(argument);
        }
        var listener = Process.Start(start)!;
        Assert.Equal("ready", listener.StandardOutput.ReadLine());
        return listener;
    }

    private static bool IsRunning(int pid) =>
        File.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat")
        && !File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal);
}
