using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrleansPigmm.Storage.Tests.Postgres;

/// <summary>
/// A PostgreSQL server of its own for the tests: a fresh cluster in a temporary folder, trusting
/// local connections, on a free port of 127.0.0.1, run by the postgres OS user when the tests run
/// as root (the server refuses to run as root). Stopped at once and deleted when disposed. It may
/// also listen on further addresses of this host and trust a subnet, for clients in network
/// namespaces that reach it through a bridge. Shared by the store tests and the cluster tests
/// (linked into both).
/// </summary>
internal sealed class ThrowawayServer : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private readonly string binaries;
    private readonly string folder;

    private ThrowawayServer(string binaries, string folder, int port)
    {
        this.binaries = binaries;
        this.folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The temporary folder of the server: its cluster in data/, its log, its socket.</summary>
    public string Folder => folder;

    private string DataFolder => Path.Combine(folder, "data");

    /// <summary>The URL of the database <paramref name="database"/> on this server, as its superuser.</summary>
    public string Url(string database) => $"postgres://{Superuser}@127.0.0.1:{Port}/{database}";

    /// <summary>The URL of the database <paramref name="database"/> on this server at the address
    /// <paramref name="host"/> (one it listens on), as its superuser.</summary>
    public string Url(string database, string host) => $"postgres://{Superuser}@{host}:{Port}/{database}";

    /// <summary>Creates a cluster and starts its server.</summary>
    /// <param name="listenAddresses">Addresses of this host to listen on besides 127.0.0.1; each
    /// must exist when the server starts.</param>
    /// <param name="trustedSubnet">A subnet in CIDR form (10.213.7.0/24) whose TCP clients are
    /// trusted, as local ones are.</param>
    /// <exception cref="InvalidOperationException">The PostgreSQL server binaries are not installed.</exception>
    public static async Task<ThrowawayServer> StartAsync(IReadOnlyList<string>? listenAddresses = null, string? trustedSubnet = null)
    {
        string binaries = FindBinaries();
        string folder = Directory.CreateTempSubdirectory("pigmm-postgres-").FullName;
        var server = new ThrowawayServer(binaries, folder, FreePort());
        try
        {
            if (RunsAsRoot)
            {
                await RunAsync("chown", ["-R", Superuser, folder]);
            }
            await server.RunToolAsync("initdb", ["-D", server.DataFolder, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-sync"]);
            if (trustedSubnet is not null)
            {
                await File.AppendAllTextAsync(Path.Combine(server.DataFolder, "pg_hba.conf"), $"host all all {trustedSubnet} trust\n");
            }
            string listen = string.Join(',', ["127.0.0.1", .. listenAddresses ?? []]);
            await server.RunToolAsync("pg_ctl", ["-D", server.DataFolder, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o",
                $"-p {server.Port} -c listen_addresses={listen} -k {folder} -c fsync=off -c full_page_writes=off -c max_connections=200", "start"]);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the server without a clean shutdown and starts it again, as a crash and a
    /// restart would; what was committed must survive.</summary>
    public Task RestartAsync() =>
        RunToolAsync("pg_ctl", ["-D", DataFolder, "-m", "immediate", "-w", "-t", "60", "restart"]);

    /// <summary>Makes the server ask <paramref name="user"/> for a password on TCP connections
    /// (every other login stays trusted).</summary>
    public async Task RequirePasswordAsync(string user)
    {
        string rules = Path.Combine(DataFolder, "pg_hba.conf");
        string rule = $"host all {user} 127.0.0.1/32 scram-sha-256";
        string existing = await File.ReadAllTextAsync(rules);
        if (!existing.Contains(rule, StringComparison.Ordinal))
        {
            // The first matching line wins, so the rule goes first.
            await File.WriteAllTextAsync(rules, rule + "\n" + existing);
            await RunToolAsync("pg_ctl", ["-D", DataFolder, "reload"]);
        }
        // The server reads the rules again a moment after the signal: wait until they hold.
        var connectionString = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = user, Database = "postgres", Pooling = false }.ConnectionString;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
            }
            catch (NpgsqlException)
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"The server still lets {user} in without a password.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
            {
                await RunToolAsync("pg_ctl", ["-D", DataFolder, "-m", "immediate", "-w", "stop"]);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static bool RunsAsRoot => Environment.IsPrivilegedProcess;

    /// <summary>The bin folder of the newest PostgreSQL installed as Debian lays it out.</summary>
    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out int major) ? major : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "The PostgreSQL store tests start their own server, and its binaries (initdb, pg_ctl in /usr/lib/postgresql/*/bin) are missing: "
            + "apt-get install -y postgresql (or name a server in PIGMM_TEST_POSTGRES=postgres://USER@HOST:PORT/DB).");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private Task RunToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        string path = Path.Combine(binaries, tool);
        return RunsAsRoot ? RunAsync("runuser", ["-u", Superuser, "--", path, .. arguments]) : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
