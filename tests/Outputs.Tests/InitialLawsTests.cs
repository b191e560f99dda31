using OrleansPigmm.Formats.Fits;

namespace OrleansPigmm.Outputs.Tests;

public sealed class InitialLawsTests
{
    [Theory]
    [InlineData("gaussian", "gaussian", 0.1)]
    [InlineData("he", "gaussian", 0.2)]
    [InlineData("uniform", "uniform", 1.0 / 30)]
    [InlineData("xavier", "uniform", 0.1)]
    public void Each_iid_scheme_gives_the_law_of_a_square_layer(string scheme, string distribution, double variance)
    {
        var law = InitialLaws.Of(scheme, 10);
        Assert.Equal(distribution, law!.Distribution);
        Assert.Equal(variance, law.Variance, 15);
    }

    [Theory]
    [InlineData("orthogonal")]
    [InlineData("something-else")]
    [InlineData(null)]
    public void Schemes_whose_entries_are_not_iid_give_no_law(string? scheme) => Assert.Null(InitialLaws.Of(scheme, 10));

    [Fact]
    public void The_law_of_a_spec_comes_from_its_init_field()
    {
        using var spec = System.Text.Json.JsonDocument.Parse("""{"init":"uniform","epochs":3}""");
        Assert.Equal(new InitialLaw("uniform", 1.0 / 30), InitialLaws.OfSpec(spec.RootElement, 10));
    }
}
