namespace OrleansPigmm.Training.Tests;

public class NetworkShapeTests
{
    [Fact]
    public void Square_layers_are_the_1_based_weight_matrices_with_as_many_inputs_as_outputs()
    {
        var paper = new NetworkShape(784, [10, 10, 10], 10);
        Assert.Equal(4, paper.Depth);
        Assert.Equal([2, 3, 4], paper.SquareLayers);
        Assert.Equal([2, 3, 4], paper.AnalysedLayers);
        Assert.Equal((784, 10), (paper.LayerInputs(1), paper.LayerOutputs(1)));
        Assert.Equal(784 * 10 + 3 * 100, paper.ParameterCount);

        var mixed = new NetworkShape(12, [12, 7, 7], 3);
        Assert.Equal([1, 3], mixed.SquareLayers);
        Assert.Equal([3], mixed.AnalysedLayers);
        Assert.Equal((7, 3), (mixed.LayerInputs(4), mixed.LayerOutputs(4)));
        Assert.Equal("12-12-7-7-3", mixed.ToString());
    }

    [Fact]
    public void A_width_below_one_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new NetworkShape(784, [10, 0], 10));
    }
}
