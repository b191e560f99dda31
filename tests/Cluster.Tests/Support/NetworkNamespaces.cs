using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansPigmm.Cluster.Tests.Support;

/// <summary>
/// Network namespaces joined by a bridge of their own, so that processes of a test each have an
/// address and their links can be cut. The bridge gets address .1 of a private /24 picked at random
/// among 10.213.X.0/24 that no interface of the host uses; namespace i (named pigmm-TAG-i) gets .i+2
/// on a veth pair whose host end is on the bridge. Needs root and iproute2. Dispose kills what runs
/// in the namespaces, then deletes the namespaces, veth pairs and bridge it made, and nothing else.
/// </summary>
internal sealed partial class NetworkNamespaces : IDisposable
{
    private const string Prefix = "10.213.";
    private readonly string tag;
    private readonly int third;
    private readonly List<string> created = [];
    private bool bridgeCreated;
    private readonly IDisposable owed;

    private NetworkNamespaces(string tag, int third, int count)
    {
        this.tag = tag;
        this.third = third;
        Count = count;
        owed = LeftBehind.Register(string.Join("; ", Enumerable.Range(0, count).Select(index =>
            $"for pid in $(ip netns pids {Name(index)} 2>/dev/null); do kill -KILL $pid; done; sleep 0.5; ip netns delete {Name(index)}; ip link delete {HostLink(index)}")
            .Append($"ip link delete {Bridge}")));
    }

    /// <summary>How many namespaces there are.</summary>
    public int Count { get; }

    /// <summary>The bridge, on the host.</summary>
    public string Bridge => $"pgm{tag}br";

    /// <summary>The host's own address on the bridge, which every namespace reaches.</summary>
    public string BridgeAddress => Host(1);

    /// <summary>The /24 of the bridge, in CIDR form.</summary>
    public string Subnet => $"{Prefix}{third}.0/24";

    /// <summary>The name of namespace <paramref name="index"/>.</summary>
    public string Name(int index) => $"pigmm-{tag}-{Checked(index)}";

    /// <summary>The address of namespace <paramref name="index"/>.</summary>
    public string Address(int index) => Host(Checked(index) + 2);

    /// <summary>The host end of namespace <paramref name="index"/>'s veth pair, on the bridge.</summary>
    public string HostLink(int index) => $"pgm{tag}h{Checked(index)}";

    /// <summary>What runs a program inside namespace <paramref name="index"/> (the program must be a full path).</summary>
    public IReadOnlyList<string> Exec(int index) => ["ip", "netns", "exec", Name(index)];

    /// <summary>Makes the bridge and <paramref name="count"/> namespaces on it.</summary>
    public static NetworkNamespaces Create(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 200);
        for (int attempt = 0; ; attempt++)
        {
            var free = Enumerable.Range(1, 254).Except(SubnetsInUse()).ToList();
            if (free.Count == 0)
            {
                throw new InvalidOperationException($"Every {Prefix}X.0/24 is in use on this host.");
            }
            var network = new NetworkNamespaces(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..6], free[Random.Shared.Next(free.Count)], count);
            try
            {
                network.MakeBridge();
                // Another run may have picked the same /24 at the same moment: only one keeps it.
                if (AddressesOn(network.third).Distinct().Count() > 1 && attempt < 5)
                {
                    network.Dispose();
                    continue;
                }
                for (int index = 0; index < count; index++)
                {
                    network.MakeNamespace(index);
                }
                return network;
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }
    }

    /// <summary>Cuts namespace <paramref name="index"/> off: the host end of its link goes down,
    /// so it reaches nothing and nothing reaches it; what runs inside keeps running.</summary>
    public void Cut(int index) => HostCommand.Run("ip", "link", "set", HostLink(index), "down");

    /// <summary>Joins namespace <paramref name="index"/> to the bridge again.</summary>
    public void Restore(int index) => HostCommand.Run("ip", "link", "set", HostLink(index), "up");

    /// <summary>The ids of the processes running inside namespace <paramref name="index"/>.</summary>
    public IReadOnlyList<int> Processes(int index) => ProcessesIn(Name(index));

    public void Dispose()
    {
        foreach (string name in created)
        {
            KillEverythingIn(name);
            HostCommand.Try("ip", "netns", "delete", name);
        }
        // Deleting a namespace deletes its veth pair with it; a pair whose namespace was never made is left.
        for (int index = 0; index < Count; index++)
        {
            if (LinkExists(HostLink(index)))
            {
                HostCommand.Try("ip", "link", "delete", HostLink(index));
            }
        }
        if (bridgeCreated)
        {
            HostCommand.Try("ip", "link", "delete", Bridge);
        }
        created.Clear();
        bridgeCreated = false;
        owed.Dispose();
    }

    /// <summary>Whether a network interface of the host is called <paramref name="name"/>.</summary>
    public static bool LinkExists(string name) => HostCommand.Try("ip", "link", "show", "dev", name).ExitCode == 0;

    /// <summary>The names of the host's network namespaces.</summary>
    public static IReadOnlyList<string> NamespacesOfHost() =>
        HostCommand.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0]).ToList();

    private void MakeBridge()
    {
        HostCommand.Run("ip", "link", "add", "name", Bridge, "type", "bridge");
        bridgeCreated = true;
        HostCommand.Run("ip", "addr", "add", $"{BridgeAddress}/24", "dev", Bridge);
        HostCommand.Run("ip", "link", "set", Bridge, "up");
    }

    private void MakeNamespace(int index)
    {
        string name = Name(index);
        string inside = $"pgm{tag}n{index}";
        HostCommand.Run("ip", "netns", "add", name);
        created.Add(name);
        HostCommand.Run("ip", "link", "add", HostLink(index), "type", "veth", "peer", "name", inside, "netns", name);
        HostCommand.Run("ip", "link", "set", HostLink(index), "master", Bridge);
        HostCommand.Run("ip", "link", "set", HostLink(index), "up");
        HostCommand.Run("ip", "netns", "exec", name, "ip", "addr", "add", $"{Address(index)}/24", "dev", inside);
        HostCommand.Run("ip", "netns", "exec", name, "ip", "link", "set", inside, "up");
        HostCommand.Run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
    }

    private static void KillEverythingIn(string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        for (var pids = ProcessesIn(name); pids.Count > 0 && DateTime.UtcNow < deadline; pids = ProcessesIn(name))
        {
            foreach (int pid in pids)
            {
                HostCommand.Try("kill", "-KILL", pid.ToString(CultureInfo.InvariantCulture));
            }
            Thread.Sleep(100);
        }
    }

    private static List<int> ProcessesIn(string name)
    {
        var listed = HostCommand.Try("ip", "netns", "pids", name);
        return listed.ExitCode != 0
            ? []
            : listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(pid => int.Parse(pid.Trim(), CultureInfo.InvariantCulture)).ToList();
    }

    private string Host(int last) => $"{Prefix}{third}.{last}";

    private int Checked(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return index;
    }

    /// <summary>The third numbers X of every 10.213.X.Y address on an interface of the host.</summary>
    private static IEnumerable<int> SubnetsInUse() =>
        HostAddresses().Select(address => int.Parse(address.Split('.')[2], CultureInfo.InvariantCulture));

    /// <summary>The interfaces holding an address of 10.213.<paramref name="third"/>.0/24.</summary>
    private static IEnumerable<string> AddressesOn(int third) =>
        HostCommand.Run("ip", "-o", "-4", "addr").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => OurAddress().Match(line) is { Success: true } match && match.Groups["third"].Value == third.ToString(CultureInfo.InvariantCulture))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    private static IEnumerable<string> HostAddresses() =>
        HostCommand.Run("ip", "-o", "-4", "addr").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => OurAddress().Match(line))
            .Where(match => match.Success)
            .Select(match => match.Value);

    [GeneratedRegex(@"10\.213\.(?<third>\d{1,3})\.\d{1,3}")]
    private static partial Regex OurAddress();
}
