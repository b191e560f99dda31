using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansPigmm.Grains.Abstractions.Experiments;

/// <summary>
/// What an experiment trains and analyses: an ensemble of <see cref="Replicas"/> independently
/// initialised MLPs (input -> hidden widths -> classes, ReLU, no biases), trained for
/// <see cref="Epochs"/> epochs; after initialisation and every epoch, the square weight
/// matrices of every replica form one ensemble per layer, which is fitted by a PIGMM.
/// </summary>
/// <remarks>
/// Every field affects the results, so the experiment id is a hash of the canonical form
/// (<see cref="ToCanonicalJson"/>): equal ids mean equal experiments. Build specs with
/// <see cref="ExperimentSpecParser"/> or <see cref="ExperimentPresets"/>, which validate them.
/// </remarks>
[GenerateSerializer, Immutable, Alias("pigmm.ExperimentSpec")]
public sealed record ExperimentSpec
{
    /// <summary>Dataset name from the dataset configuration, e.g. "mnist".</summary>
    [Id(0)]
    public required string Dataset { get; init; }

    /// <summary>Widths of the hidden layers, input side first.</summary>
    [Id(1)]
    public required IReadOnlyList<int> HiddenWidths { get; init; }

    /// <summary>Initialisation scheme: gaussian, uniform, he, xavier or orthogonal.</summary>
    [Id(2)]
    public required string Init { get; init; }

    /// <summary>Optimiser: adam or sgd.</summary>
    [Id(3)]
    public required string Optimizer { get; init; }

    /// <summary>Learning rate (> 0).</summary>
    [Id(4)]
    public required double LearningRate { get; init; }

    /// <summary>Training images per step; the data are reshuffled every epoch.</summary>
    [Id(5)]
    public required int BatchSize { get; init; }

    /// <summary>Training epochs E; snapshots exist for epochs 0..E.</summary>
    [Id(6)]
    public required int Epochs { get; init; }

    /// <summary>Independent networks R in the ensemble.</summary>
    [Id(7)]
    public required int Replicas { get; init; }

    /// <summary>L2 coefficient coupled into the gradient (g + l2 w), as PyTorch's weight_decay.</summary>
    [Id(8)]
    public required double L2 { get; init; }

    /// <summary>Experiment seed; each replica's initialisation and data order derive from (seed, replica).</summary>
    [Id(9)]
    public required long Seed { get; init; }

    /// <summary>Largest invariant degree reported (2, 3 or 4).</summary>
    [Id(10)]
    public required int InvariantDegree { get; init; }

    /// <summary>Report every graph invariant up to <see cref="InvariantDegree"/>, not only the paper's.</summary>
    [Id(11)]
    public required bool AllGraphs { get; init; }

    /// <summary>Raw weight retention: 0 keeps none, k keeps epochs 0, k, 2k, ... and the last.
    /// Invariant rows are always kept.</summary>
    [Id(12)]
    public required int KeepWeightsEvery { get; init; }

    /// <summary>True if the raw weights of <paramref name="epoch"/> are kept.</summary>
    public bool KeepsWeightsOf(int epoch) =>
        KeepWeightsEvery > 0 && (epoch % KeepWeightsEvery == 0 || epoch == Epochs);

    /// <summary>The canonical form: compact JSON, keys in a fixed order, every field present,
    /// numbers in shortest round-trip form.</summary>
    public string ToCanonicalJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("dataset", Dataset);
            json.WriteStartArray("hidden_widths");
            foreach (int width in HiddenWidths)
            {
                json.WriteNumberValue(width);
            }
            json.WriteEndArray();
            json.WriteString("init", Init);
            json.WriteString("optimizer", Optimizer);
            json.WriteNumber("learning_rate", LearningRate);
            json.WriteNumber("batch_size", BatchSize);
            json.WriteNumber("epochs", Epochs);
            json.WriteNumber("replicas", Replicas);
            json.WriteNumber("l2", L2);
            json.WriteNumber("seed", Seed);
            json.WriteNumber("invariant_degree", InvariantDegree);
            json.WriteBoolean("all_graphs", AllGraphs);
            json.WriteNumber("keep_weights_every", KeepWeightsEvery);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The experiment id: the first 16 hex digits of the SHA-256 of the canonical form.</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson())))[..16];
}
