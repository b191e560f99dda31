using Orleans.Configuration;

namespace OrleansPigmm.Silo.Hosting;

/// <summary>The Orleans cluster identity every silo and console of this product shares, and the
/// failure detection a training cluster wants.</summary>
public static class PigmmCluster
{
    /// <summary>The Orleans service id.</summary>
    public const string ServiceId = "orleanspigmm";

    /// <summary>The Orleans cluster id unless one is given.</summary>
    public const string ClusterId = "pigmm";

    /// <summary>The silo-to-silo port a long-lived silo listens on unless told otherwise.</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>The port a long-lived silo accepts consoles on unless told otherwise.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>How often a console re-reads the live gateways from the membership table.</summary>
    public static readonly TimeSpan GatewayListRefresh = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Failure detection for a training cluster: a silo whose process dies is declared dead
    /// within about a second (its connections close, so probes fail at once), one that stops
    /// answering (frozen, cut off) within a few seconds (two missed probes of 1 s each, two
    /// votes), instead of Orleans' default 10–15 s.
    /// </summary>
    /// <remarks>
    /// Why faster than Orleans' default: every replica of an experiment waits at each epoch for
    /// the slowest one (the device trains epoch e of all its replicas before any passes it, and a
    /// fit completes only when every replica has folded), so a dead silo stalls the whole
    /// ensemble until it is declared dead, while a silo declared dead by mistake costs little: its
    /// replicas resume from their last checkpoints elsewhere and lose at most the epoch in
    /// flight. Probes are answered on Orleans' own threads, never on the training device's, so a
    /// silo busy training still answers them. The membership table is re-read and the silo's
    /// liveness published every 5 s, so that consoles see new gateways and a silo that was cut
    /// off learns of its death within seconds of coming back (it then stops, and must be
    /// restarted). On hosts where long stalls are normal (swapping, heavily shared nodes), raise
    /// ProbeTimeout rather than the number of missed probes.
    /// </remarks>
    public static void TuneFailureDetection(ClusterMembershipOptions membership)
    {
        ArgumentNullException.ThrowIfNull(membership);
        membership.ProbeTimeout = TimeSpan.FromSeconds(1);
        membership.NumMissedProbesLimit = 2;
        membership.NumVotesForDeathDeclaration = 2;
        membership.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
        membership.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
    }
}
