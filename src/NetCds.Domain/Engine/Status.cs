namespace NetCds.Domain.Engine;

/// <summary>
/// Catalogue status words, declared in rising precedence: when several apply the highest wins
/// (contraindicated &gt; not-indicated &gt; insufficient-data &gt; consider &gt; eligible).
/// </summary>
public enum EligibilityStatus
{
    Eligible = 0,
    Consider = 1,
    InsufficientData = 2,
    NotIndicated = 3,
    Contraindicated = 4,
}

/// <summary>What a fired rule contributes: a status, or a note/technique hint that leaves the status alone.</summary>
public enum FindingEffect
{
    Eligible,
    Consider,
    InsufficientData,
    NotIndicated,
    Contraindicated,
    Note,
    Technique,
}

/// <summary>The twelve therapies of the catalogue, in the order cards show them (000 §11, 001 Conclusion).</summary>
public enum TherapyId
{
    Res,
    Abl,
    Emb,
    Sirt,
    Lt,
    Ssa,
    Inf,
    Prrt,
    Mibg,
    Eve,
    Sun,
    Chemo,
}

public static class TherapyIds
{
    /// <summary>
    /// Therapies that are procedures (surgery, ablation, embolization, PRRT, transplant): a functioning tumour needs
    /// peri-procedural octreotide first (SSA-PROPHYLAXIS; 001 Systemic therapies, 000 §3, §6).
    /// </summary>
    public static bool IsProcedure(this TherapyId therapy) =>
        therapy is TherapyId.Res or TherapyId.Abl or TherapyId.Emb or TherapyId.Sirt or TherapyId.Prrt or TherapyId.Lt;
}

public static class StatusWords
{
    public static string Code(this EligibilityStatus status) => status switch
    {
        EligibilityStatus.Eligible => "eligible",
        EligibilityStatus.Consider => "consider",
        EligibilityStatus.InsufficientData => "insufficient-data",
        EligibilityStatus.NotIndicated => "not-indicated",
        EligibilityStatus.Contraindicated => "contraindicated",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string Code(this FindingEffect effect) => effect switch
    {
        FindingEffect.Note => "note",
        FindingEffect.Technique => "technique",
        _ => effect.AsStatus()!.Value.Code(),
    };

    public static string Code(this TherapyId therapy) => therapy.ToString().ToUpperInvariant();

    /// <summary>The status a finding votes for; null for notes and technique hints.</summary>
    public static EligibilityStatus? AsStatus(this FindingEffect effect) => effect switch
    {
        FindingEffect.Eligible => EligibilityStatus.Eligible,
        FindingEffect.Consider => EligibilityStatus.Consider,
        FindingEffect.InsufficientData => EligibilityStatus.InsufficientData,
        FindingEffect.NotIndicated => EligibilityStatus.NotIndicated,
        FindingEffect.Contraindicated => EligibilityStatus.Contraindicated,
        _ => null,
    };

    public static FindingEffect AsEffect(this EligibilityStatus status) => status switch
    {
        EligibilityStatus.Eligible => FindingEffect.Eligible,
        EligibilityStatus.Consider => FindingEffect.Consider,
        EligibilityStatus.InsufficientData => FindingEffect.InsufficientData,
        EligibilityStatus.NotIndicated => FindingEffect.NotIndicated,
        EligibilityStatus.Contraindicated => FindingEffect.Contraindicated,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
