using System.Globalization;

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
}
