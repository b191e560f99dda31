using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting;

/// <summary>Figures across all layers: Wasserstein distances (pigmm-math.md section 9) and the
/// training curves of the ensemble.</summary>
internal static class OverviewFigures
{
    public static Figure? Wasserstein(IReadOnlyList<LayerHistory> layers)
    {
        var toReference = new LinePanel
        {
            Title = "W₂² to the simple Gaussian of the initial law",
            YTitle = "W₂² (weight²)",
            Series = [.. layers.Select((layer, i) => new LineSeries(layer.Name, LayerColour(i), Stroke.Solid,
                layer.Points(fit => fit.W2Squared?.SimpleGaussian), $"{layer.Name}: W₂² to the simple Gaussian"))],
            YOptions = new AxisOptions(IncludeZero: true),
            EndLabels = layers.Count,
        };
        var movement = new LinePanel
        {
            Title = "W₂ to the layer's epoch-0 fit and to the previous epoch",
            YTitle = "W₂ (weight)",
            Series = [.. layers.SelectMany((layer, i) => new[]
            {
                new LineSeries($"{layer.Name} from epoch 0", LayerColour(i), Stroke.Solid,
                    layer.Points(fit => LayerHistory.Epoch(fit) == 0 ? null : fit.W2?.Epoch0), $"{layer.Name}: W₂ to its epoch-0 fit"),
                new LineSeries($"{layer.Name} per epoch", LayerColour(i), Stroke.Dashed,
                    layer.Points(fit => fit.W2?.Previous), $"{layer.Name}: W₂ to the previous epoch's fit"),
            })],
            YOptions = new AxisOptions(IncludeZero: true),
        };
        var panels = new[] { toReference, movement }.Where(panel => panel.HasData).ToList<IPanel>();
        if (panels.Count == 0)
        {
            return null;
        }
        bool both = panels.Count == 2;
        var notes = new List<string>();
        var caption = new List<string>();
        if (toReference.HasData)
        {
            caption.Add($"{(both ? "Left: " : "")}W₂² — the squared 2-Wasserstein distance, plotted squared as in the paper — between "
                + $"each layer's fitted PIGMM and the simple Gaussian {Formulas.SimpleGaussian} of the initial variance s², the "
                + "model an i.i.d. ensemble of N matrices fits to; it starts near 0.");
        }
        else
        {
            notes.Add("No distance to the simple Gaussian: the fits carry none (the initial entries are not i.i.d.).");
        }
        if (movement.HasData)
        {
            caption.Add($"{(both ? "Right: " : "")}W₂, not squared, from the layer's own epoch-0 fit (solid) and from the previous "
                + "epoch's fit (dashed).");
        }
        else
        {
            notes.Add("No distances between epochs yet: they need fits of at least two epochs.");
        }
        var layerKeys = layers.Select((layer, i) => new LegendItem(layer.Name, LayerColour(i), LegendMark.SolidLine));
        return new Figure
        {
            Id = "wasserstein",
            Title = "How far the fitted distributions move",
            CaptionHtml = string.Join(" ", caption),
            Legend = !movement.HasData ? [.. layerKeys] :
            [
                .. layerKeys,
                new LegendItem(both ? "from epoch 0 (right)" : "from epoch 0", Palette.Reference, LegendMark.SolidLine),
                new LegendItem(both ? "from the previous epoch (right)" : "from the previous epoch", Palette.Reference, LegendMark.DashedLine),
            ],
            Groups = [new PanelGroup(null, panels)],
            Columns = 2,
            PanelWidth = 480,
            PanelHeight = 340,
            Notes = notes,
        };
    }

    public static Figure? Training(TrainingHistory training)
    {
        var epochs = training.Epochs.OrderBy(epoch => epoch.Epoch).ToList();
        var accuracy = new LinePanel
        {
            Title = "Test accuracy",
            YTitle = "test accuracy (%)",
            Series = [new LineSeries("mean test accuracy", Palette.Single, Stroke.Solid,
                [.. epochs.Select(epoch => new DataPoint(epoch.Epoch, epoch.MeanTestAccuracy * 100))], "mean test accuracy over the replicas")],
            RangeBands = [new RangeBand(Palette.Single,
                [.. epochs.Where(epoch => epoch.MinTestAccuracy is not null && epoch.MaxTestAccuracy is not null)
                    .Select(epoch => (epoch.Epoch, epoch.MinTestAccuracy!.Value * 100, epoch.MaxTestAccuracy!.Value * 100))],
                "lowest to highest replica")],
            YOptions = new AxisOptions(AllowLog: false),
        };
        var loss = new LinePanel
        {
            Title = "Training loss",
            YTitle = "train loss (nats)",
            Series = [new LineSeries("mean train loss", Palette.Single, Stroke.Solid,
                [.. epochs.Select(epoch => new DataPoint(epoch.Epoch, epoch.MeanTrainLoss))], "mean over the replicas of the epoch's mean batch loss")],
        };
        var figure = new Figure
        {
            Id = "training",
            Title = "Training of the ensemble",
            CaptionHtml = "Test accuracy after each epoch (mean over the replicas that completed it, with the range from the lowest "
                + "to the highest replica shaded) and the training loss (softmax cross-entropy in nats, mean over the epoch's "
                + "batches, averaged over the replicas). Diverged replicas are left out.",
            Legend =
            [
                new LegendItem("mean over replicas", Palette.Single, LegendMark.SolidLine),
                new LegendItem("lowest to highest replica", Palette.Single, LegendMark.Shade),
            ],
            Groups = [new PanelGroup(null, [accuracy, loss])],
            Columns = 2,
            PanelWidth = 480,
            PanelHeight = 320,
            Notes = [.. epochs.Where(epoch => epoch.Completed + epoch.Diverged < training.Replicas)
                .Select(epoch => $"Epoch {epoch.Epoch} is still running: {epoch.Completed} of {training.Replicas} replicas have completed it.")],
        };
        return figure.HasData ? figure : null;
    }

    private static string LayerColour(int index) => Palette.Layers[index % Palette.Layers.Count];
}
