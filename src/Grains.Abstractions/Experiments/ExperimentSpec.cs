using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansPigmm.Grains.Experiments;

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
public sealed record ExperimentSpec
{
    /// <summary>Dataset name from the dataset configuration, e.g. "mnist".</summary>
    public required string Dataset { get; init; }

    /// <summary>Widths of the hidden layers, input side first.</summary>
    public required IReadOnlyList<int> HiddenWidths { get; init; }

    /// <summary>Initialisation scheme: gaussian, uniform, he, xavier or orthogonal.</summary>
    public required string Init { get; init; }

    /// <summary>Optimiser: adam or sgd.</summary>
    public required string Optimizer { get; init; }

    /// <summary>Learning rate (> 0).</summary>
    public required double LearningRate { get; init; }

    /// <summary>Training images per step; the data are reshuffled every epoch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Training epochs E; snapshots exist for epochs 0..E.</summary>
    public required int Epochs { get; init; }

    /// <summary>Independent networks R in the ensemble.</summary>
    public required int Replicas { get; init; }

    /// <summary>L2 coefficient coupled into the gradient (g + l2 w), as PyTorch's weight_decay.</summary>
    public required double L2 { get; init; }

    /// <summary>Experiment seed; each replica's initialisation and data order derive from (seed, replica).</summary>
    public required long Seed { get; init; }

    /// <summary>Largest invariant degree reported (2, 3 or 4).</summary>
    public required int InvariantDegree { get; init; }

    /// <summary>Report every graph invariant up to <see cref="InvariantDegree"/>, not only the paper's.</summary>
    public required bool AllGraphs { get; init; }

    /// <summary>Raw weight retention: 0 keeps none, k keeps epochs 0, k, 2k, ... and the last.
    /// Invariant rows are always kept.</summary>
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
