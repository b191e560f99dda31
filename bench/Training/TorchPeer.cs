using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace OrleansPigmm.Benchmarks.Training;

/// <summary>
/// The PyTorch reference script (torch_ensemble.py, kept outside this repository, by default in
/// ../shared/peers/ beside the repository root) run as a subprocess on the same data and settings.
/// </summary>
public sealed class TorchPeer
{
    private readonly string python;
    private readonly string script;

    private TorchPeer(string python, string script, string torchVersion)
    {
        this.python = python;
        this.script = script;
        TorchVersion = torchVersion;
    }

    /// <summary>torch.__version__ of the interpreter.</summary>
    public string TorchVersion { get; }

    /// <summary>The BLAS library torch loaded, as the script reports it (after a run).</summary>
    public string Blas { get; private set; } = "?";

    /// <summary>The default script location: ../shared/peers/torch_ensemble.py next to the repository
    /// holding the current directory (found by walking up to OrleansPigmm.sln), else relative to it.</summary>
    public static string DefaultScript()
    {
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "OrleansPigmm.sln")))
            {
                return Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "peers", "torch_ensemble.py"));
            }
        }
        return Path.GetFullPath(Path.Combine("..", "shared", "peers", "torch_ensemble.py"));
    }

    /// <summary>Debian's interpreter if present (its python3-torch is what the peer needs), else python3 on PATH.</summary>
    public static string DefaultPython() => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>The peer, or null with the reason it cannot run (script missing, torch not importable).</summary>
    public static TorchPeer? TryCreate(string python, string script, out string reason)
    {
        if (!File.Exists(script))
        {
            reason = $"{script} not found (pass --peer PATH to torch_ensemble.py)";
            return null;
        }
        var (exit, stdout, stderr) = RunProcess(python, ["-c", "import torch; print(torch.__version__)"], TimeSpan.FromMinutes(2));
        if (exit != 0)
        {
            string last = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? $"exit code {exit}";
            reason = $"torch is not importable by {python} ({last}); install Debian's python3-torch, python3-numpy and libopenblas0-openmp";
            return null;
        }
        reason = "";
        return new TorchPeer(python, script, stdout.Trim());
    }

    /// <summary>Replica-epochs per second of one mode ("loop" or "batched"), independent shuffles.</summary>
    /// <exception cref="InvalidOperationException">The script failed or printed no result.</exception>
    public double ReplicaEpochsPerSecond(string mode, int replicas, int epochs, int batchSize, int threads, string dataFolder)
    {
        string[] arguments =
        [
            script, "--mode", mode, "-R", replicas.ToString(CultureInfo.InvariantCulture), "-E", epochs.ToString(CultureInfo.InvariantCulture),
            "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture),
            "--shuffle", "independent", "--data", dataFolder,
        ];
        var (exit, stdout, stderr) = RunProcess(python, arguments, TimeSpan.FromHours(2));
        string? line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (exit != 0 || line is null)
        {
            throw new InvalidOperationException($"The PyTorch peer ({mode}, R={replicas}) failed with exit code {exit}: {stderr.Trim()}");
        }
        using var result = JsonDocument.Parse(line);
        Blas = result.RootElement.TryGetProperty("blas", out var blas) ? blas.GetString() ?? "?" : "?";
        return result.RootElement.GetProperty("replica_epochs_per_s").GetDouble();
    }

    private static (int Exit, string Stdout, string Stderr) RunProcess(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, stdout.Result, "timed out");
            }
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception missing)
        {
            return (-1, "", $"{file}: {missing.Message}");
        }
    }
}
