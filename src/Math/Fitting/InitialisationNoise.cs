namespace OrleansPigmm.Mathematics;

/// <summary>
/// How much the fitted parameters of an ensemble of zero-mean i.i.d. Gaussian matrices scatter
/// from one ensemble to the next: the band inside which epoch-0 differences are noise
/// (pigmm-math.md section 11).
/// </summary>
public static class InitialisationNoise
{
    /// <summary>
    /// Standard deviations of the fitted f1..f13 (section 6) over repeated ensembles of
    /// <paramref name="samples"/> n x n matrices whose entries are i.i.d. N(0, <paramref name="variance"/>).
    /// </summary>
    /// <remarks>
    /// All irreducible coordinates of such a matrix are i.i.d. N(0, s2), so: f1, f2 are means of N
    /// of them (s2/N); f3, f5 are 1/N-normalised sample variances (2 s2^2 (N-1)/N^2); f4 a sample
    /// covariance (s2^2 (N-1)/N^2); f6, f9, f11 means of N(n-1) squares (2 s2^2/(N(n-1)));
    /// f7, f8, f10 means of N(n-1) products of independent pairs (s2^2/(N(n-1))); f12, f13 means of
    /// N dimV2 or N dimV3 squares. For other zero-mean laws with the same variance (uniform) these
    /// are close, since the coordinates are sums of many entries. For n = 10, N = 1000,
    /// s2 = 0.1 they are 0.010 (f1, f2), 0.0045 (f3, f5), 0.0032 (f4), 0.0015 (f6, f9, f11),
    /// 0.0011 (f7, f8, f10), 0.00076 (f12, f13).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4, samples &lt; 2 or variance not positive and finite.</exception>
    public static double[] StandardDeviations(int n, long samples, double variance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        if (!(variance > 0) || !double.IsFinite(variance))
        {
            throw new ArgumentOutOfRangeException(nameof(variance), variance, "The entry variance must be positive and finite.");
        }
        double s2 = variance, count = samples;
        double mean = Math.Sqrt(s2 / count);
        double sampleVariance = s2 * Math.Sqrt(2 * (count - 1)) / count;
        double sampleCovariance = s2 * Math.Sqrt(count - 1) / count;
        double hookSquare = s2 * Math.Sqrt(2 / (count * (n - 1)));
        double hookProduct = s2 / Math.Sqrt(count * (n - 1));
        double dimV2 = n * (n - 3) / 2.0, dimV3 = (n - 1) * (n - 2) / 2.0;
        return
        [
            mean, mean,
            sampleVariance, sampleCovariance, sampleVariance,
            hookSquare, hookProduct, hookProduct, hookSquare, hookProduct, hookSquare,
            s2 * Math.Sqrt(2 / (count * dimV2)), s2 * Math.Sqrt(2 / (count * dimV3)),
        ];
    }
}
