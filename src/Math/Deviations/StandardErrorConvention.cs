namespace OrleansPigmm.Mathematics;

/// <summary>Which variances of I1..I13 under the initial i.i.d. law scale the deviation from
/// initialisation (pigmm-math.md section 10, item 3).</summary>
public enum StandardErrorConvention
{
    /// <summary>The exact variances of section 7.4 (<see cref="IidInvariantMoments.Variance"/>).</summary>
    Exact,

    /// <summary>
    /// The hand-written variances of the paper's analysis code (the standard-error functions
    /// behind its initialisation deviation in PIM_Functions.py, github.com/edhirst/PIGWMM), for
    /// reproducing its Fig. 4.1; defined for zero-mean laws and using m2, m4 only: n m2 (I1); n^2 m2 (I2); n^2 (m4 - m2^2)
    /// (I3); n m4 + n (n-2) m2^2 (I4, I5, I6, I12); n^2 m4 + n^2 (n-2) m2^2 (I7, I8);
    /// n m4 + n (n^2-2) m2^2 (I9, I13); n^2 m4 + n^2 (n^2-2) m2^2 (I10); n (m4 - m2^2) (I11).
    /// Those of I4, I7, I8, I9, I10, I12 and I13 are below the exact ones (for the paper's n = 10
    /// initialisations the standard errors are 0.71 to 0.96 of the exact ones), which inflates
    /// those deviations.
    /// </summary>
    PaperHandWritten,
}
