namespace OrleansPigmm.Client.Tests.Support;

/// <summary>The outcome of one in-process run of the console.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>Asserts the bad-input contract: exit 2 and one line naming the command, no stack trace.</summary>
    public string AssertBadInput(string command)
    {
        Assert.True(ExitCode == 2, $"exit code {ExitCode}, stderr: {Error}");
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{Error}");
        Assert.StartsWith($"pigmm {command}: ", lines[0]);
        Assert.DoesNotContain("   at ", Error);
        Assert.DoesNotContain("internal error", Error);
        return lines[0];
    }
}

/// <summary>Runs `pigmm` in process with captured output.</summary>
internal static class Cli
{
    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = PigmmCommandLine.Run(args, output, error);
        return new CliResult(exitCode, output.ToString(), error.ToString().Replace("\r", ""));
    }

    /// <summary>A fixture of tests/Formats.Tests/data, copied beside the test assembly.</summary>
    public static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);
}

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("pigmm-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
