using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using OrleansPigmm.Grains.Placement;

namespace OrleansPigmm.Silo.Placement;

/// <summary>
/// Places grains of <see cref="TrainingCapacityPlacement"/> by weighted rendezvous hashing: each
/// compatible silo s scores w_s / -ln(u(key, s)), with w_s its advertised training slots and u a
/// hash of the grain key and the silo mapped into (0, 1); the highest score wins. A silo wins a
/// key with probability w_s / sum(w), so replicas spread in proportion to capacity, and the choice
/// is a pure function of the key and the set of silos.
/// </summary>
internal sealed class TrainingCapacityPlacementDirector(ISiloMetadataCache metadata) : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0)
        {
            throw new OrleansException($"No silo can host {target.GrainIdentity}.");
        }
        string key = target.GrainIdentity.ToString();
        var best = silos.MaxBy(silo => Slots(silo) / -Math.Log(Uniform(key, silo)))!;
        return Task.FromResult(best);
    }

    /// <summary>The silo's advertised training slots; 1 for a silo that advertises none.</summary>
    private double Slots(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(TrainingCapacityPlacement.SlotsMetadataKey, out var text)
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int slots) && slots > 0
            ? slots
            : 1;

    /// <summary>A number in (0, 1) from a hash of the key and the silo: the same in every process.</summary>
    private static double Uniform(string key, SiloAddress silo)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{key}|{silo.ToParsableString()}"));
        ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11;
        return (bits + 0.5) / (1UL << 53);
    }
}
