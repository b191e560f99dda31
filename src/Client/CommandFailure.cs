using System.Text.Json;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Formats;

namespace OrleansPigmm.Client;

/// <summary>Bad input found by a command (a value, a file, a spec): reported as one line, exit code 2.</summary>
public sealed class InputException(string message) : Exception(message);

/// <summary>Runs a command body under the exit-code policy of <see cref="PigmmCommandLine"/>.</summary>
public static class CommandFailure
{
    /// <summary>Runs <paramref name="body"/>; bad input becomes one line "pigmm COMMAND: message"
    /// on <paramref name="error"/> and exit code 2, never a stack trace.</summary>
    public static int Guard(string command, TextWriter error, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception failure) when (IsBadInput(failure))
        {
            error.WriteLine($"pigmm {command}: {failure.Message}");
            return PigmmCommandLine.BadInput;
        }
        catch (Exception failure)
        {
            error.WriteLine($"pigmm {command}: internal error: {failure.GetType().Name}: {failure.Message}");
            return 1;
        }
    }

    private static bool IsBadInput(Exception failure) => failure is InputException
        or FileFormatException
        or FileNotFoundException
        or DirectoryNotFoundException
        or UnauthorizedAccessException
        or JsonException
        or InvalidDataException
        or SpecException;
}
