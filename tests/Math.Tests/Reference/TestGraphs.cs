using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>The graphs most tests run over, built once.</summary>
internal static class TestGraphs
{
    /// <summary>All 361 graphs of degree 1 to 4, in enumeration order.</summary>
    public static InvariantGraph[] UpToDegree4 { get; } = Enumerable.Range(1, 4).SelectMany(InvariantGraph.Enumerate).ToArray();

    /// <summary>An evaluator of <see cref="UpToDegree4"/>.</summary>
    public static GraphEvaluator UpToDegree4Evaluator { get; } = new(UpToDegree4);
}
