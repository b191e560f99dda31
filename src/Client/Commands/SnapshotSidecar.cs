using OrleansPigmm.Grains.Plans;
using System.Text.Json;
using OrleansPigmm.Formats;
using OrleansPigmm.Training;

namespace OrleansPigmm.Client.Commands;

/// <summary>
/// SNAPSHOTS.json beside SNAPSHOTS.npy: the spec, the array's layout, timings and per replica the
/// training loss of every epoch and the final test accuracy. NaN (a diverged replica) is written as null.
/// </summary>
internal static class SnapshotSidecar
{
    public sealed record Contents(TrainingSpec Spec, NetworkShape Shape, TrainingRequest Request, IEnsembleTrainer Trainer, int[] Layers, int N,
        double[,] TrainLoss, IReadOnlyList<double> TestAccuracy, RunTimings Timings);

    public static void Write(string path, Contents c)
    {
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("format", "pigmm-snapshots/1");
            json.WriteString("npy", Path.GetFileName(c.Request.OutputPath));
            WriteArray(json, "shape", [c.Request.Replicas, c.Request.Epochs + 1, c.Layers.Length, c.N, c.N]);
            json.WriteString("axes", "replica, epoch (0 = initialisation), layer, out, in: each matrix [out][in] as PyTorch stores it");
            WriteArray(json, "layers", c.Layers);
            json.WriteString("layer_numbering", "0-based index of the linear layer; layer 0 maps the input to the first hidden layer");
            WriteSpec(json, c);
            json.WriteString("backend", c.Trainer.Backend);
            WriteTimings(json, c);
            json.WriteStartArray("replicas");
            for (int slot = 0; slot < c.Request.Replicas; slot++)
            {
                var status = c.Trainer.Status(slot);
                json.WriteStartObject();
                json.WriteNumber("replica", status.Replica);
                json.WriteStartArray("train_loss");
                for (int e = 0; e < c.Request.Epochs; e++)
                {
                    WriteNumberOrNull(json, c.TrainLoss[slot, e]);
                }
                json.WriteEndArray();
                json.WritePropertyName("test_accuracy");
                WriteNumberOrNull(json, c.TestAccuracy[slot]);
                json.WritePropertyName("diverged_at_epoch");
                if (status.Diverged)
                {
                    json.WriteNumberValue(status.DivergedAtEpoch);
                }
                else
                {
                    json.WriteNullValue();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void WriteSpec(Utf8JsonWriter json, Contents c)
    {
        var spec = c.Spec;
        json.WriteStartObject("spec");
        json.WriteString("dataset", spec.Dataset);
        WriteArray(json, "widths", [c.Shape.Inputs, .. spec.HiddenWidths, c.Shape.Classes]);
        WriteArray(json, "hidden_widths", [.. spec.HiddenWidths]);
        json.WriteString("activation", "relu");
        json.WriteBoolean("biases", false);
        json.WriteString("loss", "softmax cross-entropy, mean over the batch");
        json.WriteString("init", InitSchemeNames.Name(spec.Init));
        json.WriteString("optimizer", spec.Optimizer.Kind == OptimizerKind.Adam ? "adam" : "sgd");
        json.WriteNumber("learning_rate", spec.Optimizer.LearningRate);
        if (spec.Optimizer.Kind == OptimizerKind.Adam)
        {
            json.WriteNumber("beta1", spec.Optimizer.Beta1);
            json.WriteNumber("beta2", spec.Optimizer.Beta2);
            json.WriteNumber("eps", spec.Optimizer.Epsilon);
        }
        json.WriteNumber("l2", spec.WeightDecay);
        json.WriteNumber("batch_size", spec.BatchSize);
        json.WriteNumber("epochs", c.Request.Epochs);
        json.WriteNumber("replicas", c.Request.Replicas);
        json.WriteNumber("seed", spec.Seed);
        json.WritePropertyName("training_samples");
        if (spec.TrainingSamples is int samples)
        {
            json.WriteNumberValue(samples);
        }
        else
        {
            json.WriteNullValue();
        }
        json.WriteString("fingerprint", spec.Fingerprint.ToString("x16"));
        json.WriteEndObject();
    }

    private static void WriteTimings(Utf8JsonWriter json, Contents c)
    {
        var t = c.Timings;
        double train = t.EpochSeconds.Sum();
        json.WriteStartObject("timings");
        json.WriteNumber("load_s", t.LoadSeconds);
        json.WriteNumber("init_s", t.InitSeconds);
        json.WriteNumber("train_s", train);
        json.WriteStartArray("epoch_s");
        foreach (double seconds in t.EpochSeconds)
        {
            json.WriteNumberValue(seconds);
        }
        json.WriteEndArray();
        json.WriteNumber("test_s", t.TestSeconds);
        json.WritePropertyName("replica_epochs_per_s");
        WriteNumberOrNull(json, train > 0 ? c.Request.Replicas * c.Request.Epochs / train : double.NaN);
        json.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, int[] values)
    {
        json.WriteStartArray(name);
        foreach (int value in values)
        {
            json.WriteNumberValue(value);
        }
        json.WriteEndArray();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteNullValue();
        }
    }
}
