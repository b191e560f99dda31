namespace OrleansPigmm.Silo.Hosting;

/// <summary>The Orleans cluster identity every silo and console of this product shares, so that a
/// console reaches any silo through its gateway.</summary>
public static class PigmmCluster
{
    /// <summary>The Orleans service id.</summary>
    public const string ServiceId = "orleanspigmm";

    /// <summary>The Orleans cluster id.</summary>
    public const string ClusterId = "pigmm";

    /// <summary>The silo-to-silo port a long-lived silo listens on unless told otherwise.</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>The port a long-lived silo accepts consoles on unless told otherwise.</summary>
    public const int DefaultGatewayPort = 30000;
}
