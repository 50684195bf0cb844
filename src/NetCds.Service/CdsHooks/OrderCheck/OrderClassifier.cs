using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using NetCds.Domain.Engine;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;

namespace NetCds.Service.CdsHooks.OrderCheck;

/// <summary>
/// Configuration <c>CdsHooks:OrderCodes</c>: extra codes (system|code, trailing * for a prefix) per therapy id, added to
/// the built-in ones, e.g. <c>CdsHooks__OrderCodes__PRRT__0=http://snomed.info/sct|1234</c>.
/// </summary>
public sealed class OrderCodeOptions
{
    public Dictionary<string, string[]> OrderCodes { get; init; } = [];
}

/// <summary>Which therapies the draft orders of an order-select/order-sign call are about.</summary>
public sealed class OrderClassifier
{
    private readonly List<(string System, string Code, bool Prefix, TherapyId Therapy)> _codes = [];
    private readonly TerminologyMap _terminology;

    public OrderClassifier(TerminologyMap terminology, IOptions<OrderCodeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _terminology = terminology;

        // PRRT has no code in the terminology contract: lutetium (177Lu) oxodotreotide by ATC.
        Add(TherapyId.Prrt, "http://www.whocc.no/atc|V10XX04");
        foreach (var (therapy, codes) in options.Value.OrderCodes)
        {
            if (!Enum.TryParse<TherapyId>(therapy, ignoreCase: true, out var id))
            {
                throw new OptionsValidationException("CdsHooks:OrderCodes", typeof(OrderCodeOptions), [$"CdsHooks:OrderCodes:{therapy} is not a therapy id (RES, ABL, EMB, SIRT, LT, SSA, INF, PRRT, MIBG, EVE, SUN, CHEMO)."]);
            }

            foreach (var code in codes)
            {
                Add(id, code);
            }
        }
    }

    private void Add(TherapyId therapy, string systemAndCode)
    {
        var bar = systemAndCode.LastIndexOf('|');
        if (bar <= 0)
        {
            throw new OptionsValidationException("CdsHooks:OrderCodes", typeof(OrderCodeOptions), [$"Order code '{systemAndCode}' is not 'system|code'."]);
        }

        var code = systemAndCode[(bar + 1)..];
        _codes.Add((systemAndCode[..bar], code.TrimEnd('*'), code.EndsWith('*'), therapy));
    }

    public IReadOnlyCollection<TherapyId> Classify(IEnumerable<SourcedResource> orders)
    {
        var therapies = new HashSet<TherapyId>();
        foreach (var order in orders)
        {
            var (concept, context) = order.Resource switch
            {
                MedicationRequest m => (m.Medication as CodeableConcept, CodeContext.Medication),
                ServiceRequest s => (s.Code, CodeContext.Procedure),
                _ => (null, CodeContext.Procedure),
            };
            foreach (var coding in concept?.Coding ?? [])
            {
                therapies.UnionWith(FromTerminology(context, coding));
                therapies.UnionWith(_codes
                    .Where(c => c.System == coding.System && (c.Prefix ? coding.Code?.StartsWith(c.Code, StringComparison.Ordinal) == true : c.Code == coding.Code))
                    .Select(c => c.Therapy));
            }
        }

        return therapies;
    }

    private IEnumerable<TherapyId> FromTerminology(CodeContext context, Hl7.Fhir.Model.Coding coding)
    {
        var meanings = _terminology.Meanings(context, coding.System, coding.Code);

        // Everolimus and sunitinib sit in ATC L01 too; an order for them is not a chemotherapy order.
        var targeted = meanings.Contains("Everolimus") || meanings.Contains("Sunitinib");
        foreach (var meaning in meanings)
        {
            TherapyId? therapy = meaning switch
            {
                "SomatostatinAnalogue" => TherapyId.Ssa,
                "Everolimus" => TherapyId.Eve,
                "Sunitinib" => TherapyId.Sun,
                "Chemotherapy" when !targeted => TherapyId.Chemo,
                "LiverResection" => TherapyId.Res,
                "ThermalAblation" => TherapyId.Abl,
                "Tae" or "Tace" => TherapyId.Emb,
                "Sirt" => TherapyId.Sirt,
                _ => null,
            };
            if (therapy is { } found)
            {
                yield return found;
            }
        }
    }
}
