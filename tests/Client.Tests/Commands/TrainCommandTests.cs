using System.Text.Json;
using OrleansPigmm.Formats.Npy;

namespace OrleansPigmm.Client.Tests.Commands;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("train-command-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = PigmmCommandLine.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private (int Exit, string Output, string Error) Train(string file, int replicas, params string[] extra) =>
        Run(["train", "--replicas", replicas.ToString(), "--epochs", "2", "--n-train", "400", "--output", Path.Combine(folder, file), .. extra]);

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
        var (exit, output, error) = Train("snapshots.npy", 3);

        Assert.True(exit == 0, error);
        Assert.Contains("Mean test accuracy", output);
        using (var reader = NpyReader.Open(Path.Combine(folder, "snapshots.npy")))
        {
            Assert.Equal(NpyElementType.Float32, reader.Header.ElementType);
            Assert.Equal([3L, 3, 3, 10, 10], reader.Header.Shape);
        }
        using var sidecar = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "snapshots.json")));
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
        Assert.False(File.Exists(Path.Combine(folder, "snapshots.npy.partial")));
    }

    [Fact]
    public void Replica_r_is_the_same_network_in_a_run_with_more_replicas()
    {
        Assert.Equal(0, Train("three.npy", 3, "--threads", "1").Exit);
        Assert.Equal(0, Train("five.npy", 5, "--threads", "2").Exit);

        var three = ReadAll(Path.Combine(folder, "three.npy"));
        var five = ReadAll(Path.Combine(folder, "five.npy"));

        Assert.Equal(three, five[..three.Length]);
        Assert.NotEqual(five[..300], five[300..600]);
    }

    [Theory]
    [InlineData("--widths", "10,0", "--widths")]
    [InlineData("--widths", "20,30", "no square")]
    [InlineData("--init", "zeros", "--init must be one of")]
    [InlineData("--vector-width", "384", "--vector-width")]
    [InlineData("--data-dir", "/nonexistent-pigmm-data", "scripts/fetch-dataset.sh")]
    public void Bad_input_gives_one_line_and_exit_code_2(string option, string value, string message)
    {
        var (exit, _, error) = Train("bad.npy", 2, option, value);

        Assert.Equal(2, exit);
        Assert.Contains(message, error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(File.Exists(Path.Combine(folder, "bad.npy")));
    }
}
