using System.Numerics;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// Rounding of exact values to double precision, round-to-nearest with ties to even (the IEEE 754
/// default), so that every exact quantity of this library is rounded once, at the end.
/// </summary>
internal static class CorrectRounding
{
    private const int SignificandBits = 53;
    private const int LowestExponent = -1074;
    private const int ExponentBias = 1023;
    private static readonly BigInteger HiddenBit = BigInteger.One << (SignificandBits - 1);
    private static readonly BigInteger SignificandLimit = BigInteger.One << SignificandBits;

    /// <summary>
    /// The double nearest to numerator / denominator * 2^exponent (ties to even). An exact zero
    /// gives +0; a value whose magnitude rounds beyond double.MaxValue gives an infinity; a
    /// nonzero value that rounds to zero keeps its sign (-0 for tiny negatives), as IEEE 754 does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="denominator"/> is not positive.</exception>
    public static double ToDouble(BigInteger numerator, BigInteger denominator, int exponent)
    {
        if (denominator.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(denominator), denominator, "The denominator must be positive.");
        }
        if (numerator.IsZero)
        {
            return 0.0;
        }
        bool negative = numerator.Sign < 0;
        var magnitude = BigInteger.Abs(numerator);

        // Pick the weight 2^lsb of the last significand bit: 53 significant bits for normal
        // results, never below 2^-1074 (subnormal results keep fewer bits).
        long bitsAbove = magnitude.GetBitLength() - denominator.GetBitLength();
        long lsb = Math.Max(exponent + bitsAbove - SignificandBits, LowestExponent);
        var (quotient, remainder, divisor) = ScaledDivision(magnitude, denominator, exponent - lsb);
        if (quotient >= SignificandLimit)
        {
            // The estimate of the quotient's length was one bit short.
            lsb++;
            (quotient, remainder, divisor) = ScaledDivision(magnitude, denominator, exponent - lsb);
        }

        int halfComparison = (remainder << 1).CompareTo(divisor);
        if (halfComparison > 0 || (halfComparison == 0 && !quotient.IsEven))
        {
            quotient++;
            if (quotient == SignificandLimit)
            {
                quotient = HiddenBit;
                lsb++;
            }
        }

        ulong bits;
        if (quotient >= HiddenBit)
        {
            long biasedExponent = lsb + (SignificandBits - 1) + ExponentBias;
            if (biasedExponent >= 2 * ExponentBias + 1)
            {
                return negative ? double.NegativeInfinity : double.PositiveInfinity;
            }
            bits = ((ulong)biasedExponent << (SignificandBits - 1)) | (ulong)(quotient - HiddenBit);
        }
        else
        {
            // Subnormal (or zero after rounding): the significand field holds the value / 2^-1074.
            bits = (ulong)quotient;
        }
        double result = BitConverter.UInt64BitsToDouble(bits);
        return negative ? -result : result;
    }

    /// <summary>floor(magnitude * 2^shift / denominator), its remainder, and the divisor the
    /// remainder is measured against.</summary>
    private static (BigInteger Quotient, BigInteger Remainder, BigInteger Divisor) ScaledDivision(BigInteger magnitude, BigInteger denominator, long shift)
    {
        var (dividend, divisor) = shift >= 0
            ? (magnitude << checked((int)shift), denominator)
            : (magnitude, denominator << checked((int)-shift));
        var quotient = BigInteger.DivRem(dividend, divisor, out var remainder);
        return (quotient, remainder, divisor);
    }
}
