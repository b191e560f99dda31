using System.Text.Json;
using OrleansPigmm.Client.Tests.Support;
using OrleansPigmm.Formats.Npy;

namespace OrleansPigmm.Client.Tests.Commands;

public sealed class TrainCommandTests : IDisposable
{
    private readonly TemporaryDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private CliResult Train(string file, int replicas, params string[] extra) =>
        Cli.Run(["train", "--replicas", replicas.ToString(), "--epochs", "2", "--n-train", "400", "--output", folder.File(file), .. extra]);

    private static float[] ReadAll(string path)
    {
        using var reader = NpyReader.Open(path);
        var values = new double[reader.Header.ElementCount];
        reader.Read(0, values);
        return values.Select(v => (float)v).ToArray();
    }

    [Fact]
    public void Train_writes_the_snapshot_array_and_its_json_sidecar()
    {
        var result = Train("snapshots.npy", 3);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Mean test accuracy", result.Output);
        using (var reader = NpyReader.Open(folder.File("snapshots.npy")))
        {
            Assert.Equal(NpyElementType.Float32, reader.Header.ElementType);
            Assert.Equal([3L, 3, 3, 10, 10], reader.Header.Shape);
        }
        using var sidecar = JsonDocument.Parse(File.ReadAllText(folder.File("snapshots.json")));
        var root = sidecar.RootElement;
        Assert.Equal([3, 3, 3, 10, 10], root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1, 2, 3], root.GetProperty("layers").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("gaussian", root.GetProperty("spec").GetProperty("init").GetString());
        Assert.Equal(400, root.GetProperty("spec").GetProperty("training_samples").GetInt32());
        Assert.True(root.GetProperty("timings").GetProperty("train_s").GetDouble() > 0);
        var replicas = root.GetProperty("replicas").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2], replicas.Select(r => r.GetProperty("replica").GetInt32()));
        Assert.All(replicas, r =>
        {
            Assert.Equal(2, r.GetProperty("train_loss").GetArrayLength());
            Assert.InRange(r.GetProperty("test_accuracy").GetDouble(), 0, 1);
            Assert.Equal(JsonValueKind.Null, r.GetProperty("diverged_at_epoch").ValueKind);
        });
        Assert.False(File.Exists(folder.File("snapshots.npy.partial")));
    }

    [Fact]
    public void Replica_r_is_the_same_network_in_a_run_with_more_replicas()
    {
        Assert.Equal(0, Train("three.npy", 3, "--threads", "1").ExitCode);
        Assert.Equal(0, Train("five.npy", 5, "--threads", "2").ExitCode);

        var three = ReadAll(folder.File("three.npy"));
        var five = ReadAll(folder.File("five.npy"));

        Assert.Equal(three, five[..three.Length]);
        Assert.NotEqual(five[..300], five[300..600]);
    }

    [Theory]
    [InlineData("--widths", "10,0", "--widths")]
    [InlineData("--widths", "20,30", "no square")]
    [InlineData("--init", "zeros", "--init must be one of")]
    [InlineData("--vector-width", "384", "--vector-width")]
    [InlineData("--data-dir", "/nonexistent-pigmm-data", "scripts/fetch-dataset.sh")]
    [InlineData("--dataset", "cifar", "mnist")]
    [InlineData("--optimizer", "rmsprop", "--optimizer must be adam or sgd")]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    [InlineData("--device", "gpu:99", "no CUDA device")]
    [InlineData("--device", "tpu", "--device must be cpu, cpu:N")]
    public void Bad_input_gives_one_line_and_exit_code_2(string option, string value, string message)
    {
        string line = Train("bad.npy", 2, option, value).AssertBadInput("train");

        Assert.Contains(message, line);
        Assert.False(File.Exists(folder.File("bad.npy")));
    }

    [Theory]
    [InlineData("0", "1", "snapshots.npy", null, "--replicas must be at least 1")]
    [InlineData("1", "-1", "snapshots.npy", null, "--epochs at least 0")]
    [InlineData("1", "1", "snapshots.txt", null, "--output must name a .npy file")]
    [InlineData("1", "1", "snapshots.npy", "70000", "exceeds the 60000 training images")]
    public void Bad_sizes_and_outputs_give_one_line_and_exit_code_2(string replicas, string epochs, string file, string? trainingSamples, string message)
    {
        string[] samples = trainingSamples is null ? [] : ["--n-train", trainingSamples];
        string line = Cli.Run(["train", "--replicas", replicas, "--epochs", epochs, "--output", folder.File(file), .. samples]).AssertBadInput("train");

        Assert.Contains(message, line);
        Assert.False(File.Exists(folder.File(file)));
    }
}
