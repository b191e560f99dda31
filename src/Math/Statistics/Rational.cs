using System.Numerics;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// An exact rational number (reduced, positive denominator), for closed-form quantities that
/// must be rounded only once: every finite double is an exact rational, and sums and products of
/// them stay exact.
/// </summary>
internal readonly record struct Rational
{
    private Rational(BigInteger numerator, BigInteger denominator)
    {
        var divisor = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (denominator.Sign < 0)
        {
            divisor = -divisor;
        }
        Numerator = divisor.IsOne ? numerator : numerator / divisor;
        Denominator = divisor.IsOne ? denominator : denominator / divisor;
    }

    public BigInteger Numerator { get; }

    public BigInteger Denominator { get; }

    public static Rational Zero { get; } = new(BigInteger.Zero, BigInteger.One);

    public static Rational One { get; } = new(BigInteger.One, BigInteger.One);

    public int Sign => Numerator.Sign;

    /// <exception cref="DivideByZeroException"><paramref name="denominator"/> is zero.</exception>
    public static Rational Of(BigInteger numerator, BigInteger denominator) =>
        denominator.IsZero ? throw new DivideByZeroException("A rational number needs a nonzero denominator.") : new(numerator, denominator);

    /// <summary>The exact value of a finite double.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or infinite.</exception>
    public static Rational Of(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"Only finite numbers have an exact rational value; got {value}.", nameof(value));
        }
        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        int biasedExponent = (int)(bits >> 52) & 0x7FF;
        long significand = (long)(bits & 0x000F_FFFF_FFFF_FFFF);
        if (biasedExponent != 0)
        {
            significand |= 1L << 52;
        }
        // value = ±significand * 2^(max(biasedExponent, 1) - 1075)
        int exponent = Math.Max(biasedExponent, 1) - 1075;
        BigInteger numerator = (bits >> 63) != 0 ? -significand : significand;
        return exponent >= 0 ? new(numerator << exponent, BigInteger.One) : new(numerator, BigInteger.One << -exponent);
    }

    public static Rational operator +(Rational a, Rational b) =>
        new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Rational operator -(Rational a, Rational b) =>
        new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Rational operator *(Rational a, Rational b) =>
        new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exponent"/> is negative.</exception>
    public Rational Power(int exponent) => new(BigInteger.Pow(Numerator, exponent), BigInteger.Pow(Denominator, exponent));

    /// <summary>The nearest double (ties to even).</summary>
    public double ToDouble() => CorrectRounding.ToDouble(Numerator, Denominator, 0);
}
