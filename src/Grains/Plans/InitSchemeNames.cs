using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Training;

namespace OrleansPigmm.Grains.Plans;

/// <summary>The one mapping from the initialisation names of specs and of the command line
/// (<see cref="ExperimentSpecParser.InitSchemes"/>) to the trainer's schemes.</summary>
public static class InitSchemeNames
{
    /// <summary>Each name's scheme.</summary>
    public static IReadOnlyDictionary<string, InitScheme> Schemes { get; } = ExperimentSpecParser.InitSchemes.ToDictionary(name => name, name => name switch
    {
        "gaussian" => InitScheme.Gaussian,
        "uniform" => InitScheme.Uniform,
        "he" => InitScheme.KaimingNormal,
        "xavier" => InitScheme.XavierUniform,
        "orthogonal" => InitScheme.Orthogonal,
        _ => throw new InvalidOperationException($"The initialisation '{name}' of specs has no trainer scheme."),
    });

    /// <summary>The name of a scheme.</summary>
    public static string Name(InitScheme scheme) => Schemes.First(pair => pair.Value == scheme).Key;
}
