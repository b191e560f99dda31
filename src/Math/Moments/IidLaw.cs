using System.Globalization;
using System.Numerics;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The law of one matrix entry when all n^2 entries are independent and identically distributed,
/// described by its raw moments m_r = E[w^r] (pigmm-math.md section 7.4). Moments are exact
/// rationals of the parameters as given (e.g. the double nearest to 0.1), so that the moments of
/// invariants computed from them are rounded only once.
/// </summary>
public sealed class IidLaw
{
    private readonly Func<int, Rational> rawMoment;
    private readonly string description;

    private IidLaw(Func<int, Rational> rawMoment, int? highestMoment, string description)
    {
        this.rawMoment = rawMoment;
        HighestMoment = highestMoment;
        this.description = description;
    }

    /// <summary>The highest order r for which m_r is known; null if every order is.</summary>
    public int? HighestMoment { get; }

    /// <summary>Gaussian N(0, <paramref name="variance"/>): m_r = variance^(r/2) (r-1)!! for even r, 0 for odd r.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The variance is negative, NaN or infinite.</exception>
    public static IidLaw CentredGaussian(double variance)
    {
        var s2 = Rational.Of(RequireNonNegative(variance, nameof(variance)));
        return new IidLaw(
            r => r % 2 == 1 ? Rational.Zero : s2.Power(r / 2) * Rational.Of(DoubleFactorial(r - 1), BigInteger.One),
            null,
            string.Create(CultureInfo.InvariantCulture, $"N(0, {variance:R})"));
    }

    /// <summary>Uniform on [-<paramref name="halfWidth"/>, <paramref name="halfWidth"/>]:
    /// m_r = b^r / (r + 1) for even r, 0 for odd r; variance b^2 / 3.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The half-width is negative, NaN or infinite.</exception>
    public static IidLaw SymmetricUniform(double halfWidth)
    {
        var b = Rational.Of(RequireNonNegative(halfWidth, nameof(halfWidth)));
        return new IidLaw(
            r => r % 2 == 1 ? Rational.Zero : b.Power(r) * Rational.Of(BigInteger.One, r + 1),
            null,
            string.Create(CultureInfo.InvariantCulture, $"U(-{halfWidth:R}, {halfWidth:R})"));
    }

    /// <summary>The paper's "Gaussian" initialisation of a layer with <paramref name="fanIn"/>
    /// inputs: N(0, 1/fanIn) (pigmm-math.md section 11).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> is not positive.</exception>
    public static IidLaw GaussianInitialisation(int fanIn)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        return CentredGaussian(1.0 / fanIn);
    }

    /// <summary>The paper's "Uniform" initialisation (the framework default for linear layers)
    /// of a layer with <paramref name="fanIn"/> inputs: U(-1/sqrt(fanIn), 1/sqrt(fanIn)), variance
    /// 1/(3 fanIn) (pigmm-math.md section 11).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> is not positive.</exception>
    public static IidLaw UniformInitialisation(int fanIn)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        return SymmetricUniform(1.0 / Math.Sqrt(fanIn));
    }

    /// <summary>A law given by its raw moments m_1, m_2, ..., m_R (index 0 holds m_1). The moments
    /// of a degree-k invariant need m_1..m_k, its variance m_1..m_2k.</summary>
    /// <exception cref="ArgumentException">No moment is given, or one is NaN or infinite.</exception>
    public static IidLaw FromRawMoments(params double[] rawMoments)
    {
        ArgumentNullException.ThrowIfNull(rawMoments);
        if (rawMoments.Length == 0)
        {
            throw new ArgumentException("Give at least the first raw moment m_1.", nameof(rawMoments));
        }
        for (int r = 0; r < rawMoments.Length; r++)
        {
            if (!double.IsFinite(rawMoments[r]))
            {
                throw new ArgumentException($"Raw moment m_{r + 1} is {rawMoments[r]}; moments must be finite.", nameof(rawMoments));
            }
        }
        var exact = rawMoments.Select(Rational.Of).ToArray();
        return new IidLaw(
            r => exact[r - 1],
            exact.Length,
            "law with raw moments (" + string.Join(", ", rawMoments.Select(m => m.ToString("R", CultureInfo.InvariantCulture))) + ")");
    }

    /// <summary>m_r = E[w^r], rounded to double (m_0 = 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="order"/> is negative or above <see cref="HighestMoment"/>.</exception>
    public double RawMoment(int order) => ExactRawMoment(order).ToDouble();

    /// <summary>The mean m_1.</summary>
    public double Mean => RawMoment(1);

    /// <summary>The variance m_2 - m_1^2 (exact, rounded once).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The law gives only m_1.</exception>
    public double Variance => (ExactRawMoment(2) - ExactRawMoment(1).Power(2)).ToDouble();

    /// <summary>The law, e.g. <c>N(0, 0.1)</c>.</summary>
    public override string ToString() => description;

    internal Rational ExactRawMoment(int order)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(order);
        if (order > HighestMoment)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, $"The {description} gives raw moments up to m_{HighestMoment}; m_{order} is needed.");
        }
        return order == 0 ? Rational.One : rawMoment(order);
    }

    private static double RequireNonNegative(double value, string name) =>
        double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, "Must be a finite number >= 0.");

    private static BigInteger DoubleFactorial(int k)
    {
        var product = BigInteger.One;
        for (int factor = k; factor > 1; factor -= 2)
        {
            product *= factor;
        }
        return product;
    }
}
