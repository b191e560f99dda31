using System.CommandLine;
using OrleansPigmm.Benchmarks;
using OrleansPigmm.Benchmarks.Harness;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm bench</c>: the benchmark scenarios, one subcommand each.</summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var bench = new Command("bench", "Run a benchmark scenario; each prints its figures and ratios against a yardstick or peer measured in the same run.");
        bench.Subcommands.Add(Math(output, error));
        bench.Subcommands.Add(Store(output, error));
        return bench;
    }

    private static Command Math(TextWriter output, TextWriter error)
    {
        var sizes = new Option<string>("--sizes") { Description = "Matrix sizes n, comma-separated.", DefaultValueFactory = _ => string.Join(',', MathBenchmark.Sizes) };
        var quick = new Option<bool>("--quick") { Description = "Short measurements (a smoke test, not figures to report)." };
        var command = new Command("math", "Invariants of one matrix against a summing pass and a matrix product, and the refit of one (layer, epoch) against 1 ms, for each n.")
        {
            sizes, quick,
        };
        command.SetAction(parsed => CommandFailure.Guard("bench math", error, () =>
        {
            var sizeList = OptionValues.PositiveIntegers(parsed.GetValue(sizes)!, "--sizes");
            if (sizeList.Any(n => n < 4))
            {
                throw new InputException($"--sizes must be at least 4 (PIGMMs need n >= 4); got {parsed.GetValue(sizes)}.");
            }
            bool isQuick = parsed.GetValue(quick);
            var benchmark = new MathBenchmark(isQuick ? MeasureOptions.Quick : MeasureOptions.Default, isQuick ? TimeSpan.Zero : null);
            output.WriteLine($"Median time per call; ratios against the yardsticks of the same run ({Environment.ProcessorCount} cores, {System.Numerics.Vector<byte>.Count * 8}-bit vectors).");
            benchmark.RunTable(sizeList).WriteTo(output);
            return 0;
        }));
        return command;
    }

    private static Command Store(TextWriter output, TextWriter error)
    {
        var seconds = new Option<double>("--seconds") { Description = "Time spent committing each ingest case (after as much again untimed).", DefaultValueFactory = _ => 5 };
        var quick = new Option<bool>("--quick") { Description = "Short measurements (a smoke test, not figures to report)." };
        var command = new Command("store", "Snapshots per second committed into the embedded store for n = 10 and n = 640, and the refit of one (layer, epoch) against 1 ms.")
        {
            seconds, quick,
        };
        command.SetAction((parsed, cancellationToken) => Task.FromResult(CommandFailure.Guard("bench store", error, () =>
        {
            bool isQuick = parsed.GetValue(quick);
            double time = isQuick ? 0.05 : parsed.GetValue(seconds);
            if (!(time > 0))
            {
                throw new InputException($"--seconds must be more than 0; got {parsed.GetValue(seconds)}.");
            }
            StoreIngestBenchmark.RunAsync(output, TimeSpan.FromSeconds(time), cancellationToken).GetAwaiter().GetResult();
            output.WriteLine();
            output.WriteLine($"Refit of one (layer, epoch) from an accumulator of {RefitBenchmark.Samples} matrices: fit, predictions, deviations, W2 to three references; median time per call.");
            SizeRow.Tabulate(RefitBenchmark.Run(StoreRefitSizes, isQuick ? MeasureOptions.Quick : MeasureOptions.Default)).WriteTo(output);
            return 0;
        })));
        return command;
    }

    /// <summary>The sizes of the ingest cases: the paper's layers and the widest of the width sweep.</summary>
    private static int[] StoreRefitSizes => [.. StoreIngestBenchmark.Cases.Select(c => c.MatrixSize)];
}
