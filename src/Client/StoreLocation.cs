namespace OrleansPigmm.Client;

/// <summary>Where the console finds the experiment store when no <c>--store</c> is given.</summary>
public static class StoreLocation
{
    /// <summary>The embedded store file every store-using command opens by default, relative to
    /// the current directory, so that <c>pigmm run</c> and <c>pigmm watch</c> started in the same
    /// folder meet.</summary>
    public const string Default = "pigmm.db";
}
