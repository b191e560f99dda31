namespace OrleansPigmm.Mathematics;

/// <summary>
/// The 15 set partitions ("patterns") of the index positions (i, j, k, l) of
/// Cov(W[i][j], W[k][l]) (pigmm-math.md section 7.1), as restricted growth strings in
/// lexicographic order, with the table mapping f3..f13 to the covariance on each pattern and the
/// Moebius inversion to the "at least equal" coefficients (section 7.2).
/// </summary>
internal static class CovariancePatterns
{
    public const int Count = 15;

    /// <summary>The patterns in lexicographic order: 0000, 0001, ..., 0123.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["0000", "0001", "0010", "0011", "0012", "0100", "0101", "0102", "0110", "0111", "0112", "0120", "0121", "0122", "0123"];

    // StrictRefinements[rho] = the patterns sigma != rho whose blocks all lie inside blocks of rho.
    private static readonly int[][] StrictRefinements = Enumerable.Range(0, Count)
        .Select(rho => Enumerable.Range(0, Count).Where(sigma => sigma != rho && Refines(Names[sigma], Names[rho])).ToArray())
        .ToArray();

    // Patterns ordered finest first (more blocks first), so that the refinements of a pattern
    // are solved before it.
    private static readonly int[] FinestFirst = Enumerable.Range(0, Count).OrderByDescending(BlockCount).ThenBy(s => s).ToArray();

    /// <summary>Number of blocks of pattern <paramref name="pattern"/>.</summary>
    public static int BlockCount(int pattern) => Names[pattern].Distinct().Count();

    /// <summary>The pattern of the index tuple (i, j, k, l): which positions are equal.</summary>
    public static int IndexOf(int i, int j, int k, int l)
    {
        Span<int> tuple = [i, j, k, l];
        Span<char> rgs = stackalloc char[4];
        int blocks = 0;
        for (int p = 0; p < 4; p++)
        {
            int first = tuple[..p].IndexOf(tuple[p]);
            rgs[p] = first >= 0 ? rgs[first] : (char)('0' + blocks++);
        }
        string name = new(rgs);
        return Names.Select((pattern, index) => (pattern, index)).First(entry => entry.pattern == name).index;
    }

    /// <summary>The pattern of (k, l, i, j) for (i, j, k, l) of <paramref name="pattern"/>: the
    /// same covariance seen from the other entry, so v and cc agree on the two.</summary>
    public static int Swapped(int pattern)
    {
        string name = Names[pattern];
        return IndexOf(name[2], name[3], name[0], name[1]);
    }

    /// <summary>
    /// v[pattern] = Cov(W[i][j], W[k][l]) for (i, j, k, l) of that pattern: the table of
    /// section 7.1 applied to f3..f13 (columns f3..f11 scaled by 1/n^2).
    /// </summary>
    public static double[] Covariances(MatrixSize size, ReadOnlySpan<double> f)
    {
        double n = size.N, cn = size.Cn, sn = size.Sn;
        double f3 = f[2], f4 = f[3], f5 = f[4], f6 = f[5], f7 = f[6], f8 = f[7], f9 = f[8], f10 = f[9], f11 = f[10], f12 = f[11], f13 = f[12];
        double n1 = n - 1, n2 = n - 2;

        // The V0 part (columns f3..f5) depends only on how many of W[i][j], W[k][l] are diagonal.
        double bothDiagonal = f3 + 2 * cn * f4 + n1 * f5;
        double oneDiagonal = f3 + n2 / cn * f4 - f5;
        double neitherDiagonal = f3 - 2 / cn * f4 + f5 / n1;
        double v2Pair = (n - 3) / (2 * n1) * f12;
        double v2Spread = -(n - 3) / (2 * n1 * n2) * f12;
        double v3Pair = n2 / (2 * n) * f13;
        double v3Spread = f13 / (2 * n);

        double[] scaled =
        [
            bothDiagonal + n1 * f6 + 2 * n1 * f7 + 2 * n1 * sn * f8 + n1 * f9 + 2 * n1 * sn * f10 + n1 * n2 * f11, // 0000
            oneDiagonal - f6 + n2 * f7 - 2 * sn * f8 + n1 * f9 + n2 * sn * f10 - n2 * f11, // 0001
            oneDiagonal + n1 * f6 + n2 * f7 + n2 * sn * f8 - f9 - 2 * sn * f10 - n2 * f11, // 0010
            bothDiagonal - f6 - 2 * f7 - 2 * sn * f8 - f9 - 2 * sn * f10 - n2 * f11, // 0011
            oneDiagonal - f6 - 2 * f7 - (n - 4) / sn * f8 - f9 - (n - 4) / sn * f10 + 2 * f11, // 0012
            oneDiagonal - f6 + n2 * f7 - 2 * sn * f8 + n1 * f9 + n2 * sn * f10 - n2 * f11, // 0100
            neitherDiagonal + n1 * f6 - 2 * f7 - 2 * sn * f8 + n1 * f9 - 2 * sn * f10 + 2 * f11, // 0101
            neitherDiagonal - f6 - 2 * f7 + 4 / sn * f8 + n1 * f9 - 2 * sn * f10 + (n - 4) / n2 * f11, // 0102
            neitherDiagonal - f6 + 2 * n1 * f7 - 2 * sn * f8 - f9 - 2 * sn * f10 + 2 * f11, // 0110
            oneDiagonal + n1 * f6 + n2 * f7 + n2 * sn * f8 - f9 - 2 * sn * f10 - n2 * f11, // 0111
            neitherDiagonal - f6 + n2 * f7 - (n - 4) / sn * f8 - f9 - (n - 4) / sn * f10 + (n - 4) / n2 * f11, // 0112
            neitherDiagonal - f6 + n2 * f7 - (n - 4) / sn * f8 - f9 - (n - 4) / sn * f10 + (n - 4) / n2 * f11, // 0120
            neitherDiagonal + n1 * f6 - 2 * f7 - 2 * sn * f8 - f9 + 4 / sn * f10 + (n - 4) / n2 * f11, // 0121
            oneDiagonal - f6 - 2 * f7 - (n - 4) / sn * f8 - f9 - (n - 4) / sn * f10 + 2 * f11, // 0122
            neitherDiagonal - f6 - 2 * f7 + 4 / sn * f8 - f9 + 4 / sn * f10 - 4 / n2 * f11, // 0123
        ];
        double[] unscaled =
        [
            0, 0, 0, 0, 0, 0,
            v2Pair + v3Pair, // 0101
            v2Spread - v3Spread, // 0102
            v2Pair - v3Pair, // 0110
            0,
            v2Spread + v3Spread, // 0112
            v2Spread + v3Spread, // 0120
            v2Spread - v3Spread, // 0121
            0,
            f12 / (n1 * n2), // 0123
        ];
        var v = new double[Count];
        for (int p = 0; p < Count; p++)
        {
            v[p] = scaled[p] / (n * n) + unscaled[p];
        }
        return v;
    }

    /// <summary>
    /// The "at least equal" coefficients cc solving v[rho] = sum over sigma refining rho of
    /// cc[sigma] (section 7.2), by forward substitution from the finest pattern.
    /// </summary>
    public static double[] AtLeastCoefficients(ReadOnlySpan<double> v)
    {
        var cc = new double[Count];
        foreach (int rho in FinestFirst)
        {
            double value = v[rho];
            foreach (int sigma in StrictRefinements[rho])
            {
                value -= cc[sigma];
            }
            cc[rho] = value;
        }
        return cc;
    }

    /// <summary>True iff every block of <paramref name="finer"/> lies inside a block of <paramref name="coarser"/>.</summary>
    private static bool Refines(string finer, string coarser)
    {
        for (int p = 0; p < finer.Length; p++)
        {
            for (int q = 0; q < finer.Length; q++)
            {
                if (finer[p] == finer[q] && coarser[p] != coarser[q])
                {
                    return false;
                }
            }
        }
        return true;
    }
}
