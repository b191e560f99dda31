using MathNet.Numerics.Distributions;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// Draws matrices from a PIGMM in O(n^2) per matrix (pigmm-math.md section 8):
/// x = (f1, f2) + L0^{1/2} g0 on V0; (y1, y2, y3) = LH^{1/2} (g1, g2, g3) with centred standard
/// normal n-vectors g_a, added as h1(y1) + h2(y2) + h3(y3); sqrt(f12) P_V2(G) and
/// sqrt(f13) P_V3(G') with independent standard normal matrices G, G'. Square roots are the
/// symmetric eigendecomposition ones, tiny negative eigenvalues clipped to 0.
/// </summary>
/// <remarks>All randomness comes from the caller's <see cref="Random"/> (standard normals by
/// MathNet's <see cref="Normal"/>), so a seeded generator gives reproducible draws on a given
/// runtime. The sampler holds no mutable state and may be shared; a <see cref="Random"/> may not.</remarks>
public sealed class PigmmSampler
{
    /// <summary>A sampler for <paramref name="model"/>.</summary>
    public PigmmSampler(PigmmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    /// <summary>The model sampled from.</summary>
    public PigmmModel Model { get; }

    /// <summary>One draw as a new row-major n x n array.</summary>
    public double[] Sample(Random random)
    {
        var matrix = new double[Model.N * Model.N];
        Sample(random, matrix);
        return matrix;
    }

    /// <summary>One draw, written row-major to <paramref name="destination"/> (n^2 entries).</summary>
    /// <exception cref="ArgumentException">destination does not have n^2 entries.</exception>
    public void Sample(Random random, Span<double> destination)
    {
        ArgumentNullException.ThrowIfNull(random);
        var model = Model;
        var size = model.Size;
        int n = size.N;
        size.CheckShape(destination, nameof(destination));
        destination.Clear();

        var g0 = StandardNormals(random, 2);
        var rootV0 = model.BlockV0.SquareRoot;
        double x1 = model.Parameters.MeanX1 + rootV0[0, 0] * g0[0] + rootV0[0, 1] * g0[1];
        double x2 = model.Parameters.MeanX2 + rootV0[1, 0] * g0[0] + rootV0[1, 1] * g0[1];
        IrreducibleDecomposition.AddV0(x1, x2, size, destination);

        var g = new double[3][];
        for (int b = 0; b < 3; b++)
        {
            g[b] = StandardNormals(random, n);
            MarginalSums.Center(g[b]);
        }
        var rootVH = model.BlockVH.SquareRoot;
        var y = new double[3][];
        for (int a = 0; a < 3; a++)
        {
            y[a] = new double[n];
            for (int i = 0; i < n; i++)
            {
                y[a][i] = rootVH[a, 0] * g[0][i] + rootVH[a, 1] * g[1][i] + rootVH[a, 2] * g[2][i];
            }
        }
        IrreducibleDecomposition.AddVh(y[0], y[1], y[2], size, destination);

        var noise = StandardNormals(random, n * n);
        IrreducibleDecomposition.AddProjectionV2(noise, MarginalSums.Of(noise, n), size, Math.Sqrt(Math.Max(model.Parameters.VarianceV2, 0)), destination);
        noise = StandardNormals(random, n * n);
        IrreducibleDecomposition.AddProjectionV3(noise, MarginalSums.Of(noise, n), size, Math.Sqrt(Math.Max(model.Parameters.VarianceV3, 0)), destination);
    }

    private static double[] StandardNormals(Random random, int count)
    {
        var values = new double[count];
        Normal.Samples(random, values, 0, 1);
        return values;
    }
}
