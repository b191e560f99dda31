using System.Globalization;

namespace OrleansPigmm.Grains.Abstractions;

/// <summary>The compound keys of grains, formatted and parsed in this one place.</summary>
public static class GrainKeys
{
    /// <summary>Key of the ReplicaGrain of one training replica: "EXPERIMENT/REPLICA" (replica 0-based).</summary>
    public static string Replica(string experimentId, int replica) =>
        $"{CheckId(experimentId)}/{replica.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Key of the AggregatorGrain of one ensemble: "EXPERIMENT/LAYER/EPOCH" (layer 1-based, epoch 0 = initialisation).</summary>
    public static string Ensemble(string experimentId, int layer, int epoch) =>
        $"{CheckId(experimentId)}/{layer.ToString(CultureInfo.InvariantCulture)}/{epoch.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses a ReplicaGrain key.</summary>
    /// <exception cref="FormatException">The key is not "EXPERIMENT/REPLICA" with REPLICA >= 0.</exception>
    public static (string ExperimentId, int Replica) ParseReplica(string key)
    {
        var parts = Split(key, 2, "EXPERIMENT/REPLICA");
        return (parts[0], Number(parts[1], key, "replica", 0));
    }

    /// <summary>Parses an AggregatorGrain key.</summary>
    /// <exception cref="FormatException">The key is not "EXPERIMENT/LAYER/EPOCH" with LAYER >= 1 and EPOCH >= 0.</exception>
    public static (string ExperimentId, int Layer, int Epoch) ParseEnsemble(string key)
    {
        var parts = Split(key, 3, "EXPERIMENT/LAYER/EPOCH");
        return (parts[0], Number(parts[1], key, "layer", 1), Number(parts[2], key, "epoch", 0));
    }

    private static string CheckId(string experimentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(experimentId);
        return experimentId.Contains('/') ? throw new ArgumentException($"Experiment id '{experimentId}' must not contain '/'.", nameof(experimentId)) : experimentId;
    }

    private static string[] Split(string key, int count, string shape)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('/');
        return parts.Length == count && parts[0].Length > 0
            ? parts
            : throw new FormatException($"Grain key '{key}' is not of the form {shape}.");
    }

    private static int Number(string text, string key, string what, int minimum) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= minimum
            ? value
            : throw new FormatException($"Grain key '{key}': the {what} '{text}' is not an integer >= {minimum}.");
}
