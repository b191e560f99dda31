namespace OrleansPigmm.Grains.Plans;

/// <summary>The dimensions of a dataset that a spec's validation needs.</summary>
public sealed record DatasetDimensions(int Inputs, int Classes, int TrainExamples);
