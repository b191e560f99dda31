using System.Runtime.Intrinsics;
using OrleansPigmm.Training.Cpu.Kernels;

namespace OrleansPigmm.Training.Tests.Cpu;

public class KernelTests
{
    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    [Fact]
    public void Products_of_every_small_shape_equal_a_sequential_fused_reference_bit_for_bit()
    {
        int w = Vector256<float>.Count;
        foreach (int rows in new[] { 0, 1, 3, 4, 5, 9 })
        {
            foreach (int inner in new[] { 0, 1, 7, 10 })
            {
                foreach (int vectors in new[] { 1, 3, 4, 5, 9 })
                {
                    int columns = vectors * w;
                    int ld = columns + w;
                    foreach (bool transposedA in new[] { false, true })
                    {
                        // A is rows x inner, read either row-major or as the transpose of an inner x rows matrix.
                        var strides = transposedA ? new Strides(1, rows + 2) : new Strides(inner + 3, 1);
                        var a = Random(Math.Max(rows, 1) * (inner + 3) + (inner + 1) * (rows + 2), rows + inner);
                        var b = Random(Math.Max(inner, 1) * ld, vectors);
                        var gate = Random(Math.Max(rows, 1) * ld, 99);
                        var c = new float[Math.Max(rows, 1) * ld];
                        DenseLayerProduct.Multiply<Vector256Ops, Vector256<float>, GateByPositive>(a, strides, b, ld, gate, rows, inner, columns, c, ld);
                        for (int i = 0; i < rows; i++)
                        {
                            for (int n = 0; n < columns; n++)
                            {
                                float sum = 0;
                                for (int t = 0; t < inner; t++)
                                {
                                    sum = MathF.FusedMultiplyAdd(a[i * strides.RowStride + t * strides.InnerStride], b[t * ld + n], sum);
                                }
                                float expected = gate[i * ld + n] > 0 ? sum : 0;
                                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(c[i * ld + n]));
                            }
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Products_refuse_ragged_columns_and_short_spans()
    {
        var a = new float[64];
        var c = new float[64];
        Assert.Throws<ArgumentException>(() => DenseLayerProduct.Multiply<Vector128Ops, Vector128<float>, Identity>(a, new Strides(4, 1), a, 8, default, 2, 2, 6, c, 8));
        Assert.Throws<ArgumentException>(() => DenseLayerProduct.Multiply<Vector128Ops, Vector128<float>, Identity>(a, new Strides(4, 1), a, 8, default, 2, 2, 8, c.AsSpan(0, 12), 8));
    }

    [Fact]
    public void Exponential_is_within_two_ulps_over_the_softmax_range_and_zero_far_below()
    {
        for (float x = -87f; x <= 0f; x += 0.0137f)
        {
            float actual = Exponential.Evaluate<Vector128Ops, Vector128<float>>(Vector128.Create(x)).GetElement(0);
            double expected = Math.Exp(x);
            Assert.True(Math.Abs(actual - expected) <= 2 * MathF.BitIncrement((float)expected) - 2 * (float)expected + 1e-45, $"exp({x}) = {actual}, expected {expected}");
        }
        Assert.Equal(0f, Exponential.Evaluate<Vector128Ops, Vector128<float>>(Vector128.Create(-100f)).GetElement(0));
        Assert.Equal(1f, Exponential.Evaluate<Vector128Ops, Vector128<float>>(Vector128.Create(0f)).GetElement(0));
    }

    [Fact]
    public void Softmax_cross_entropy_matches_double_precision_and_zeroes_padding()
    {
        const int classes = 5, ld = 8, rows = 3;
        var logits = Random(rows * ld, 5).Select(v => v * 20).ToArray();
        byte[] labels = [0, 4, 2];
        var delta = Random(rows * ld, 6);
        float loss = SoftmaxCrossEntropy.LossAndGradient<Vector128Ops, Vector128<float>>(logits, labels, classes, ld, delta);
        double expectedLoss = 0;
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Skip(r * ld).Take(classes).Select(v => (double)v).ToArray();
            double logSum = Math.Log(z.Sum(v => Math.Exp(v - z.Max()))) + z.Max();
            expectedLoss += logSum - z[labels[r]];
            for (int i = 0; i < ld; i++)
            {
                double expected = i < classes ? (Math.Exp(z[i] - logSum) - (i == labels[r] ? 1 : 0)) / rows : 0;
                Assert.Equal(expected, delta[r * ld + i], 1e-6);
            }
        }
        Assert.Equal(expectedLoss, loss, 1e-4);
        logits[ld + 1] = float.NaN;
        Assert.True(float.IsNaN(SoftmaxCrossEntropy.LossAndGradient<Vector128Ops, Vector128<float>>(logits, labels, classes, ld, delta)));
    }

    [Fact]
    public void Column_sums_use_four_interleaved_partial_sums()
    {
        const int rows = 11, ld = 4;
        var matrix = Random(rows * ld, 3);
        var sums = new float[ld];
        Optimizers.ScaledColumnSums<Vector128Ops, Vector128<float>>(matrix, rows, ld, -1f, sums);
        for (int n = 0; n < ld; n++)
        {
            var partial = new float[4];
            for (int r = 0; r < rows; r++)
            {
                partial[r % 4] += matrix[r * ld + n];
            }
            Assert.Equal(-((partial[0] + partial[1]) + (partial[2] + partial[3])), sums[n]);
        }
    }
}
