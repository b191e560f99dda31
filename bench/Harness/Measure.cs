using System.Diagnostics;

namespace OrleansPigmm.Benchmarks.Harness;

/// <summary>How long and how often <see cref="Measure.PerCall"/> runs a piece of work.</summary>
/// <param name="Warmup">Time spent calling before anything is recorded (JIT tiering, caches).</param>
/// <param name="BatchTime">Each recorded batch repeats the call until it lasts at least this long.</param>
/// <param name="Batches">Number of recorded batches; the median over batches is reported.</param>
public sealed record MeasureOptions(TimeSpan Warmup, TimeSpan BatchTime, int Batches)
{
    /// <summary>0.2 s warm-up, 7 batches of at least 50 ms.</summary>
    public static MeasureOptions Default { get; } = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50), 7);

    /// <summary>Shorter runs for smoke tests of the benchmarks themselves.</summary>
    public static MeasureOptions Quick { get; } = new(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(2), 3);
}

/// <summary>Seconds per call of a piece of work: median, fastest and slowest batch.</summary>
public readonly record struct Timing(double MedianSeconds, double MinSeconds, double MaxSeconds, long CallsPerBatch)
{
    /// <summary>The median as text with a unit, e.g. "3.41 µs".</summary>
    public override string ToString() => Units.Seconds(MedianSeconds);
}

/// <summary>In-process timing of small pieces of work, for benchmarks that compare a scenario
/// with a yardstick measured in the same run.</summary>
public static class Measure
{
    /// <summary>
    /// Calls <paramref name="call"/> repeatedly: first for the warm-up time, then in
    /// <see cref="MeasureOptions.Batches"/> batches each lasting at least
    /// <see cref="MeasureOptions.BatchTime"/>, and returns the per-call time of the batches.
    /// </summary>
    public static Timing PerCall(Action call, MeasureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        options ??= MeasureOptions.Default;
        long calls = 1;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < options.Warmup)
        {
            call();
        }
        // Grow the batch until it is long enough to time reliably.
        while (true)
        {
            double seconds = TimeBatch(call, calls);
            if (seconds >= options.BatchTime.TotalSeconds || calls >= 1L << 40)
            {
                break;
            }
            calls = seconds <= 0 ? calls * 16 : Math.Max(calls * 2, (long)(calls * options.BatchTime.TotalSeconds / seconds * 1.2));
        }
        var perCall = new double[options.Batches];
        for (int b = 0; b < perCall.Length; b++)
        {
            perCall[b] = TimeBatch(call, calls) / calls;
        }
        Array.Sort(perCall);
        return new Timing(perCall[perCall.Length / 2], perCall[0], perCall[^1], calls);
    }

    private static double TimeBatch(Action call, long calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (long c = 0; c < calls; c++)
        {
            call();
        }
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
