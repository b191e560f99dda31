namespace OrleansPigmm.Training;

/// <summary>
/// How closely two trainers of one spec must agree on the same replicas: the GPU and CPU trainers
/// compute the same formulas, but sum in different orders (the CPU in SIMD lanes and partial sums,
/// the GPU one thread per value in index order), so their single-precision rounding differs. After
/// a few epochs every weight w agrees within <see cref="AbsoluteTolerance"/> +
/// <see cref="RelativeTolerance"/> · |w| (checked by the tests on ILGPU's CPU accelerator, and by
/// <c>pigmm bench train --device gpu</c> on a real GPU).
/// </summary>
public static class TrainerAgreement
{
    public const double AbsoluteTolerance = 1e-5;

    public const double RelativeTolerance = 1e-4;

    /// <summary>The largest excess over the tolerance, |a - b| - (absolute + relative · |a|), of
    /// any weight of any slot: at most 0 when the trainers agree.</summary>
    public static double WorstExcess(IEnsembleTrainer expected, IEnsembleTrainer actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        double worst = double.NegativeInfinity;
        for (int slot = 0; slot < expected.Replicas.Count; slot++)
        {
            for (int layer = 0; layer < expected.Shape.Layers.Count; layer++)
            {
                var (a, b) = (new float[expected.Shape.Layers[layer].Weights], new float[expected.Shape.Layers[layer].Weights]);
                expected.CopyWeights(slot, layer, a);
                actual.CopyWeights(slot, layer, b);
                for (int i = 0; i < a.Length; i++)
                {
                    worst = Math.Max(worst, Excess(a[i], b[i]));
                }
            }
        }
        return worst;
    }

    /// <summary>|expected - actual| beyond the tolerance for <paramref name="expected"/>: at most 0 when they agree; NaN when either is NaN.</summary>
    public static double Excess(float expected, float actual) =>
        Math.Abs(expected - actual) - (AbsoluteTolerance + RelativeTolerance * Math.Abs(expected));
}
