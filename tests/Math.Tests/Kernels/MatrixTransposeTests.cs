using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics.Kernels;

namespace OrleansPigmm.Math.Tests.Kernels;

public class MatrixTransposeTests
{
    [Fact]
    public void Every_size_up_to_40_is_transposed_by_the_block_path_and_the_element_path_alike()
    {
        for (int n = 1; n <= 40; n++)
        {
            var matrix = TestMatrices.Uniform(n, n);
            var blocked = new double[n * n];
            var scalar = new double[n * n];

            MatrixTranspose.Transpose(matrix, blocked, n);
            MatrixTranspose.TransposeScalar(matrix, scalar, n, 0);

            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    Assert.Equal(matrix[i * n + j], scalar[j * n + i]);
                }
            }
            Assert.Equal(scalar, blocked);
        }
    }
}
