namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>A computation on a double matrix with pooled scratch.</summary>
internal delegate void DoubleEntry(ReadOnlySpan<double> matrix, int n, Span<double> destination);

/// <summary>A computation on a float matrix with pooled scratch.</summary>
internal delegate void FloatEntry(ReadOnlySpan<float> matrix, int n, Span<double> destination);

/// <summary>A computation on a double matrix with caller scratch.</summary>
internal delegate void ScratchEntry(ReadOnlySpan<double> matrix, int n, Span<double> destination, Span<double> scratch);

/// <summary>Properties every public computation on one matrix shares.</summary>
internal static class EntryPointChecks
{
    /// <summary>Float input gives exactly the values of the same numbers given as doubles
    /// (conversion is exact and the computation is the same).</summary>
    public static void FloatInputIsExact(int n, int outputs, DoubleEntry fromDouble, FloatEntry fromFloat)
    {
        var single = TestMatrices.Uniform(n, n).Select(x => (float)x).ToArray();
        var expected = new double[outputs];
        var actual = new double[outputs];

        fromDouble(single.Select(x => (double)x).ToArray(), n, expected);
        fromFloat(single, n, actual);

        Assert.Equal(expected, actual);
    }

    /// <summary>Results are bit-identical for a matrix at another alignment and scratch full of
    /// NaN at another alignment.</summary>
    public static void IndependentOfAlignmentAndScratch(int n, int outputs, int scratchLength, DoubleEntry pooled, ScratchEntry withScratch)
    {
        var matrix = TestMatrices.Uniform(n, n);
        var shifted = new double[n * n + 1];
        matrix.CopyTo(shifted, 1);
        var scratch = Enumerable.Repeat(double.NaN, scratchLength + 1).ToArray();
        var expected = new double[outputs];
        var actual = new double[outputs];

        pooled(matrix, n, expected);
        withScratch(shifted.AsSpan(1), n, actual, scratch.AsSpan(1));

        Assert.Equal(expected, actual);
    }
}
