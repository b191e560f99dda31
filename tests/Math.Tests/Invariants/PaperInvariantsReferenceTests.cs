using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Invariants;

/// <summary>Appendix T4 of pigmm-math.md: the 52 invariants of the first matrix (r = 0) of the
/// deterministic ensemble W[r][i][j] = sin(1 + 0.7 r + 1.3 i + 0.4 j + 0.1 i j), n = 4.</summary>
public class PaperInvariantsReferenceTests
{
    /// <summary>
    /// (k, reference value, digits required). The references carry 15 significant digits. The
    /// digits stated per value follow its conditioning cond = sum |terms| / |value| (the
    /// invariant of |W| over that of W): 13 where cond &lt; 100, 12 where cancellation among the
    /// terms (the total S = I2 alone has cond 106) costs more, as in the paper's 1e-12.
    /// </summary>
    public static TheoryData<int, double, int> FirstMatrix => new()
    {
        { 1, 0.837281124846751, 13 }, { 2, -0.102589536652981, 12 }, { 3, 8.68937969191172, 13 },
        { 4, 2.28494124609162, 13 }, { 5, 5.59498963277655, 13 }, { 6, 0.291132875797519, 13 },
        { 7, 23.5120612155325, 13 }, { 8, 0.0927698735420454, 12 }, { 9, 0.955987572941068, 13 },
        { 10, 0.0105246130306733, 12 }, { 11, 2.24426579781159, 13 }, { 12, 0.70103968202464, 13 },
        { 13, -0.0858962826463146, 12 }, { 14, -0.0715472391733065, 13 }, { 15, 1.87908139164678, 13 },
        { 16, 0.439527184178142, 13 }, { 17, -0.874585876906759, 13 }, { 18, -0.0327141113174841, 12 },
        { 19, 1.76316052998834, 13 }, { 20, -0.033945107079661, 12 }, { 21, 2.18455259098592, 13 },
        { 22, 0.109138823547789, 13 }, { 23, 0.49795389132591, 13 }, { 24, 0.00881205983689888, 12 },
        { 25, -0.0980743221540317, 12 }, { 26, -0.00951721834203404, 12 }, { 27, -2.412091465858, 12 },
        { 28, -0.00107971517426869, 12 }, { 29, 1.6850127632289, 13 }, { 30, -0.0599051528947056, 13 },
        { 31, 5.03672897122691, 13 }, { 32, 4.94332703370045, 13 }, { 33, 0.27409529497317, 13 },
        { 34, 0.0324989454160411, 12 }, { 35, 3.17010352521021, 13 }, { 36, 5.74368995512167, 13 },
        { 37, 0.9931586595399, 13 }, { 38, 4.80737393449652, 13 }, { 39, 1.56863840995989, 13 },
        { 40, 2.03879153828867, 13 }, { 41, 4.19031382721854, 13 }, { 42, 1.76973353846411, 13 },
        { 43, 2.95333169460876, 13 }, { 44, 0.1550072926863, 13 }, { 45, 6.46721501235048, 13 },
        { 46, 1.42690771711403, 13 }, { 47, 4.73483714152759, 13 }, { 48, -0.000904025135625796, 12 },
        { 49, 0.0100613992673373, 12 }, { 50, 0.000976367019934521, 12 }, { 51, 0.247455345846981, 12 },
        { 52, 0.000110767479445417, 12 },
    };

    [Theory]
    [MemberData(nameof(FirstMatrix))]
    public void The_first_matrix_of_the_deterministic_ensemble_matches_appendix_T4(int k, double reference, int digits)
    {
        var values = new double[PaperInvariants.Count];

        PaperInvariants.Compute(TestMatrices.DeterministicEnsemble(0, 4), 4, values);

        double agreement = Agreement.Digits(reference, values[k - 1]);
        Assert.True(agreement >= digits, $"I{k}: {values[k - 1]:R} agrees with {reference:R} to {agreement:F1} digits; {digits} required.");
    }

    [Fact]
    public void The_stated_digits_follow_the_conditioning_of_each_value()
    {
        var matrix = TestMatrices.DeterministicEnsemble(0, 4);
        foreach (var row in FirstMatrix)
        {
            var (k, _, digits) = ((int)row[0], (double)row[1], (int)row[2]);
            var graph = PaperInvariants.All[k - 1].Graph;
            double condition = BruteForce.TermMagnitude(graph, matrix, 4) / System.Math.Abs(BruteForce.Evaluate(graph, matrix, 4));
            Assert.Equal(condition < 100 ? 13 : 12, digits);
        }
    }
}
