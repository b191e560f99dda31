using System.Net;
using OrleansPigmm.Silo.Http;

namespace OrleansPigmm.Silo.Hosting;

/// <summary>
/// How a silo finds its cluster and where it can be reached. With no membership database the
/// silo is a cluster of one (localhost clustering: local dev mode and <c>pigmm silo</c> on a
/// SQLite store); with one, it joins the cluster of <see cref="ClusterId"/> whose membership that
/// PostgreSQL database keeps.
/// </summary>
public sealed record SiloNetwork
{
    /// <summary>Orleans' ADO.NET connection string of the PostgreSQL database that keeps the
    /// cluster's membership, or null for a cluster of one on the loopback address.</summary>
    public string? MembershipConnectionString { get; init; }

    /// <summary>The cluster to join: silos and consoles of one id form one cluster. Every silo
    /// trains every running experiment of its store, so clusters that share a database keep their
    /// stores apart in schemas of their own.</summary>
    public string ClusterId { get; init; } = PigmmCluster.ClusterId;

    /// <summary>The address other silos and consoles reach this silo at (it listens on every
    /// address of the host); only a cluster with a membership database uses it.</summary>
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The port silos talk to this one on; null for a free one.</summary>
    public int? SiloPort { get; init; }

    /// <summary>The port consoles connect to this silo on; null for a free one.</summary>
    public int? GatewayPort { get; init; }

    /// <summary>The Kubernetes pod the silo runs in, or null outside one; only a cluster with a
    /// membership database uses it (Orleans' Kubernetes hosting).</summary>
    public KubernetesPod? Pod { get; init; }

    /// <summary>Where the silo serves its HTTP API, and its token; null for no HTTP API.</summary>
    public HttpApiOptions? HttpApi { get; init; }
}
