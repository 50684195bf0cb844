using NetCds.Domain.Engine;
using NetCds.Domain.Facts;

namespace NetCds.Domain.Derived;

/// <summary>The newest value of each liver imaging finding (each may come from a different study).</summary>
public sealed record LiverImaging(
    Fact<Interval>? LesionCount,
    Fact<Interval>? LargestLesion,
    Fact<Interval>? TumourBurden,
    Fact<LesionDistribution>? Distribution,
    Fact<PortalVeinStatus>? PortalVein,
    Fact<ExtrahepaticDisease>? ExtrahepaticDisease,
    Fact<bool>? BoneMetastases,
    Fact<bool>? NearMajorVessel,
    Fact<bool>? NearVitalStructure,
    Fact<bool>? AtHilum)
{
    public static LiverImaging From(PatientFacts facts)
    {
        return new LiverImaging(
            facts.LesionCount.Newest(),
            facts.LargestLesion.Newest(),
            facts.TumourBurden.Newest(),
            facts.LesionDistribution.Newest(),
            PortalVeinOf(facts),
            facts.ExtrahepaticDisease.Newest(),
            facts.BoneMetastases.Newest(),
            facts.LesionNearMajorVessel.Newest(),
            facts.LesionNearVitalStructure.Newest(),
            facts.LesionAtHilum.Newest());
    }

    /// <summary>
    /// Imaging says how far a thrombosis extends; a portal vein thrombosis diagnosis newer than that imaging
    /// (or with no imaging) leaves the extent unknown, which never reads as patent.
    /// </summary>
    private static Fact<PortalVeinStatus>? PortalVeinOf(PatientFacts facts)
    {
        var imaged = facts.PortalVein.Newest();
        var diagnosis = facts.Conditions.Where(c => c.Value == ConditionKind.PortalVeinThrombosis).ToList().Newest();
        if (diagnosis is not null && (imaged is null || (imaged.Value == PortalVeinStatus.Patent && diagnosis.Effective > imaged.Effective)))
        {
            return new Fact<PortalVeinStatus>(PortalVeinStatus.ThrombosisExtentUnknown, diagnosis.Effective, diagnosis.Source);
        }

        return imaged;
    }

    public IReadOnlyList<InputReference> Inputs(params FactKind[] kinds)
    {
        var inputs = new List<InputReference>();
        foreach (var kind in kinds)
        {
            var input = kind switch
            {
                FactKind.LesionCount => Ref(kind, LesionCount),
                FactKind.LargestLesion => Ref(kind, LargestLesion),
                FactKind.TumourBurden => Ref(kind, TumourBurden),
                FactKind.LesionDistribution => Ref(kind, Distribution),
                FactKind.PortalVein => Ref(kind, PortalVein),
                FactKind.ExtrahepaticDisease => Ref(kind, ExtrahepaticDisease),
                FactKind.BoneMetastases => Ref(kind, BoneMetastases),
                FactKind.LesionNearMajorVessel => Ref(kind, NearMajorVessel),
                FactKind.LesionNearVitalStructure => Ref(kind, NearVitalStructure),
                FactKind.LesionAtHilum => Ref(kind, AtHilum),
                _ => null,
            };
            if (input is not null)
            {
                inputs.Add(input);
            }
        }

        return inputs;
    }

    private static InputReference? Ref<T>(FactKind kind, Fact<T>? fact) => fact is null ? null : InputReference.From(kind, fact);
}
