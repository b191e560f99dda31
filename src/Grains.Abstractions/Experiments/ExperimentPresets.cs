namespace OrleansPigmm.Grains.Abstractions.Experiments;

/// <summary>
/// Named specs: the paper's configurations (pigmm-math.md section 11: MNIST, 784-10-10-10-10,
/// Adam 1e-3, batch 100, 50 epochs, 1000 replicas) and a quick one for trying the system out.
/// </summary>
public static class ExperimentPresets
{
    /// <summary>The paper's main experiment with Gaussian N(0, 1/fan_in) initialisation.</summary>
    public static ExperimentSpec PaperGaussian { get; } = new()
    {
        Dataset = "mnist",
        HiddenWidths = [10, 10, 10],
        Init = "gaussian",
        Optimizer = "adam",
        LearningRate = 0.001,
        BatchSize = 100,
        Epochs = 50,
        Replicas = 1000,
        L2 = 0,
        Seed = 0,
        InvariantDegree = 4,
        AllGraphs = false,
        KeepWeightsEvery = 1,
    };

    /// <summary>Preset names, in the order `pigmm run --help` lists them.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["quick", "paper-gaussian", "paper-uniform", "paper-l2", "paper-width-10", "paper-width-40", "paper-width-160", "paper-width-640"];

    /// <summary>The preset called <paramref name="name"/>, or null if there is none.</summary>
    public static ExperimentSpec? Find(string name) => name switch
    {
        // A minute or so on a laptop: enough replicas for a meaningful fit, a few epochs.
        "quick" => PaperGaussian with { Replicas = 200, Epochs = 5 },
        "paper-gaussian" => PaperGaussian,
        "paper-uniform" => PaperGaussian with { Init = "uniform" },
        "paper-l2" => PaperGaussian with { L2 = 0.01 },
        "paper-width-10" => Width(10),
        "paper-width-40" => Width(40),
        "paper-width-160" => Width(160),
        "paper-width-640" => Width(640),
        _ => null,
    };

    // 784 -> n -> n -> 10; raw weights of wide layers are large (1000 x 51 x 640^2 floats is
    // 84 GB), so wide presets keep them only every 10 epochs, or not at all.
    private static ExperimentSpec Width(int n) => PaperGaussian with
    {
        HiddenWidths = [n, n],
        KeepWeightsEvery = n switch { <= 40 => 1, <= 160 => 10, _ => 0 },
    };
}
