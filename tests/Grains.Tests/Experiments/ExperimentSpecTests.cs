using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Grains.Tests.Experiments;

/// <summary>
/// The spec parser checks the fields of a spec; the experiment plan adds the checks that need the
/// dataset's dimensions. Both report every problem at once, each naming its field.
/// </summary>
public class ExperimentSpecTests
{
    private static readonly DatasetDimensions Mnist = new(784, 10, 60_000, 10_000);

    private static DatasetDimensions? Datasets(string name) => name == "mnist" ? Mnist : null;

    private static ExperimentSpec Parse(string json) => ExperimentSpecParser.Parse(json, ExperimentPresets.PaperGaussian);

    private static IReadOnlyList<string> ParseProblems(string json) => Assert.Throws<SpecException>(() => Parse(json)).Problems;

    private static IReadOnlyList<string> PlanProblems(ExperimentSpec spec) =>
        Assert.Throws<SpecException>(() => ExperimentPlan.Create(spec, Datasets)).Problems;

    [Fact]
    public void An_empty_object_is_the_paper_s_gaussian_experiment()
    {
        // Proves that omitted fields keep the defaults and the canonical form lists every field in order.
        var spec = Parse("{}");

        Assert.Equal(ExperimentPresets.PaperGaussian.Id, spec.Id);
        Assert.Equal(
            """{"dataset":"mnist","hidden_widths":[10,10,10],"init":"gaussian","optimizer":"adam","learning_rate":0.001,"batch_size":100,"epochs":50,"replicas":1000,"l2":0,"seed":0,"invariant_degree":4,"all_graphs":false,"keep_weights_every":1}""",
            spec.ToCanonicalJson());
    }

    [Fact]
    public void The_id_depends_on_the_content_only()
    {
        // Proves that field order, -0.0 and restated defaults leave the id alone while a changed value changes it.
        var written = Parse("""{ "seed": 7, "init": "uniform", "l2": -0.0 }""");
        var reordered = Parse("""{"l2":0,"init":"uniform","seed":7, "epochs": 50}""");

        Assert.Equal(written.Id, reordered.Id);
        Assert.Matches("^[0-9a-f]{16}$", written.Id);
        Assert.NotEqual(written.Id, Parse("""{"seed":8,"init":"uniform"}""").Id);
    }

    [Fact]
    public void Every_preset_is_valid_and_distinct()
    {
        // Proves that every named preset passes the field checks and makes a plan on MNIST, each with its own id.
        var presets = ExperimentPresets.Names.Select(name => ExperimentPresets.Find(name)!).ToArray();

        Assert.All(presets, spec => Assert.Empty(ExperimentSpecParser.Validate(spec)));
        Assert.All(presets, spec => Assert.Equal(spec.Id, ExperimentPlan.Create(spec, Datasets).Id));
        Assert.Equal(presets.Length, presets.Select(p => p.Id).Distinct().Count());
        Assert.Null(ExperimentPresets.Find("paper-width-20"));
    }

    [Theory]
    [InlineData("""{"epochs": "5"}""", "spec.epochs: expected an integer that fits in 32 bits, got the string \"5\"")]
    [InlineData("""{"epochs": 2.5}""", "spec.epochs: expected an integer that fits in 32 bits, got the number 2.5")]
    [InlineData("""{"epochs": -3}""", "spec.epochs: must be between 1 and 10000, got -3")]
    [InlineData("""{"replicas": 1}""", "spec.replicas: must be between 2 and 1000000 (a fit needs at least 2 matrices), got 1")]
    [InlineData("""{"replicas": 1e12}""", "spec.replicas: expected an integer that fits in 32 bits, got the number 1e12")]
    [InlineData("""{"widths": [10]}""", "spec.widths: unknown field (did you mean 'hidden_widths'?)")]
    [InlineData("""{"colour": "blue"}""", "spec.colour: unknown field; the fields are dataset, hidden_widths, init, optimizer, learning_rate, batch_size, epochs, replicas, l2, seed, invariant_degree, all_graphs, keep_weights_every")]
    [InlineData("""{"hidden_widths": [10, "x"]}""", "spec.hidden_widths[1]: expected an integer that fits in 32 bits, got the string \"x\"")]
    [InlineData("""{"hidden_widths": [10, 0]}""", "spec.hidden_widths[1]: must be between 1 and 4096, got 0")]
    [InlineData("""{"init": "zeros"}""", "spec.init: 'zeros' is not one of gaussian, uniform, he, xavier, orthogonal")]
    [InlineData("""{"learning_rate": 0}""", "spec.learning_rate: must be in (0, 10], got 0")]
    [InlineData("""{"dataset": "MNIST"}""", "spec.dataset: 'MNIST' is not a dataset name (lower-case letters, digits and '-')")]
    [InlineData("""{"keep_weights_every": 51}""", "spec.keep_weights_every: must be 0 (keep none) or between 1 and the epochs (50), got 51")]
    [InlineData("""{"all_graphs": 1}""", "spec.all_graphs: expected true or false, got the number 1")]
    [InlineData("""[1, 2]""", "spec: expected a JSON object, got an array [1, 2]")]
    [InlineData("""{"epochs": 5,}""", "spec: not valid JSON (line 1, byte 14)")]
    public void Bad_fields_are_refused_by_the_parser_naming_the_field_and_the_problem(string json, string problem)
    {
        // Proves that each field check of the parser reports the field and what is wrong with it.
        Assert.Contains(ParseProblems(json), p => p.StartsWith(problem, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"hidden_widths": [20, 30]}""", "spec.hidden_widths: no weight matrix of 784-20-30-10 after the input layer is square; PIGMMs need square n x n layers (e.g. two equal hidden widths)")]
    [InlineData("""{"hidden_widths": [10, 10, 20, 20]}""", "spec.hidden_widths: the square layers of 784-10-10-20-20-10 have sizes 10 and 20; an experiment analyses layers of one size")]
    [InlineData("""{"hidden_widths": [3, 3]}""", "spec.hidden_widths: the square layers of 784-3-3-10 are 3 x 3; PIGMMs need n >= 4")]
    [InlineData("""{"hidden_widths": [4096, 4096, 4096, 4096, 4096, 4096, 4096]}""", "spec.hidden_widths: the network has 103,915,520 weights; the limit is 100,000,000")]
    [InlineData("""{"dataset": "cifar"}""", "spec.dataset: 'cifar' is not a configured dataset")]
    [InlineData("""{"batch_size": 60001}""", "spec.batch_size: must be at most the 60000 training examples of mnist, got 60001")]
    [InlineData("""{"replicas": 1000000, "epochs": 10000}""", "spec: 30,003,000,000 snapshots (replicas x (epochs + 1) x layers) exceed the limit of 1,000,000,000")]
    public void Specs_that_do_not_fit_the_dataset_are_refused_by_the_plan(string json, string problem)
    {
        // Proves that the parser leaves the dataset checks to the plan, which reports the field and the problem.
        var spec = Parse(json);

        Assert.Equal(new[] { problem }, PlanProblems(spec));
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        // Proves that the parser does not stop at the first problem.
        var problems = ParseProblems("""{"epochs": 0, "replicas": 0, "init": "none"}""");

        Assert.Equal(3, problems.Count);
    }

    [Fact]
    public void Type_errors_range_errors_and_bad_names_are_reported_together()
    {
        // Proves that a type error, a range error and an unknown name are listed together, each in the message.
        var error = Assert.Throws<SpecException>(() => Parse("""{"replicas": -3, "hidden_widths": [10, "x"], "init": "foo"}"""));

        Assert.Equal(3, error.Problems.Count);
        Assert.Contains("spec.hidden_widths[1]: expected an integer that fits in 32 bits, got the string \"x\"", error.Problems);
        Assert.Contains("spec.replicas: must be between 2 and 1000000 (a fit needs at least 2 matrices), got -3", error.Problems);
        Assert.Contains("spec.init: 'foo' is not one of gaussian, uniform, he, xavier, orthogonal", error.Problems);
        Assert.All(error.Problems, problem => Assert.Contains(problem, error.Message));
    }

    [Fact]
    public void The_parser_does_not_judge_the_dataset()
    {
        // Proves that an unknown but well-formed dataset name passes the parser beside the problems it does report.
        var problems = ParseProblems("""{"dataset": "cifar", "epochs": 0, "colour": 1}""");

        Assert.Equal(2, problems.Count);
        Assert.StartsWith("spec.colour: unknown field", problems[0], StringComparison.Ordinal);
        Assert.StartsWith("spec.epochs: must be between 1 and 10000, got 0", problems[1], StringComparison.Ordinal);
        Assert.Equal("cifar", Parse("""{"dataset": "cifar"}""").Dataset);
    }

    [Fact]
    public void The_plan_reports_field_problems_and_an_unknown_dataset_together()
    {
        // Proves that the plan lists the field problems and names the unknown dataset in one exception.
        var spec = ExperimentPresets.PaperGaussian with { Dataset = "cifar", Epochs = 0, Init = "foo" };

        Assert.Equal(
            new[]
            {
                "spec.init: 'foo' is not one of gaussian, uniform, he, xavier, orthogonal",
                "spec.epochs: must be between 1 and 10000, got 0",
                "spec.dataset: 'cifar' is not a configured dataset",
            },
            PlanProblems(spec));
    }

    [Fact]
    public void The_plan_of_a_spec_without_dataset_problems_reports_its_field_problems()
    {
        // Proves that the plan repeats the parser's field checks for specs built in code.
        var spec = ExperimentPresets.PaperGaussian with { Replicas = 1, L2 = double.NaN };

        Assert.Equal(ExperimentSpecParser.Validate(spec), PlanProblems(spec));
        Assert.Equal(2, PlanProblems(spec).Count);
    }

    [Fact]
    public void The_plan_reports_field_problems_and_dataset_problems_together()
    {
        // Proves that a spec wrong both in a field and for its dataset hears of both at once.
        var spec = ExperimentPresets.PaperGaussian with { BatchSize = 60_001, HiddenWidths = [20, 30], L2 = double.NaN };
        string[] expected = ["spec.l2: must be in [0, 10], got NaN", "spec.batch_size: must be at most the 60000", "spec.hidden_widths: no weight matrix of 784-20-30-10 after the input layer is square"];

        var problems = PlanProblems(spec);

        Assert.Equal(expected.Length, problems.Count);
        Assert.All(expected.Zip(problems), pair => Assert.StartsWith(pair.First, pair.Second, StringComparison.Ordinal));
    }

    [Fact]
    public void A_hidden_width_below_one_is_a_spec_problem_of_the_plan()
    {
        // Proves that the plan refuses a spec built in code with a zero width by SpecException, not by the network shape's ArgumentException.
        var spec = ExperimentPresets.PaperGaussian with { HiddenWidths = [10, 0] };

        Assert.Equal(new[] { "spec.hidden_widths[1]: must be between 1 and 4096, got 0" }, PlanProblems(spec));
    }

    [Theory]
    [InlineData("""{"epochs": "x", "keep_weights_every": 60}""", "spec.epochs: expected an integer")]
    [InlineData("""{"hidden_widths": ["x"], "batch_size": 0}""", "spec.hidden_widths[0]: expected an integer", "spec.batch_size: must be at least 1, got 0")]
    [InlineData("""{"dataset": 7, "batch_size": 70000}""", "spec.dataset: expected a string")]
    public void A_field_that_cannot_be_read_is_reported_once_without_checks_of_its_default(string json, params string[] expected)
    {
        // Proves that a field of the wrong type is reported once, and the checks of the default it keeps are left out.
        var problems = ParseProblems(json);

        Assert.Equal(expected.Length, problems.Count);
        Assert.All(expected.Zip(problems), pair => Assert.StartsWith(pair.First, pair.Second, StringComparison.Ordinal));
    }

    [Fact]
    public void Weight_retention_keeps_every_kth_epoch_and_the_last()
    {
        // Proves the retention rule: epochs 0, k, 2k, ... and the last; k = 0 keeps none.
        var spec = ExperimentPresets.PaperGaussian with { Epochs = 7, KeepWeightsEvery = 3 };

        Assert.Equal(new[] { 0, 3, 6, 7 }, Enumerable.Range(0, 8).Where(spec.KeepsWeightsOf));
        Assert.DoesNotContain(Enumerable.Range(0, 8), (spec with { KeepWeightsEvery = 0 }).KeepsWeightsOf);
    }

    private static readonly string[] Fields =
        ["dataset", "hidden_widths", "init", "optimizer", "learning_rate", "batch_size", "epochs", "replicas", "l2", "seed", "invariant_degree", "all_graphs", "keep_weights_every", "widths", "Epochs", ""];

    private static Gen<JsonNode?> Values() => Gen.OneOf(
        Gen.Constant<JsonNode?>(null),
        ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Elements(0L, 1L, -1L, 2L, 4L, 10L, 100L, 4097L, 60001L, int.MaxValue, long.MaxValue, long.MinValue).Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Elements(0.0, -0.0, 1e-300, 0.5, 1e300, -2.5).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Elements("", "mnist", "cifar", "gaussian", "adam", "5", "\u0000", "orthogonal").Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.ListOf(Gen.Elements(-1, 0, 3, 4, 10, 640, 5000)).Select(l => (JsonNode?)new JsonArray(l.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray())),
        Gen.Constant<JsonNode?>(new JsonObject { ["nested"] = 1 }));

    [Fact]
    public void Fuzzed_specs_either_make_a_plan_or_fail_with_spec_problems()
    {
        // Proves that parser and plan together never fail other than with SpecException, and never accept an invalid spec.
        var specs = Gen.ListOf(Gen.Elements(Fields).Zip(Values()))
            .Select(fields =>
            {
                var obj = new JsonObject();
                foreach (var (name, value) in fields)
                {
                    obj[name] = value?.DeepClone();
                }
                return obj.ToJsonString();
            });

        Prop.ForAll(specs.ToArbitrary(), json =>
        {
            try
            {
                var spec = Parse(json);
                var plan = ExperimentPlan.Create(spec, Datasets);
                return ExperimentSpecParser.Validate(spec).Count == 0 && plan.Layers >= 1 && plan.MatrixSize >= 4;
            }
            catch (SpecException error)
            {
                return error.Problems.Count > 0 && error.Problems.All(p => p.StartsWith("spec", StringComparison.Ordinal));
            }
        }).QuickCheckThrowOnFailure();
    }
}
