using System.Numerics;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The deviation measures of pigmm-math.md section 10, as pure functions. A deviation that is
/// undefined (a zero spread in its denominator) is null, never a silent division by zero.
/// </summary>
public static class DeviationMeasures
{
    /// <summary>
    /// The model deviation Dev = |prediction - mean| / std (section 10, item 1): how many
    /// population standard deviations of the ensemble separate the fitted model's exact
    /// expectation from the ensemble mean. Null when std = 0 (undefined); +infinity if the
    /// quotient overflows (a subnormal std).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or std &lt; 0.</exception>
    public static double? ModelDeviation(double prediction, double mean, double populationStd)
    {
        RequireFinite(prediction, nameof(prediction));
        RequireFinite(mean, nameof(mean));
        RequireFinite(populationStd, nameof(populationStd));
        ArgumentOutOfRangeException.ThrowIfNegative(populationStd);
        return populationStd == 0 ? null : Math.Abs(prediction - mean) / populationStd;
    }

    /// <summary>Element-wise <see cref="ModelDeviation"/> of equally long spans.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or an element is invalid
    /// (the message gives its position).</exception>
    public static double?[] ModelDeviations(ReadOnlySpan<double> predictions, ReadOnlySpan<double> means, ReadOnlySpan<double> populationStds)
    {
        if (means.Length != predictions.Length || populationStds.Length != predictions.Length)
        {
            throw new ArgumentException($"Need as many means and standard deviations as predictions ({predictions.Length}); got {means.Length} and {populationStds.Length}.", nameof(means));
        }
        var deviations = new double?[predictions.Length];
        for (int j = 0; j < deviations.Length; j++)
        {
            try
            {
                deviations[j] = ModelDeviation(predictions[j], means[j], populationStds[j]);
            }
            catch (ArgumentOutOfRangeException error)
            {
                throw new ArgumentException($"Position {j}: {error.Message}", error.ParamName, error);
            }
        }
        return deviations;
    }

    /// <summary>
    /// Dev_k for the invariants beyond I13 of the ensemble: element j is Dev for
    /// I(14 + j) = catalogue index 13 + j, from <paramref name="predictions"/>[j] (the fitted
    /// model's exact expectation of that invariant) and the ensemble's mean and population std.
    /// </summary>
    /// <exception cref="ArgumentException">There are not K - 13 predictions, or one is NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The ensemble is empty.</exception>
    public static double?[] ModelDeviations(InvariantAccumulator ensemble, ReadOnlySpan<double> predictions)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        int first = InvariantAccumulator.MinimumInvariantCount;
        if (predictions.Length != ensemble.InvariantCount - first)
        {
            throw new ArgumentException($"Expected predictions for I{first + 1}..I{ensemble.InvariantCount} ({ensemble.InvariantCount - first} values), got {predictions.Length}.", nameof(predictions));
        }
        return ModelDeviations(predictions, ensemble.Means().AsSpan(first), ensemble.PopulationStds().AsSpan(first));
    }

    /// <summary>
    /// The normalised change (final - initial) / (final + initial) of a deviation between epoch 0
    /// and the final epoch (section 10, item 2), in [-1, 1]: -1 when the final deviation is 0, +1
    /// when the initial one is. Defined as 0 when both are 0 (no change). Null when either
    /// deviation is undefined (null).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A deviation is negative, NaN or infinite.</exception>
    public static double? NormalisedChange(double? initial, double? final)
    {
        if (initial is not { } start || final is not { } end)
        {
            return null;
        }
        RequireDeviation(start, nameof(initial));
        RequireDeviation(end, nameof(final));
        double total = start + end;
        return total == 0 ? 0.0 : (end - start) / total;
    }

    /// <summary>
    /// The linear/quadratic deviation from the initial i.i.d. law (section 10, item 3), for
    /// I1..I13 (element k - 1 for I_k): |mean_k - E[I_k]| / sqrt(Var[I_k] / N), with E exact
    /// (section 7.4) and Var exact or, for reproducing the paper's figure, the paper's
    /// hand-written variances (<see cref="StandardErrorConvention"/>). Null where Var = 0.
    /// </summary>
    /// <param name="means">Ensemble means of I1..I13 (13 values).</param>
    /// <param name="samples">N, the number of matrices behind the means.</param>
    /// <param name="n">Matrix size.</param>
    /// <param name="initialLaw">The law of the entries at initialisation, e.g.
    /// <see cref="IidLaw.GaussianInitialisation"/>; it needs raw moments up to m_4.</param>
    /// <param name="convention">Exact variances (default) or the paper's.</param>
    /// <exception cref="ArgumentException">Not 13 finite means, N &lt; 1, n &lt; 1, a missing
    /// moment, or the paper's convention with a law of nonzero mean.</exception>
    public static double?[] InitialLawDeviations(ReadOnlySpan<double> means, long samples, int n, IidLaw initialLaw, StandardErrorConvention convention = StandardErrorConvention.Exact) =>
        InitialLawReference.Of(n, initialLaw, convention).Deviations(means, samples);

    /// <summary><see cref="InitialLawDeviations(ReadOnlySpan{double}, long, int, IidLaw, StandardErrorConvention)"/>
    /// for the means of I1..I13, N and n of <paramref name="ensemble"/>.</summary>
    /// <exception cref="InvalidOperationException">The ensemble is empty.</exception>
    public static double?[] InitialLawDeviations(InvariantAccumulator ensemble, IidLaw initialLaw, StandardErrorConvention convention = StandardErrorConvention.Exact)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        return InitialLawReference.Of(ensemble.MatrixSize, initialLaw, convention).Deviations(ensemble);
    }

    internal static void RequireFinite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be a finite number.");
        }
    }

    private static void RequireDeviation(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "A deviation is a finite number >= 0.");
        }
    }
}
