using System.Globalization;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Cpu;

namespace OrleansPigmm.Client.Commands;

/// <summary>Parsing of option values shared by the commands; bad values become <see cref="InputException"/>.</summary>
internal static class OptionValues
{
    /// <summary>Parses "10,10,10" into positive integers.</summary>
    public static int[] PositiveIntegers(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1)
            {
                throw new InputException($"{option} takes positive integers separated by commas, e.g. 10,10,10; got '{text}'.");
            }
        }
        return values;
    }

    /// <summary>The scheme of an initialisation name, as specs spell it (<see cref="InitSchemeNames"/>).</summary>
    public static InitScheme Init(string text) => InitSchemeNames.Schemes.TryGetValue(text, out var scheme)
        ? scheme
        : throw new InputException($"--init must be one of {string.Join(", ", InitSchemeNames.Schemes.Keys)}; got '{text}'.");

    public static VectorWidth Width(string text) => text.ToLowerInvariant() switch
    {
        "auto" => VectorWidth.Auto,
        "128" => VectorWidth.Bits128,
        "256" => VectorWidth.Bits256,
        "512" => VectorWidth.Bits512,
        _ => throw new InputException($"--vector-width must be auto, 128, 256 or 512; got '{text}'."),
    };

    /// <summary>The training threads of a device named <c>cpu</c> (all logical CPUs) or <c>cpu:N</c>; null means cpu.</summary>
    public static int CpuDevice(string? text) => text switch
    {
        null or "cpu" => Environment.ProcessorCount,
        _ when text.StartsWith("cpu:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int threads) && threads >= 1 => threads,
        _ => throw new InputException($"--device must be cpu or cpu:N with N at least 1 (this build trains on CPUs only); got '{text}'."),
    };

    /// <summary>An Orleans cluster id as <c>--cluster-id</c> gives it: 1 to 100 letters, digits, '-', '_' or '.'.</summary>
    public static string ClusterId(string text) =>
        text.Length is >= 1 and <= 100 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? text
            : throw new InputException($"--cluster-id must be 1 to 100 letters, digits, '-', '_' or '.'; got '{text}'.");

    /// <summary>Trainer options after checking that the width is available here.</summary>
    public static TrainerOptions Trainer(int threads, string width)
    {
        if (threads < 1)
        {
            throw new InputException($"--threads must be at least 1; got {threads}.");
        }
        var options = new TrainerOptions { Threads = threads, VectorWidth = Width(width) };
        try
        {
            _ = options.ResolvedBits;
        }
        catch (NotSupportedException unsupported)
        {
            throw new InputException(unsupported.Message + " Use --vector-width auto.");
        }
        return options;
    }
}
