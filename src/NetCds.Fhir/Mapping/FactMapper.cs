using System.Globalization;
using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Terminology;
using FhirQuantity = Hl7.Fhir.Model.Quantity;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// Reads FHIR R4 resources about one patient into the engine's facts, using only the codes of the terminology map.
/// Only usable data counts (catalogue: Observation final/amended/corrected; Condition not refuted or entered in error
/// and active/recurrence/relapse or without clinical status; Procedure completed, or planned for a planned
/// exenteration). What is not used is reported as a <see cref="DataProblem"/>, never dropped silently; resources
/// whose codes the map does not know are simply not about this domain and are passed over.
/// </summary>
public sealed class FactMapper(TerminologyMap terminology)
{
    private const string HistologyExtension = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior";

    public FactMapping Map(IEnumerable<SourcedResource> resources, DateTimeOffset asOf, string? patient = null)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var all = resources.ToList();
        var problems = new List<DataProblem>();
        var identity = PatientIdentity.Resolve(all, patient);
        var reading = new Reading(terminology, new FactsCollector(problems), problems, identity, asOf, all);
        foreach (var item in all)
        {
            reading.Read(item);
        }

        return new FactMapping(reading.Facts.Build(identity.Reference), problems);
    }

    /// <summary>One pass over one patient's resources.</summary>
    private sealed class Reading(
        TerminologyMap terminology,
        FactsCollector facts,
        List<DataProblem> problems,
        PatientIdentity identity,
        DateTimeOffset asOf,
        List<SourcedResource> all)
    {
        public FactsCollector Facts => facts;

        public void Read(SourcedResource item)
        {
            switch (item.Resource)
            {
                case Patient p when identity.Is(item):
                    BirthDate(p, item.Reference);
                    break;
                case Observation o:
                    Observation(o, item.Reference);
                    break;
                case Condition c:
                    Condition(c, item.Reference);
                    break;
                case Procedure p:
                    Procedure(p, item.Reference);
                    break;
                case MedicationStatement m:
                    MedicationStatement(m, item.Reference);
                    break;
                case MedicationRequest m:
                    MedicationRequest(m, item.Reference);
                    break;
            }
        }

        private void Problem(string source, string? element, DataProblemKind kind, string message) =>
            problems.Add(new DataProblem(source, element, kind, message));

        private bool AboutThePatient(ResourceReference? subject, string source, string element)
        {
            if (identity.Matches(subject?.Reference))
            {
                return true;
            }

            Problem(source, element, DataProblemKind.OtherPatient,
                subject?.Reference is null ? "no subject: cannot tell which patient it is about" : "about another patient than the one evaluated");
            return false;
        }

        /// <summary>A usable date: present and not in the future. Reports what is wrong otherwise.</summary>
        private DateTimeOffset? Dated(DateTimeOffset? date, string source, string element, bool required = true)
        {
            if (date is null)
            {
                if (required)
                {
                    Problem(source, element, DataProblemKind.MissingDate, "no effective date or time: not used");
                }

                return null;
            }

            if (date > asOf.AddMinutes(5))
            {
                Problem(source, element, DataProblemKind.FutureDate, $"dated {date:yyyy-MM-dd}, after the evaluation time: not used");
                return null;
            }

            return date;
        }

        private IReadOnlyList<string> Meanings(CodeContext context, CodeableConcept? concept) =>
            [.. (concept?.Coding ?? []).SelectMany(c => terminology.Meanings(context, c.System, c.Code)).Distinct()];

        private void BirthDate(Patient patient, string source)
        {
            var text = patient.BirthDate;
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            // A partial birth date (year, or year-month) is taken at its first day.
            string[] formats = ["yyyy-MM-dd", "yyyy-MM", "yyyy"];
            if (DateOnly.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var born) && born <= DateOnly.FromDateTime(asOf.UtcDateTime))
            {
                facts.BirthDate = new Fact<DateOnly>(born, born.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), source);
            }
            else
            {
                Problem(source, "Patient.birthDate", DataProblemKind.UnusableValue, $"birth date '{text}' is not a usable past date");
            }
        }

        private void Observation(Observation o, string source)
        {
            var meanings = Meanings(CodeContext.Observation, o.Code);
            var components = o.Component.Select((c, i) => (Component: c, Index: i, Meanings: Meanings(CodeContext.Observation, c.Code))).Where(c => c.Meanings.Count > 0).ToList();
            if (meanings.Count == 0 && components.Count == 0)
            {
                return;
            }

            if (!AboutThePatient(o.Subject, source, "Observation.subject"))
            {
                return;
            }

            if (o.Status is not (ObservationStatus.Final or ObservationStatus.Amended or ObservationStatus.Corrected))
            {
                Problem(source, "Observation.status", DataProblemKind.NotUsable, $"status {o.StatusElement?.JsonValue ?? "missing"}: only final, amended or corrected results are used");
                return;
            }

            if (Dated(EffectiveOf(o), source, "Observation.effective") is not { } effective)
            {
                return;
            }

            var observed = new Observed(source, effective, o);
            foreach (var meaning in meanings.Where(m => m != "LiverImagingPanel"))
            {
                Value(meaning, o.Value, "Observation.value", observed);
            }

            // The liver imaging panel: each component is read as if it were its own Observation.
            foreach (var (component, index, componentMeanings) in components)
            {
                foreach (var meaning in componentMeanings)
                {
                    Value(meaning, component.Value, $"Observation.component[{index}].value", observed);
                }
            }
        }

        private sealed record Observed(string Source, DateTimeOffset Effective, Observation Observation);

        private void Value(string meaning, DataType? value, string element, Observed at)
        {
            switch (meaning)
            {
                case "Ki67":
                    if (Percent(value, element, at) is { } ki67)
                    {
                        facts.Ki67.Add(new PathologyValue(ki67, at.Effective, at.Source, at.Observation.Specimen?.Reference));
                    }

                    break;
                case "MitoticCount":
                    if (Quantity(value, element, at) is { } mitoses)
                    {
                        if (Units.IsMitoticUnit(mitoses.Unit))
                        {
                            facts.MitoticCount.Add(new PathologyValue(mitoses.Value, at.Effective, at.Source, at.Observation.Specimen?.Reference));
                        }
                        else
                        {
                            UnknownUnit(mitoses.Unit, "mitotic count (per 10 HPF or per 2 mm²)", element, at);
                        }
                    }

                    break;
                case "ChromograninA.Mass" or "ChromograninA.Substance" or "ChromograninA.Units":
                    Chromogranin(meaning, value, element, at);
                    break;
                case "Urinary5Hiaa":
                    Converted(FactKind.Urinary5Hiaa, value, element, at, Units.TryUrinary5Hiaa, "umol/24h", "µmol/24 h or mg/24 h");
                    break;
                case "Bilirubin":
                    Converted(FactKind.Bilirubin, value, element, at, Units.TryBilirubin, Units.MilligramPerDecilitre, "mg/dL or µmol/L");
                    break;
                case "Albumin":
                    Converted(FactKind.Albumin, value, element, at, (v, u, out r) => Units.TryConvert(v, u, Units.GramPerDecilitre, out r), Units.GramPerDecilitre, "g/dL or g/L");
                    break;
                case "Creatinine":
                    Converted(FactKind.Creatinine, value, element, at, Units.TryCreatinine, Units.MilligramPerDecilitre, "mg/dL or µmol/L");
                    break;
                case "CreatinineClearance":
                    Converted(FactKind.CreatinineClearance, value, element, at, Units.TryClearance, Units.MillilitrePerMinute, "mL/min or mL/min/1.73 m²");
                    break;
                case "Platelets" or "Neutrophils" or "WhiteCellCount":
                    Converted(Enum.Parse<FactKind>(meaning), value, element, at, (v, u, out r) => Units.TryConvert(v, u, Units.PerNanolitre, out r), Units.PerNanolitre, "10*9/L or 10*3/uL");
                    break;
                case "Haemoglobin":
                    Converted(FactKind.Haemoglobin, value, element, at, (v, u, out r) => Units.TryConvert(v, u, Units.GramPerDecilitre, out r), Units.GramPerDecilitre, "g/dL or g/L");
                    break;
                case "Inr":
                    if (Quantity(value, element, at) is { } inr)
                    {
                        if (Units.IsRatio(inr.Unit))
                        {
                            facts.Add(FactKind.Inr, new Fact<decimal>(inr.Value, at.Effective, at.Source));
                        }
                        else
                        {
                            UnknownUnit(inr.Unit, "INR (a ratio without unit)", element, at);
                        }
                    }

                    break;
                case "Ecog":
                    Whole(FactKind.Ecog, value, element, at, 0, 5);
                    break;
                case "Karnofsky":
                    Whole(FactKind.Karnofsky, value, element, at, 0, 100);
                    break;
                case "LesionCount":
                    Whole(FactKind.LesionCount, value, element, at, 0, 10_000);
                    break;
                case "SstrUptake":
                    Whole(FactKind.SstrUptake, value, element, at, 0, 4);
                    break;
                case "LargestLesion" or "LesionDiameterSum" or "PrimaryTumourSize":
                    Converted(Enum.Parse<FactKind>(meaning), value, element, at, (v, u, out r) => Units.TryConvert(v, u, Units.Centimetre, out r), Units.Centimetre, "cm or mm");
                    break;
                case "TumourBurden" or "LungShuntFraction" or "ResectableFraction":
                    if (Percent(value, element, at) is { } percent)
                    {
                        facts.Add(Enum.Parse<FactKind>(meaning), new Fact<decimal>(percent, at.Effective, at.Source, Units.Percent));
                    }

                    break;
                case "BoneMetastases" or "LesionNearMajorVessel" or "LesionNearVitalStructure" or "LesionAtHilum" or "MibgUptake" or "FutureLiverRemnantAdequate":
                    if (value is FhirBoolean { Value: { } flag })
                    {
                        facts.Add(Enum.Parse<FactKind>(meaning), new Fact<bool>(flag, at.Effective, at.Source));
                    }
                    else
                    {
                        Problem(at.Source, element, DataProblemKind.UnusableValue, $"{meaning} needs a boolean value");
                    }

                    break;
                case "Differentiation":
                    Coded<Differentiation>(value, element, at, "Differentiation", v => facts.Differentiation.Add(v));
                    break;
                case "DiseaseStatus":
                    Coded<DiseaseStatus>(value, element, at, "DiseaseStatus", v => facts.DiseaseStatus.Add(v));
                    break;
                case "LesionDistribution":
                    Coded<LesionDistribution>(value, element, at, "LesionDistribution", v => facts.LesionDistribution.Add(v));
                    break;
                case "PortalVein":
                    Coded<PortalVeinStatus>(value, element, at, "PortalVein", v => facts.PortalVein.Add(v));
                    break;
                case "ExtrahepaticDisease":
                    Coded<ExtrahepaticDisease>(value, element, at, "ExtrahepaticDisease", v => facts.ExtrahepaticDisease.Add(v));
                    break;
                default:
                    // Recognised but not used by any rule (serotonin): nothing to read.
                    break;
            }
        }

        private (decimal Value, string? Unit)? Quantity(DataType? value, string element, Observed at)
        {
            switch (value)
            {
                case FhirQuantity { Value: { } number } q:
                    return (number, q.Code ?? q.Unit);
                case Integer { Value: { } whole }:
                    return (whole, null);
                default:
                    Problem(at.Source, element, DataProblemKind.UnusableValue, value is null ? "no value" : $"a {value.TypeName} where a Quantity was expected");
                    return null;
            }
        }

        private decimal? Percent(DataType? value, string element, Observed at)
        {
            if (Quantity(value, element, at) is not { } q)
            {
                return null;
            }

            if (Units.Normalise(q.Unit) != Units.Percent)
            {
                UnknownUnit(q.Unit, "a percentage (%)", element, at);
                return null;
            }

            if (q.Value is < 0 or > 100)
            {
                Problem(at.Source, element, DataProblemKind.UnusableValue, $"{q.Value} % is not a percentage");
                return null;
            }

            return q.Value;
        }

        private delegate bool Conversion(decimal value, string? unit, out decimal result);

        private void Converted(FactKind kind, DataType? value, string element, Observed at, Conversion convert, string unit, string accepted)
        {
            if (Quantity(value, element, at) is not { } q)
            {
                return;
            }

            if (convert(q.Value, q.Unit, out var canonical))
            {
                facts.Add(kind, new Fact<decimal>(canonical, at.Effective, at.Source, unit));
            }
            else
            {
                UnknownUnit(q.Unit, accepted, element, at);
            }
        }

        private void Whole(FactKind kind, DataType? value, string element, Observed at, int min, int max)
        {
            int? number = value switch
            {
                Integer { Value: { } i } => i,
                FhirQuantity { Value: { } d } when d == decimal.Truncate(d) => (int)d,
                _ => null,
            };
            if (number is { } n && n >= min && n <= max)
            {
                facts.Add(kind, new Fact<int>(n, at.Effective, at.Source));
            }
            else
            {
                Problem(at.Source, element, DataProblemKind.UnusableValue, $"{kind} needs a whole number from {min} to {max}");
            }
        }

        private void Coded<T>(DataType? value, string element, Observed at, string fact, Action<Fact<T>> add)
            where T : struct, Enum
        {
            var concept = value as CodeableConcept;
            var meanings = Meanings(CodeContext.Value, concept).Where(m => m.StartsWith(fact + ".", StringComparison.Ordinal)).ToList();
            if (meanings.Count == 1 && Enum.TryParse<T>(meanings[0][(fact.Length + 1)..], out var parsed))
            {
                add(new Fact<T>(parsed, at.Effective, at.Source));
                return;
            }

            var codes = concept is null ? value?.TypeName ?? "no value" : string.Join(", ", concept.Coding.Select(c => $"{c.System}|{c.Code}"));
            Problem(at.Source, element, DataProblemKind.UnknownValueCode, meanings.Count > 1 ? $"codes for several {fact} values ({codes})" : $"{fact} value not recognised ({codes})");
        }

        private void UnknownUnit(string? unit, string accepted, string element, Observed at) =>
            Problem(at.Source, element + ".unit", DataProblemKind.UnknownUnit, $"unit '{unit ?? "(none)"}' cannot be used: expected {accepted}");

        /// <summary>Chromogranin A keeps its unit family: ng/mL (= µg/L), nmol/L or U/L, never converted across.</summary>
        private void Chromogranin(string meaning, DataType? value, string element, Observed at)
        {
            if (Quantity(value, element, at) is not { } q)
            {
                return;
            }

            var expected = meaning switch
            {
                "ChromograninA.Mass" => ChromograninUnit.MassConcentration,
                "ChromograninA.Substance" => ChromograninUnit.SubstanceConcentration,
                _ => ChromograninUnit.ArbitraryUnits,
            };
            var (canonicalUnit, accepted) = expected switch
            {
                ChromograninUnit.MassConcentration => ("ng/mL", "ng/mL or µg/L for LOINC 9811-1"),
                ChromograninUnit.SubstanceConcentration => ("nmol/L", "nmol/L for LOINC 25587-7"),
                _ => ("U/L", "U/L for LOINC 30169-7"),
            };
            if (!Units.TryConvert(q.Value, q.Unit, canonicalUnit, out var level))
            {
                UnknownUnit(q.Unit, accepted, element, at);
                return;
            }

            decimal? upperLimit = null;
            var high = at.Observation.ReferenceRange.FirstOrDefault(r => r.High?.Value is not null)?.High;
            if (high is not null)
            {
                if (Units.TryConvert(high.Value!.Value, high.Code ?? high.Unit ?? q.Unit, canonicalUnit, out var uln))
                {
                    upperLimit = uln;
                }
                else
                {
                    Problem(at.Source, "Observation.referenceRange.high.unit", DataProblemKind.UnknownUnit, "upper reference limit in a unit that differs from the result: not used for multiples of the ULN");
                }
            }

            var assay = at.Observation.Method?.Text ?? at.Observation.Method?.Coding.FirstOrDefault()?.Code ?? at.Observation.Device?.Display;
            facts.ChromograninA.Add(new ChromograninMeasurement(level, expected, upperLimit, at.Effective, at.Source, assay));
        }

        private void Condition(Condition c, string source)
        {
            var meanings = Meanings(CodeContext.Condition, c.Code).ToList();
            var histology = c.Extension.Where(e => e.Url == HistologyExtension).Select(e => e.Value as CodeableConcept).ToList();
            meanings.AddRange(histology.SelectMany(h => Meanings(CodeContext.Condition, h)).Where(m => m.StartsWith("Differentiation.", StringComparison.Ordinal)));
            if (meanings.Count == 0 || !AboutThePatient(c.Subject, source, "Condition.subject"))
            {
                return;
            }

            var verification = c.VerificationStatus?.Coding.FirstOrDefault()?.Code;
            if (verification is "refuted" or "entered-in-error")
            {
                Problem(source, "Condition.verificationStatus", DataProblemKind.NotUsable, $"verification status {verification}: not used");
                return;
            }

            var clinical = c.ClinicalStatus?.Coding.FirstOrDefault()?.Code;
            if (clinical is not (null or "active" or "recurrence" or "relapse"))
            {
                Problem(source, "Condition.clinicalStatus", DataProblemKind.NotUsable, $"clinical status {clinical}: only active, recurrence or relapse count");
                return;
            }

            // A diagnosis without onset or recorded date still counts; it sorts as the oldest fact.
            var date = Dated(DateOf(c.Onset) ?? DateOf(c.RecordedDateElement), source, DateOf(c.Onset) is null ? "Condition.recordedDate" : "Condition.onset", required: false);
            if (date is null && (DateOf(c.Onset) ?? DateOf(c.RecordedDateElement)) is not null)
            {
                return;
            }

            var effective = date ?? DateTimeOffset.MinValue;
            foreach (var meaning in meanings.Distinct())
            {
                var (group, name) = Split(meaning);
                switch (group)
                {
                    case "PrimarySite" when Enum.TryParse<PrimarySite>(name, out var site):
                        facts.PrimarySites.Add(new Fact<PrimarySite>(site, effective, source));
                        break;
                    case "Differentiation" when Enum.TryParse<Differentiation>(name, out var differentiation):
                        facts.Differentiation.Add(new Fact<Differentiation>(differentiation, effective, source));
                        break;
                    case "" when Enum.TryParse<ConditionKind>(name, out var kind):
                        facts.Conditions.Add(new Fact<ConditionKind>(kind, effective, source));
                        break;
                }
            }
        }

        private void Procedure(Procedure p, string source)
        {
            var meanings = Meanings(CodeContext.Procedure, p.Code);
            if (meanings.Count == 0 || !AboutThePatient(p.Subject, source, "Procedure.subject"))
            {
                return;
            }

            foreach (var meaning in meanings)
            {
                var planned = meaning == nameof(ProcedureKind.PlannedExenteration);
                var usable = p.Status == EventStatus.Completed || (planned && p.Status is EventStatus.Preparation or EventStatus.InProgress);
                if (!usable)
                {
                    Problem(source, "Procedure.status", DataProblemKind.NotUsable, $"status {p.StatusElement?.JsonValue ?? "missing"}: only completed procedures (or planned ones for a planned exenteration) count");
                    continue;
                }

                // A planned procedure has no performed date yet: it is planned as of now.
                var date = Dated(DateOf(p.Performed) ?? (planned ? asOf : null), source, "Procedure.performed");
                if (date is not { } performed)
                {
                    continue;
                }

                if (meaning == "Chemotherapy")
                {
                    facts.Medications.Add(new Fact<MedicationUse>(new MedicationUse(MedicationKind.Chemotherapy, false), performed, source));
                }
                else if (Enum.TryParse<ProcedureKind>(meaning, out var kind))
                {
                    facts.Procedures.Add(new Fact<ProcedureKind>(kind, performed, source));
                }
            }
        }

        private void MedicationStatement(MedicationStatement m, string source)
        {
            bool? active = m.Status switch
            {
                Hl7.Fhir.Model.MedicationStatement.MedicationStatusCodes.Active or Hl7.Fhir.Model.MedicationStatement.MedicationStatusCodes.Intended
                    or Hl7.Fhir.Model.MedicationStatement.MedicationStatusCodes.OnHold => true,
                Hl7.Fhir.Model.MedicationStatement.MedicationStatusCodes.Completed or Hl7.Fhir.Model.MedicationStatement.MedicationStatusCodes.Stopped => false,
                _ => null,
            };
            Medication(m.Medication, m.Subject, active, m.StatusElement?.JsonValue as string, DateOf(m.Effective) ?? DateOf(m.DateAssertedElement), source, "MedicationStatement");
        }

        private void MedicationRequest(MedicationRequest m, string source)
        {
            bool? active = m.Status switch
            {
                Hl7.Fhir.Model.MedicationRequest.MedicationrequestStatus.Active or Hl7.Fhir.Model.MedicationRequest.MedicationrequestStatus.OnHold => true,
                Hl7.Fhir.Model.MedicationRequest.MedicationrequestStatus.Completed or Hl7.Fhir.Model.MedicationRequest.MedicationrequestStatus.Stopped => false,
                _ => null,
            };
            Medication(m.Medication, m.Subject, active, m.StatusElement?.JsonValue as string, DateOf(m.AuthoredOnElement), source, "MedicationRequest");
        }

        private void Medication(DataType? medication, ResourceReference? subject, bool? active, string? status, DateTimeOffset? date, string source, string type)
        {
            var concept = medication switch
            {
                CodeableConcept c => c,
                ResourceReference r => ResolveMedication(r)?.Code,
                _ => null,
            };
            if (medication is ResourceReference unresolved && concept is null)
            {
                // Could be any drug: say so rather than drop it.
                Problem(source, $"{type}.medication", DataProblemKind.UnusableValue, $"medication reference '{unresolved.Reference}' is not in the input: the drug cannot be identified");
                return;
            }

            var meanings = Meanings(CodeContext.Medication, concept);
            if (meanings.Count == 0 || !AboutThePatient(subject, source, $"{type}.subject"))
            {
                return;
            }

            if (active is null)
            {
                Problem(source, $"{type}.status", DataProblemKind.NotUsable, $"status {status?.ToLowerInvariant() ?? "missing"}: not used");
                return;
            }

            if (Dated(date, source, type == "MedicationRequest" ? "MedicationRequest.authoredOn" : "MedicationStatement.effective") is not { } when)
            {
                return;
            }

            foreach (var meaning in meanings)
            {
                if (Enum.TryParse<MedicationKind>(meaning, out var kind))
                {
                    facts.Medications.Add(new Fact<MedicationUse>(new MedicationUse(kind, active.Value), when, source));
                }
            }
        }

        private Medication? ResolveMedication(ResourceReference reference) =>
            all.Select(r => r.Resource).OfType<Medication>().FirstOrDefault(m => reference.Reference == $"Medication/{m.Id}")
            ?? all.Where(r => r.FullUrl is not null && r.FullUrl == reference.Reference).Select(r => r.Resource).OfType<Medication>().FirstOrDefault();

        private static (string Group, string Name) Split(string meaning)
        {
            var dot = meaning.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? ("", meaning) : (meaning[..dot], meaning[(dot + 1)..]);
        }
    }

    internal static DateTimeOffset? EffectiveOf(Observation o) => DateOf(o.Effective) ?? DateOf(o.IssuedElement);

    /// <summary>A dateTime, partial ones ("2026-10", "2026-10-01") at their first moment; without a zone, UTC.</summary>
    private static DateTimeOffset? DateTimeOf(FhirDateTime value)
    {
        try
        {
            return value.Value is null ? null : value.ToDateTimeOffset(TimeSpan.Zero);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The instant a FHIR date/time value stands for (a period by its start); partial dates at their first moment, UTC.</summary>
    internal static DateTimeOffset? DateOf(DataType? value) => value switch
    {
        FhirDateTime dt => DateTimeOf(dt),
        Instant { Value: { } instant } => instant,
        Period p => DateOf(p.StartElement) ?? DateOf(p.EndElement),
        Date { Value: { } text } => DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM", "yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : null,
        _ => null,
    };
}
