using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Kernels;

public class MatrixProductTests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var shapes = new TheoryData<int, int, int>();
        foreach (int rows in new[] { 1, 2, 3, 4, 5, 7, 9 })
        {
            foreach (int inner in new[] { 1, 3, 8, 17 })
            {
                // Column counts around the 4- and 8-lane widths and the 3-register panels.
                foreach (int columns in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 23, 24, 25, 33, 48, 50 })
                {
                    shapes.Add(rows, inner, columns);
                }
            }
        }
        return shapes;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_entry_is_the_fused_multiply_add_chain_over_the_inner_index_in_order(int rows, int inner, int columns)
    {
        var left = TestMatrices.Uniform(rows * inner, 1)[..(rows * inner)];
        var right = TestMatrices.Uniform(inner * columns, 2)[..(inner * columns)];
        var product = new double[rows * columns];

        MatrixProduct.Multiply(left, right, product, rows, inner, columns);

        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double sum = 0;
                for (int k = 0; k < inner; k++)
                {
                    sum = System.Math.FusedMultiplyAdd(left[i * inner + k], right[k * columns + j], sum);
                }
                Assert.Equal(sum, product[i * columns + j]);
            }
        }
    }

    [Fact]
    public void Bad_sizes_and_short_spans_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MatrixProduct.Multiply(new double[4], new double[4], new double[4], 0, 2, 2));
        Assert.Equal("left", Assert.Throws<ArgumentException>(() => MatrixProduct.Multiply(new double[3], new double[4], new double[4], 2, 2, 2)).ParamName);
        Assert.Equal("right", Assert.Throws<ArgumentException>(() => MatrixProduct.Multiply(new double[4], new double[3], new double[4], 2, 2, 2)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => MatrixProduct.Multiply(new double[4], new double[4], new double[3], 2, 2, 2)).ParamName);
    }
}
