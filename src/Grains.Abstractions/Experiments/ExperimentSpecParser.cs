using System.Text.Json;

namespace OrleansPigmm.Grains.Abstractions.Experiments;

/// <summary>A spec that cannot be run; <see cref="Problems"/> lists every problem found, each
/// naming the field ("spec.epochs: ..."). It crosses the grain wire with its list intact.</summary>
[GenerateSerializer, Alias("pigmm.SpecException")]
public sealed class SpecException(IReadOnlyList<string> problems)
    : Exception(problems.Count == 1 ? problems[0] : $"{problems.Count} problems in the spec: {string.Join("; ", problems)}")
{
    /// <summary>One line per problem.</summary>
    [Id(0)]
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Reads experiment specs from JSON (snake_case fields of <see cref="ExperimentSpec"/>; omitted
/// fields keep the defaults given) and validates them against resource limits.
/// </summary>
public static class ExperimentSpecParser
{
    /// <summary>Initialisation schemes the trainer offers.</summary>
    public static IReadOnlyList<string> InitSchemes { get; } = ["gaussian", "uniform", "he", "xavier", "orthogonal"];

    /// <summary>Optimisers the trainer offers.</summary>
    public static IReadOnlyList<string> Optimizers { get; } = ["adam", "sgd"];

    /// <summary>Largest number of hidden layers.</summary>
    public const int MaxHiddenLayers = 16;

    /// <summary>Largest hidden width.</summary>
    public const int MaxWidth = 4096;

    /// <summary>Largest number of weights in one network.</summary>
    public const long MaxParameters = 100_000_000;

    /// <summary>Largest ensemble.</summary>
    public const int MaxReplicas = 1_000_000;

    /// <summary>Most epochs.</summary>
    public const int MaxEpochs = 10_000;

    /// <summary>Most stored snapshots (replicas x (epochs + 1) x layers).</summary>
    public const long MaxSnapshots = 1_000_000_000;

    private static readonly string[] FieldNames =
    [
        "dataset", "hidden_widths", "init", "optimizer", "learning_rate", "batch_size", "epochs",
        "replicas", "l2", "seed", "invariant_degree", "all_graphs", "keep_weights_every",
    ];

    /// <summary>
    /// Parses <paramref name="json"/> over <paramref name="defaults"/> and validates the fields of
    /// the result (the checks that need the dataset's shape are the experiment plan's). Every
    /// problem is collected before anything is thrown: type errors and unknown fields, then the
    /// checks of <see cref="Validate(ExperimentSpec)"/> on the fields that could be read.
    /// </summary>
    /// <exception cref="SpecException">Malformed JSON, unknown fields, wrong types or invalid values; all are listed.</exception>
    public static ExperimentSpec Parse(string json, ExperimentSpec defaults)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(defaults);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException error)
        {
            throw new SpecException([$"spec: not valid JSON (line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1}): {FirstSentence(error.Message)}"]);
        }
        using (document)
        {
            var problems = new List<string>();
            var unread = new HashSet<string>(StringComparer.Ordinal);
            var spec = Read(document.RootElement, defaults, problems, unread);
            problems.AddRange(Validate(spec, unread));
            return problems.Count == 0 ? spec : throw new SpecException(problems);
        }
    }

    /// <summary>
    /// Every problem of the fields of <paramref name="spec"/> (ranges and resource limits); the
    /// checks that need the dataset's shape (batch size, square layers) are the experiment plan's.
    /// </summary>
    public static IReadOnlyList<string> Validate(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Validate(spec, new HashSet<string>(StringComparer.Ordinal));
    }

    // The checks of Validate, leaving out those of the fields in unread (whose JSON value had the
    // wrong type, so the spec holds the default instead).
    private static List<string> Validate(ExperimentSpec spec, IReadOnlySet<string> unread)
    {
        var problems = new List<string>();
        var faulty = new HashSet<string>(unread, StringComparer.Ordinal);
        void Check(string field, bool ok, string problem)
        {
            if (!ok && !unread.Contains(field))
            {
                problems.Add(problem);
                faulty.Add(field);
            }
        }

        Check("dataset", spec.Dataset.Length is > 0 and <= 64 && spec.Dataset.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'),
            $"spec.dataset: '{spec.Dataset}' is not a dataset name (lower-case letters, digits and '-')");
        Check("hidden_widths", spec.HiddenWidths.Count is >= 1 and <= MaxHiddenLayers,
            $"spec.hidden_widths: needs 1 to {MaxHiddenLayers} hidden layers, got {spec.HiddenWidths.Count}");
        for (int l = 0; l < spec.HiddenWidths.Count; l++)
        {
            Check("hidden_widths", spec.HiddenWidths[l] is >= 1 and <= MaxWidth,
                $"spec.hidden_widths[{l}]: must be between 1 and {MaxWidth}, got {spec.HiddenWidths[l]}");
        }
        Check("init", InitSchemes.Contains(spec.Init), $"spec.init: '{spec.Init}' is not one of {string.Join(", ", InitSchemes)}");
        Check("optimizer", Optimizers.Contains(spec.Optimizer), $"spec.optimizer: '{spec.Optimizer}' is not one of {string.Join(", ", Optimizers)}");
        Check("learning_rate", double.IsFinite(spec.LearningRate) && spec.LearningRate is > 0 and <= 10,
            $"spec.learning_rate: must be in (0, 10], got {spec.LearningRate}");
        Check("batch_size", spec.BatchSize >= 1, $"spec.batch_size: must be at least 1, got {spec.BatchSize}");
        Check("epochs", spec.Epochs is >= 1 and <= MaxEpochs, $"spec.epochs: must be between 1 and {MaxEpochs}, got {spec.Epochs}");
        Check("replicas", spec.Replicas is >= 2 and <= MaxReplicas, $"spec.replicas: must be between 2 and {MaxReplicas} (a fit needs at least 2 matrices), got {spec.Replicas}");
        Check("l2", double.IsFinite(spec.L2) && spec.L2 is >= 0 and <= 10, $"spec.l2: must be in [0, 10], got {spec.L2}");
        Check("seed", spec.Seed is >= 0 and <= 1L << 53, $"spec.seed: must be between 0 and 2^53, got {spec.Seed}");
        Check("invariant_degree", spec.InvariantDegree is >= 2 and <= 4, $"spec.invariant_degree: must be 2, 3 or 4, got {spec.InvariantDegree}");
        if (!unread.Contains("epochs"))
        {
            Check("keep_weights_every", spec.KeepWeightsEvery >= 0 && spec.KeepWeightsEvery <= Math.Max(spec.Epochs, 1),
                $"spec.keep_weights_every: must be 0 (keep none) or between 1 and the epochs ({spec.Epochs}), got {spec.KeepWeightsEvery}");
        }
        return problems;
    }

    // Reads the fields over spec; a field whose value has the wrong type keeps spec's value, its
    // problem is added and its name goes to unread.
    private static ExperimentSpec Read(JsonElement root, ExperimentSpec spec, List<string> problems, HashSet<string> unread)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"spec: expected a JSON object, got {Describe(root)}");
            return spec;
        }
        foreach (var field in root.EnumerateObject())
        {
            var value = field.Value;
            var path = $"spec.{field.Name}";
            int before = problems.Count;
            switch (field.Name)
            {
                case "dataset": spec = spec with { Dataset = Text(value, path, problems) ?? spec.Dataset }; break;
                case "hidden_widths": spec = spec with { HiddenWidths = Integers(value, path, problems) ?? spec.HiddenWidths }; break;
                case "init": spec = spec with { Init = Text(value, path, problems) ?? spec.Init }; break;
                case "optimizer": spec = spec with { Optimizer = Text(value, path, problems) ?? spec.Optimizer }; break;
                case "learning_rate": spec = spec with { LearningRate = Number(value, path, problems) ?? spec.LearningRate }; break;
                case "batch_size": spec = spec with { BatchSize = (int?)Integer(value, path, problems, int.MaxValue) ?? spec.BatchSize }; break;
                case "epochs": spec = spec with { Epochs = (int?)Integer(value, path, problems, int.MaxValue) ?? spec.Epochs }; break;
                case "replicas": spec = spec with { Replicas = (int?)Integer(value, path, problems, int.MaxValue) ?? spec.Replicas }; break;
                case "l2": spec = spec with { L2 = Number(value, path, problems) ?? spec.L2 }; break;
                case "seed": spec = spec with { Seed = Integer(value, path, problems, long.MaxValue) ?? spec.Seed }; break;
                case "invariant_degree": spec = spec with { InvariantDegree = (int?)Integer(value, path, problems, int.MaxValue) ?? spec.InvariantDegree }; break;
                case "all_graphs": spec = spec with { AllGraphs = Boolean(value, path, problems) ?? spec.AllGraphs }; break;
                case "keep_weights_every": spec = spec with { KeepWeightsEvery = (int?)Integer(value, path, problems, int.MaxValue) ?? spec.KeepWeightsEvery }; break;
                default:
                    var suggestion = FieldNames.FirstOrDefault(name => field.Name.Length > 2 && name.Contains(field.Name, StringComparison.OrdinalIgnoreCase))
                        ?? FieldNames.MinBy(name => EditDistance(name, field.Name.ToLowerInvariant()))!;
                    problems.Add(EditDistance(suggestion, field.Name.ToLowerInvariant()) <= 3 || suggestion.Contains(field.Name, StringComparison.OrdinalIgnoreCase)
                        ? $"{path}: unknown field (did you mean '{suggestion}'?)"
                        : $"{path}: unknown field; the fields are {string.Join(", ", FieldNames)}");
                    break;
            }
            if (problems.Count > before && FieldNames.Contains(field.Name))
            {
                unread.Add(field.Name);
            }
        }
        return spec;
    }

    private static string? Text(JsonElement value, string path, List<string> problems)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }
        problems.Add($"{path}: expected a string, got {Describe(value)}");
        return null;
    }

    private static double? Number(JsonElement value, string path, List<string> problems)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && double.IsFinite(number))
        {
            return number == 0 ? 0 : number;
        }
        problems.Add($"{path}: expected a finite number, got {Describe(value)}");
        return null;
    }

    private static long? Integer(JsonElement value, string path, List<string> problems, long max)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long integer) && integer >= -max && integer <= max)
        {
            return integer;
        }
        problems.Add($"{path}: expected an integer{(max == int.MaxValue ? " that fits in 32 bits" : "")}, got {Describe(value)}");
        return null;
    }

    private static bool? Boolean(JsonElement value, string path, List<string> problems)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }
        problems.Add($"{path}: expected true or false, got {Describe(value)}");
        return null;
    }

    private static int[]? Integers(JsonElement value, string path, List<string> problems)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{path}: expected an array of integers, got {Describe(value)}");
            return null;
        }
        var items = new List<int>();
        int before = problems.Count;
        int index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (Integer(item, $"{path}[{index++}]", problems, int.MaxValue) is { } integer)
            {
                items.Add((int)integer);
            }
        }
        return problems.Count == before ? items.ToArray() : null;
    }

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        var shown = text.Length <= 40 ? text : text[..37] + "...";
        return value.ValueKind switch
        {
            JsonValueKind.Number => $"the number {shown}",
            JsonValueKind.String => $"the string {shown}",
            JsonValueKind.Array => $"an array {shown}",
            JsonValueKind.Object => "an object",
            JsonValueKind.Null => "null",
            _ => shown,
        };
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
