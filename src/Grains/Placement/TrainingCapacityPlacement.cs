using Orleans.Placement;

namespace OrleansPigmm.Grains.Placement;

/// <summary>
/// Places a grain on a silo chosen with probability proportional to the silo's training slots
/// (the silo metadata <see cref="SlotsMetadataKey"/>), by weighted rendezvous hashing of the
/// grain's key: a given cluster always places a given replica on the same silo, replicas spread
/// over silos in proportion to their devices, and a silo that leaves moves only its own replicas.
/// </summary>
[GenerateSerializer, Immutable, Alias("pigmm.TrainingCapacityPlacement")]
public sealed class TrainingCapacityPlacement : PlacementStrategy
{
    /// <summary>The silo metadata key under which a silo advertises its training slots.</summary>
    public const string SlotsMetadataKey = "pigmm.training-slots";

    /// <summary>The one instance.</summary>
    public static TrainingCapacityPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class to be placed by <see cref="TrainingCapacityPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class TrainingCapacityPlacementAttribute() : PlacementAttribute(TrainingCapacityPlacement.Instance);
