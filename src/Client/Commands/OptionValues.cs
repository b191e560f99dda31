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

    /// <summary>The training device <c>--device</c> names: <c>cpu</c> (all logical CPUs, or the
    /// threads <paramref name="defaultThreads"/> gives), <c>cpu:N</c> (N threads), <c>gpu</c> or
    /// <c>gpu:K</c> (CUDA device K, 0 by default), or <c>gpu-emulated</c> (the GPU's kernels on
    /// ILGPU's CPU accelerator: slow, for checking the GPU path without a GPU); null means cpu.</summary>
    public static DeviceChoice Device(string? text, int? defaultThreads = null) => text switch
    {
        null or "cpu" => new DeviceChoice.Cpu(defaultThreads ?? Environment.ProcessorCount),
        "gpu" => new DeviceChoice.Gpu(0),
        "gpu-emulated" => new DeviceChoice.EmulatedGpu(),
        _ when text.StartsWith("cpu:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int threads) && threads >= 1 => new DeviceChoice.Cpu(threads),
        _ when text.StartsWith("gpu:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int index) => new DeviceChoice.Gpu(index),
        _ => throw new InputException($"--device must be cpu, cpu:N (N training threads, at least 1), gpu, gpu:K (CUDA device K) or gpu-emulated; got '{text}'."),
    };

    /// <summary>An Orleans cluster id as <c>--cluster-id</c> gives it: 1 to 100 letters, digits, '-', '_' or '.'.</summary>
    public static string ClusterId(string text) =>
        text.Length is >= 1 and <= 100 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? text
            : throw new InputException($"--cluster-id must be 1 to 100 letters, digits, '-', '_' or '.'; got '{text}'.");

    /// <summary>Trainer options after checking that the width is available here.</summary>
    public static TrainerOptions Trainer(int threads, VectorWidth width)
    {
        if (threads < 1)
        {
            throw new InputException($"--threads must be at least 1; got {threads}.");
        }
        var options = new TrainerOptions { Threads = threads, VectorWidth = width };
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
