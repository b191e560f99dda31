namespace OrleansPigmm.Reporting.Plotting;

/// <summary>A tick: a labelled major tick, or a minor one when <see cref="Label"/> is null.</summary>
internal readonly record struct Tick(double Value, string? Label);

/// <summary>How <see cref="Axis.Fit"/> chooses a value axis.</summary>
/// <param name="AllowLog">Use a log scale when no value is negative and the positive ones span two decades or more.</param>
/// <param name="IncludeZero">Extend a linear range to 0 (magnitudes, not levels).</param>
/// <param name="TargetTicks">About how many labelled ticks to aim for.</param>
internal sealed record AxisOptions(bool AllowLog = true, bool IncludeZero = false, int TargetTicks = 5);

/// <summary>
/// A data range mapped onto [0, 1] with its ticks, independent of pixels. Values outside
/// ±<see cref="Largest"/>, not finite, or not positive on a log scale are not drawn, which keeps
/// every span and step finite whatever the data hold.
/// </summary>
internal abstract class Axis
{
    /// <summary>The largest magnitude drawn; larger values are reported as not shown.</summary>
    public const double Largest = 1e300;

    /// <summary>The smallest positive value a log axis draws.</summary>
    public const double SmallestOnLog = 1e-300;

    public abstract bool IsLog { get; }

    public abstract IReadOnlyList<Tick> Ticks { get; }

    /// <summary>Where a shown value lies: 0 at the low end of the axis, 1 at the high end.</summary>
    public abstract double Fraction(double value);

    /// <summary>Whether the value can be placed on this axis.</summary>
    public abstract bool Shows(double value);

    public static bool IsPlottable(double value) => double.IsFinite(value) && Math.Abs(value) <= Largest;

    /// <summary>A log axis over whole decades when the values allow and call for it, otherwise a
    /// linear axis whose ends are multiples of a 1-2-5 step.</summary>
    public static Axis Fit(IEnumerable<double> values, AxisOptions options)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity, lowestPositive = double.PositiveInfinity;
        foreach (double value in values.Where(IsPlottable))
        {
            low = Math.Min(low, value);
            high = Math.Max(high, value);
            if (value >= SmallestOnLog)
            {
                lowestPositive = Math.Min(lowestPositive, value);
            }
        }
        if (low > high)
        {
            return LinearAxis.Nice(0, 1, options.TargetTicks);
        }
        // Magnitudes (nothing negative) that span decades; the odd zero is left off and noted
        // rather than squashing every other value onto the axis.
        if (options.AllowLog && low >= 0 && high / lowestPositive >= 100)
        {
            return LogAxis.Covering(lowestPositive, high);
        }
        if (options.IncludeZero)
        {
            low = Math.Min(low, 0);
            high = Math.Max(high, 0);
        }
        return LinearAxis.Nice(low, high, options.TargetTicks);
    }

    /// <summary>1, 2 or 5 times a power of ten, near <paramref name="rough"/>.</summary>
    protected static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / power;
        double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return nice * power;
    }
}

/// <summary>A linear axis from <see cref="Low"/> to <see cref="High"/>, ticks at multiples of <see cref="Step"/>.</summary>
internal sealed class LinearAxis : Axis
{
    private LinearAxis(double low, double high, double step)
    {
        Low = low;
        High = high;
        Step = step;
        long first = (long)Math.Ceiling(low / step - 1e-9), last = (long)Math.Floor(high / step + 1e-9);
        Ticks = [.. Enumerable.Range(0, (int)(last - first + 1))
            .Select(k => (first + k) * step)
            .Select(value => new Tick(value, NumberText.TickLabel(value, step)))];
    }

    public double Low { get; }

    public double High { get; }

    public double Step { get; }

    public override bool IsLog => false;

    public override IReadOnlyList<Tick> Ticks { get; }

    public override double Fraction(double value) => (value - Low) / (High - Low);

    public override bool Shows(double value)
    {
        double tolerance = (High - Low) * 1e-9;
        return IsPlottable(value) && value >= Low - tolerance && value <= High + tolerance;
    }

    /// <summary>The range widened to multiples of a 1-2-5 step; a constant (or nearly constant)
    /// range is first padded by 5 % of its magnitude so that it still has ticks.</summary>
    public static LinearAxis Nice(double low, double high, int targetTicks)
    {
        double magnitude = Math.Max(Math.Abs(low), Math.Abs(high));
        if (high - low <= magnitude * 1e-9)
        {
            double pad = magnitude == 0 ? 1 : magnitude * 0.05;
            low -= pad;
            high += pad;
        }
        double step = NiceStep((high - low) / targetTicks);
        return new LinearAxis(Math.Floor(low / step) * step, Math.Ceiling(high / step) * step, step);
    }

    /// <summary>An axis of whole numbers (epochs) exactly from <paramref name="first"/> to
    /// <paramref name="last"/>; a single value gets half a unit either side.</summary>
    public static LinearAxis Counting(int first, int last, int targetTicks)
    {
        if (first == last)
        {
            return new LinearAxis(first - 0.5, last + 0.5, 1);
        }
        return new LinearAxis(first, last, Math.Max(1, NiceStep((double)(last - first) / targetTicks)));
    }
}

/// <summary>A log axis over the decades 10^<see cref="LowDecade"/> to 10^<see cref="HighDecade"/>.</summary>
internal sealed class LogAxis : Axis
{
    private const int MostLabelledDecades = 6;
    private const int MostMinorDecades = 30;

    private LogAxis(int lowDecade, int highDecade)
    {
        LowDecade = lowDecade;
        HighDecade = highDecade;
        Ticks = BuildTicks(lowDecade, highDecade);
    }

    public int LowDecade { get; }

    public int HighDecade { get; }

    public override bool IsLog => true;

    public override IReadOnlyList<Tick> Ticks { get; }

    public override double Fraction(double value) => (Math.Log10(value) - LowDecade) / (HighDecade - LowDecade);

    public override bool Shows(double value)
    {
        if (!IsPlottable(value) || value < SmallestOnLog)
        {
            return false;
        }
        double fraction = Fraction(value);
        return fraction >= -1e-9 && fraction <= 1 + 1e-9;
    }

    public static LogAxis Covering(double low, double high)
    {
        int lowDecade = (int)Math.Floor(Math.Log10(low));
        int highDecade = Math.Max((int)Math.Ceiling(Math.Log10(high)), lowDecade + 1);
        return new LogAxis(lowDecade, highDecade);
    }

    // Every decade is labelled up to six decades, then every second, third, ...; unlabelled
    // decades get minor ticks while they stay apart. 2 and 5 are labelled too when there are only
    // one or two decades, and 2..9 get minor ticks while the decades are wide enough.
    private static List<Tick> BuildTicks(int lowDecade, int highDecade)
    {
        int decades = highDecade - lowDecade;
        int stride = (decades + MostLabelledDecades - 1) / MostLabelledDecades;
        var ticks = new List<Tick>();
        for (int decade = lowDecade; decade <= highDecade; decade++)
        {
            double power = Math.Pow(10, decade);
            bool labelled = (decade - lowDecade) % stride == 0;
            if (labelled || decades <= MostMinorDecades)
            {
                ticks.Add(new Tick(power, labelled ? NumberText.PowerOfTen(decade) : null));
            }
            if (decade == highDecade || stride > 1 || decades > 8)
            {
                continue;
            }
            for (int multiple = 2; multiple <= 9; multiple++)
            {
                bool labelledMultiple = decades <= 2 && multiple is 2 or 5;
                ticks.Add(new Tick(multiple * power, labelledMultiple ? NumberText.TickLabel(multiple * power, power) : null));
            }
        }
        return ticks;
    }
}
