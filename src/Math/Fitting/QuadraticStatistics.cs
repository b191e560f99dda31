namespace OrleansPigmm.Mathematics;

/// <summary>
/// The sufficient statistics of the PIGMM fit (pigmm-math.md section 6.1) of an ensemble of
/// N matrices of size n: the ensemble means of the linear and quadratic invariants I1..I13
/// (index 0 holds I1), and the three centred second moments of the V0 coordinates that the
/// formulas for f3, f4, f5 need, given separately so that they can be computed without
/// cancellation (population normalisation, 1/N):
/// <list type="bullet">
/// <item><see cref="TotalVariance"/> = mean(I10) - mean(I2)^2 = Var(S)</item>
/// <item><see cref="TraceTotalCovariance"/> = mean(I13) - mean(I1) mean(I2) = Cov(t, S)</item>
/// <item><see cref="TraceVariance"/> = mean(I12) - mean(I1)^2 = Var(t)</item>
/// </list>
/// where S is the sum of all entries and t the trace of one matrix.
/// </summary>
public sealed record QuadraticStatistics
{
    /// <summary>Creates the statistics; see the type's remarks for the meaning of each value.</summary>
    /// <exception cref="ArgumentException">n &lt; 4, N &lt; 1, not 13 means, or a value is NaN or infinite.</exception>
    public QuadraticStatistics(int n, long samples, IReadOnlyList<double> means, double totalVariance, double traceTotalCovariance, double traceVariance)
    {
        ArgumentNullException.ThrowIfNull(means);
        if (n < 4)
        {
            throw new ArgumentException($"Matrix size n = {n}: PIGMMs need n >= 4.", nameof(n));
        }
        if (samples < 1)
        {
            throw new ArgumentException($"An ensemble needs at least one matrix; got N = {samples}.", nameof(samples));
        }
        if (means.Count != 13)
        {
            throw new ArgumentException($"Expected the means of I1..I13 (13 values), got {means.Count}.", nameof(means));
        }
        if (!means.All(double.IsFinite) || !double.IsFinite(totalVariance) || !double.IsFinite(traceTotalCovariance) || !double.IsFinite(traceVariance))
        {
            throw new ArgumentException("Ensemble statistics must be finite numbers.", nameof(means));
        }
        N = n;
        Samples = samples;
        Means = means.ToArray();
        TotalVariance = totalVariance;
        TraceTotalCovariance = traceTotalCovariance;
        TraceVariance = traceVariance;
    }

    /// <summary>Matrix size n.</summary>
    public int N { get; }

    /// <summary>Number of matrices in the ensemble.</summary>
    public long Samples { get; }

    /// <summary>Ensemble means of I1..I13; <c>Means[k - 1]</c> is the mean of I_k.</summary>
    public IReadOnlyList<double> Means { get; }

    /// <summary>Var(S) = mean(I10) - mean(I2)^2 (population).</summary>
    public double TotalVariance { get; }

    /// <summary>Cov(t, S) = mean(I13) - mean(I1) mean(I2) (population).</summary>
    public double TraceTotalCovariance { get; }

    /// <summary>Var(t) = mean(I12) - mean(I1)^2 (population).</summary>
    public double TraceVariance { get; }

    /// <summary>The statistics from the 13 means alone, the centred moments computed literally
    /// as in section 6.1 (fine when |mean| is not much larger than the spread).</summary>
    public static QuadraticStatistics FromMeans(int n, long samples, IReadOnlyList<double> means)
    {
        ArgumentNullException.ThrowIfNull(means);
        if (means.Count != 13)
        {
            throw new ArgumentException($"Expected the means of I1..I13 (13 values), got {means.Count}.", nameof(means));
        }
        double i1 = means[0], i2 = means[1];
        return new QuadraticStatistics(n, samples, means, means[9] - i2 * i2, means[12] - i1 * i2, means[11] - i1 * i1);
    }
}
