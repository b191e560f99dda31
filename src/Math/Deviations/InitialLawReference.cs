using System.Numerics;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The exact expectations and variances of I1..I13 for n x n matrices with i.i.d. entries of one
/// law (pigmm-math.md sections 7.4 and 10.3): everything the deviation from the initial law needs
/// besides the ensemble. Computing them takes exact rational arithmetic (about a millisecond);
/// a value of this type computes them once, so one (layer, epoch) after another reuses them.
/// </summary>
public sealed class InitialLawReference
{
    // I1..I13 (section 5.2).
    private static readonly InvariantGraph[] LinearAndQuadratic =
        PaperInvariants.All.Take(InvariantAccumulator.MinimumInvariantCount).Select(p => p.Graph).ToArray();

    private readonly double[] expectations;
    private readonly double[] variances;

    private InitialLawReference(int n, IidLaw law, StandardErrorConvention convention, double[] expectations, double[] variances)
    {
        N = n;
        Law = law;
        Convention = convention;
        this.expectations = expectations;
        this.variances = variances;
    }

    /// <summary>Matrix size.</summary>
    public int N { get; }

    /// <summary>The law of one entry at initialisation.</summary>
    public IidLaw Law { get; }

    /// <summary>Exact variances, or the paper's hand-written ones.</summary>
    public StandardErrorConvention Convention { get; }

    /// <summary>E[I_k] under the law, element k - 1 for I_k, exact then rounded once.</summary>
    public IReadOnlyList<double> Expectations => expectations;

    /// <summary>Var[I_k] under the law in the chosen convention, element k - 1 for I_k.</summary>
    public IReadOnlyList<double> Variances => variances;

    /// <summary>The reference of <paramref name="law"/> for n x n matrices.</summary>
    /// <exception cref="ArgumentException">n &lt; 1, the law lacks a raw moment up to m_4, or the
    /// paper's convention with a law of nonzero mean.</exception>
    public static InitialLawReference Of(int n, IidLaw law, StandardErrorConvention convention = StandardErrorConvention.Exact)
    {
        ArgumentNullException.ThrowIfNull(law);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var variances = convention switch
        {
            StandardErrorConvention.Exact => LinearAndQuadratic.Select(graph => IidInvariantMoments.Variance(graph, n, law)).ToArray(),
            StandardErrorConvention.PaperHandWritten => PaperVariances(n, law),
            _ => throw new ArgumentOutOfRangeException(nameof(convention), convention, "Unknown standard error convention."),
        };
        var expectations = LinearAndQuadratic.Select(graph => IidInvariantMoments.Expectation(graph, n, law)).ToArray();
        return new InitialLawReference(n, law, convention, expectations, variances);
    }

    /// <summary>Whether this reference is the one of (<paramref name="n"/>, <paramref name="law"/>,
    /// <paramref name="convention"/>); laws compare by their exact description.</summary>
    public bool Describes(int n, IidLaw law, StandardErrorConvention convention) =>
        N == n && Convention == convention && (ReferenceEquals(Law, law) || Law.ToString() == law?.ToString());

    /// <summary>
    /// |mean_k - E[I_k]| / sqrt(Var[I_k] / N) for I1..I13 (section 10, item 3); null where Var = 0.
    /// </summary>
    /// <param name="means">Ensemble means of I1..I13 (13 values).</param>
    /// <param name="samples">N, the number of matrices behind the means.</param>
    /// <exception cref="ArgumentException">Not 13 finite means, or N &lt; 1.</exception>
    public double?[] Deviations(ReadOnlySpan<double> means, long samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        if (means.Length != LinearAndQuadratic.Length)
        {
            throw new ArgumentException($"Expected the means of I1..I13 (13 values), got {means.Length}.", nameof(means));
        }
        var deviations = new double?[means.Length];
        for (int k = 0; k < deviations.Length; k++)
        {
            DeviationMeasures.RequireFinite(means[k], nameof(means));
            deviations[k] = variances[k] == 0 ? null : Math.Abs(means[k] - expectations[k]) / Math.Sqrt(variances[k] / samples);
        }
        return deviations;
    }

    /// <summary><see cref="Deviations(ReadOnlySpan{double}, long)"/> for the means of I1..I13 and N of <paramref name="ensemble"/>.</summary>
    /// <exception cref="ArgumentException">The ensemble's matrices are not n x n.</exception>
    /// <exception cref="InvalidOperationException">The ensemble is empty.</exception>
    public double?[] Deviations(InvariantAccumulator ensemble)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        if (ensemble.MatrixSize != N)
        {
            throw new ArgumentException($"The reference is for {N} x {N} matrices; the ensemble holds {ensemble.MatrixSize} x {ensemble.MatrixSize}.", nameof(ensemble));
        }
        return Deviations(ensemble.Means().AsSpan(0, LinearAndQuadratic.Length), ensemble.Count);
    }

    /// <summary>The paper's variances of I1..I13 (see <see cref="StandardErrorConvention.PaperHandWritten"/>),
    /// exact in m2, m4 and rounded once.</summary>
    private static double[] PaperVariances(int n, IidLaw law)
    {
        if (law.ExactRawMoment(1).Sign != 0)
        {
            throw new ArgumentException($"The paper's hand-written standard errors assume zero-mean entries; the {law} has mean {law.Mean:R}.", nameof(law));
        }
        var m2 = law.ExactRawMoment(2);
        var m4 = law.ExactRawMoment(4);
        BigInteger size = n;
        Rational Combination(BigInteger m4Factor, BigInteger m2SquaredFactor) =>
            Rational.Of(m4Factor, BigInteger.One) * m4 + Rational.Of(m2SquaredFactor, BigInteger.One) * m2 * m2;
        var varianceI4 = Combination(size, size * (size - 2));
        var varianceI7 = Combination(size * size, size * size * (size - 2));
        var varianceI9 = Combination(size, size * (size * size - 2));
        var varianceI10 = Combination(size * size, size * size * (size * size - 2));
        Rational[] variances =
        [
            Rational.Of(size, BigInteger.One) * m2, Rational.Of(size * size, BigInteger.One) * m2, Combination(size * size, -size * size),
            varianceI4, varianceI4, varianceI4, varianceI7, varianceI7, varianceI9, varianceI10,
            Combination(size, -size), varianceI4, varianceI9,
        ];
        return variances.Select(variance => variance.ToDouble()).ToArray();
    }
}
