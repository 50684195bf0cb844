using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Terminology;
using FhirQuantity = Hl7.Fhir.Model.Quantity;

namespace NetCds.Fhir.Mapping.Readers;

/// <summary>
/// Observations (and each component of the liver imaging panel) into facts, through <see cref="ObservationMeanings"/>.
/// Quantities are intervals (catalogue, "Quantities are intervals"): <c>Quantity.comparator</c> is a modifier
/// element and is always kept, a <c>valueRange</c> is read with either bound optional, and units are converted
/// bound by bound. Scores cannot be read from a comparator or a range: that is reported, never dropped or ignored.
/// </summary>
internal sealed class ObservationReader(ReadContext context)
{
    public void Read(Observation o, string source)
    {
        var meanings = context.Meanings(CodeContext.Observation, o.Code);
        var components = o.Component.Select((c, i) => (Component: c, Index: i, Meanings: context.Meanings(CodeContext.Observation, c.Code))).Where(c => c.Meanings.Count > 0).ToList();
        if (meanings.Count == 0 && components.Count == 0)
        {
            return;
        }

        if (!context.AboutThePatient(o.Subject, source, "Observation.subject"))
        {
            return;
        }

        if (o.Status is not (ObservationStatus.Final or ObservationStatus.Amended or ObservationStatus.Corrected))
        {
            context.Problem(source, "Observation.status", DataProblemKind.NotUsable, $"status {o.StatusElement?.JsonValue ?? "missing"}: only final, amended or corrected results are used");
            return;
        }

        if (context.Dated(EffectiveOf(o), source, "Observation.effective") is not { } effective)
        {
            return;
        }

        var observed = new Observed(source, effective, o);
        foreach (var meaning in meanings)
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

    internal static DateTimeOffset? EffectiveOf(Observation o) => ReadContext.DateOf(o.Effective) ?? ReadContext.DateOf(o.IssuedElement);

    private sealed record Observed(string Source, DateTimeOffset Effective, Observation Observation);

    private void Value(string meaning, DataType? value, string element, Observed at)
    {
        if (!ObservationMeanings.All.TryGetValue(meaning, out var row))
        {
            // Recognised but not used by any rule (serotonin, the panel itself): nothing to read.
            return;
        }

        switch (row.Shape)
        {
            case ValueShape.Quantity:
                Quantity(row, value, element, at);
                break;
            case ValueShape.Score:
                Score(row, value, element, at);
                break;
            case ValueShape.Boolean:
                if (value is FhirBoolean { Value: { } flag })
                {
                    context.Facts.Add(row.Kind, new Fact<bool>(flag, at.Effective, at.Source));
                }
                else
                {
                    context.Problem(at.Source, element, DataProblemKind.UnusableValue, $"{meaning} needs a boolean value");
                }

                break;
            case ValueShape.Coded:
                Coded(row, value, element, at);
                break;
            case ValueShape.Chromogranin:
                Chromogranin(row, value, element, at);
                break;
        }
    }

    private void Quantity(ObservationMeaning row, DataType? value, string element, Observed at)
    {
        if (Interval(row, value, element, at) is not { } interval)
        {
            return;
        }

        var specimen = at.Observation.Specimen?.Reference;
        switch (row.Kind)
        {
            case FactKind.Ki67:
                context.Facts.Ki67.Add(new PathologyValue(interval, at.Effective, at.Source, specimen));
                break;
            case FactKind.MitoticCount:
                context.Facts.MitoticCount.Add(new PathologyValue(interval, at.Effective, at.Source, specimen));
                break;
            default:
                context.Facts.Add(row.Kind, new Fact<Interval>(interval, at.Effective, at.Source, row.Unit));
                break;
        }
    }

    /// <summary>
    /// The value as the interval it stands for, in the canonical unit: a Quantity with its comparator, an integer,
    /// or a Range (inclusive bounds, either optional). Null, with the problem reported, when it cannot be used.
    /// </summary>
    private Interval? Interval(ObservationMeaning row, DataType? value, string element, Observed at)
    {
        switch (value)
        {
            case FhirQuantity { Value: { } number } q:
                if (Comparator(q, element, at) is not { } comparator || Bound(row, number, q.Code ?? q.Unit, element, at) is not { } canonical)
                {
                    return null;
                }

                return Domain.Facts.Interval.From(canonical, comparator);
            case Integer { Value: { } whole }:
                return Bound(row, whole, null, element, at);
            case Hl7.Fhir.Model.Range range when range.Low?.Value is not null || range.High?.Value is not null:
                return Range(row, range, element, at);
            case Hl7.Fhir.Model.Range:
                Unusable(row, element, at, "a range with neither low nor high");
                return null;
            default:
                Unusable(row, element, at, value is null ? "no value" : $"a {value.TypeName} where a Quantity was expected");
                return null;
        }
    }

    private Interval? Range(ObservationMeaning row, Hl7.Fhir.Model.Range range, string element, Observed at)
    {
        decimal? low = null;
        decimal? high = null;
        if (range.Low?.Value is { } l)
        {
            if (Bound(row, l, range.Low.Code ?? range.Low.Unit, element + ".low", at) is not { } canonical)
            {
                return null;
            }

            low = canonical;
        }

        if (range.High?.Value is { } h)
        {
            if (Bound(row, h, range.High.Code ?? range.High.Unit, element + ".high", at) is not { } canonical)
            {
                return null;
            }

            high = canonical;
        }

        if (low > high)
        {
            context.Problem(at.Source, element, DataProblemKind.UnusableValue, $"range low {low} is above its high {high}");
            return null;
        }

        return Domain.Facts.Interval.Between(low, high);
    }

    /// <summary>One bound in the canonical unit, checked as a percentage or a whole number when the fact needs it.</summary>
    private decimal? Bound(ObservationMeaning row, decimal value, string? unit, string element, Observed at)
    {
        if (!row.Convert(value, unit, out var canonical))
        {
            context.UnknownUnit(at.Source, element, unit, row.Accepted);
            return null;
        }

        if (row.Percent && canonical is < 0 or > 100)
        {
            context.Problem(at.Source, element, DataProblemKind.UnusableValue, $"{canonical} % is not a percentage");
            return null;
        }

        if (row.Whole is { } whole && (canonical != decimal.Truncate(canonical) || canonical < whole.Min || canonical > whole.Max))
        {
            context.Problem(at.Source, element, DataProblemKind.UnusableValue, $"{row.Kind} needs a whole number from {whole.Min} to {whole.Max}");
            return null;
        }

        return canonical;
    }

    /// <summary>The comparator, which is a modifier element: one that cannot be read makes the value unusable.</summary>
    private Comparator? Comparator(FhirQuantity quantity, string element, Observed at)
    {
        switch (quantity.Comparator)
        {
            case null:
                return Domain.Facts.Comparator.Exactly;
            case FhirQuantity.QuantityComparator.LessThan:
                return Domain.Facts.Comparator.LessThan;
            case FhirQuantity.QuantityComparator.LessOrEqual:
                return Domain.Facts.Comparator.AtMost;
            case FhirQuantity.QuantityComparator.GreaterOrEqual:
                return Domain.Facts.Comparator.AtLeast;
            case FhirQuantity.QuantityComparator.GreaterThan:
                return Domain.Facts.Comparator.GreaterThan;
            default:
                context.Problem(at.Source, element + ".comparator", DataProblemKind.UnusableValue, $"comparator '{quantity.ComparatorElement?.JsonValue}' is not one of <, <=, >=, >: not used");
                return null;
        }
    }

    private void Unusable(ObservationMeaning row, string element, Observed at, string what)
    {
        // Whole-number facts have always said what they need rather than what they got; kept for the lesion count.
        var message = row.Whole is { } whole ? $"{row.Kind} needs a whole number from {whole.Min} to {whole.Max}" : what;
        context.Problem(at.Source, element, DataProblemKind.UnusableValue, message);
    }

    /// <summary>
    /// A score (ECOG, Karnofsky, Krenning): one whole number. "ECOG &lt; 2" or a range spans several grades and a
    /// rule cannot pick one, so a comparator or a range is reported naming the element (it is never ignored).
    /// </summary>
    private void Score(ObservationMeaning row, DataType? value, string element, Observed at)
    {
        var (min, max) = row.Whole!.Value;
        switch (value)
        {
            case FhirQuantity { Comparator: { } comparator }:
                context.Problem(at.Source, element + ".comparator", DataProblemKind.UnusableValue,
                    $"{row.Kind} is a score and cannot be used with the comparator '{ComparatorText(comparator)}': an exact whole number from {min} to {max} is needed");
                return;
            case Hl7.Fhir.Model.Range:
                context.Problem(at.Source, element, DataProblemKind.UnusableValue,
                    $"{row.Kind} is a score and cannot be used as a range: an exact whole number from {min} to {max} is needed");
                return;
        }

        int? number = value switch
        {
            Integer { Value: { } i } => i,
            FhirQuantity { Value: { } d } when d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
            _ => null,
        };
        if (number is { } n && n >= min && n <= max)
        {
            context.Facts.Add(row.Kind, new Fact<int>(n, at.Effective, at.Source));
        }
        else
        {
            context.Problem(at.Source, element, DataProblemKind.UnusableValue, $"{row.Kind} needs a whole number from {min} to {max}");
        }
    }

    private static string ComparatorText(FhirQuantity.QuantityComparator comparator) => comparator switch
    {
        FhirQuantity.QuantityComparator.LessThan => "<",
        FhirQuantity.QuantityComparator.LessOrEqual => "<=",
        FhirQuantity.QuantityComparator.GreaterOrEqual => ">=",
        FhirQuantity.QuantityComparator.GreaterThan => ">",
        _ => comparator.ToString(),
    };

    private void Coded(ObservationMeaning row, DataType? value, string element, Observed at)
    {
        var concept = value as CodeableConcept;
        var prefix = row.ValuePrefix + ".";
        var meanings = context.Meanings(CodeContext.Value, concept).Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (meanings.Count == 1 && row.AddCoded!(context.Facts, meanings[0][prefix.Length..], at.Effective, at.Source))
        {
            return;
        }

        var codes = concept is null ? value?.TypeName ?? "no value" : string.Join(", ", concept.Coding.Select(c => $"{c.System}|{c.Code}"));
        context.Problem(at.Source, element, DataProblemKind.UnknownValueCode,
            meanings.Count > 1 ? $"codes for several {row.ValuePrefix} values ({codes})" : $"{row.ValuePrefix} value not recognised ({codes})");
    }

    /// <summary>Chromogranin A keeps its unit family (ng/mL = µg/L, nmol/L or U/L, never converted across) and its comparator.</summary>
    private void Chromogranin(ObservationMeaning row, DataType? value, string element, Observed at)
    {
        if (Interval(row, value, element, at) is not { } level)
        {
            return;
        }

        decimal? upperLimit = null;
        var high = at.Observation.ReferenceRange.FirstOrDefault(r => r.High?.Value is not null)?.High;
        if (high is not null)
        {
            var resultUnit = value switch
            {
                FhirQuantity q => q.Code ?? q.Unit,
                Hl7.Fhir.Model.Range r => r.Low?.Code ?? r.Low?.Unit ?? r.High?.Code ?? r.High?.Unit,
                _ => null,
            };
            if (row.Convert(high.Value!.Value, high.Code ?? high.Unit ?? resultUnit, out var uln))
            {
                upperLimit = uln;
            }
            else
            {
                context.Problem(at.Source, "Observation.referenceRange.high.unit", DataProblemKind.UnknownUnit, "upper reference limit in a unit that differs from the result: not used for multiples of the ULN");
            }
        }

        var assay = at.Observation.Method?.Text ?? at.Observation.Method?.Coding.FirstOrDefault()?.Code ?? at.Observation.Device?.Display;
        context.Facts.ChromograninA.Add(new ChromograninMeasurement(level, row.Family!.Value, upperLimit, at.Effective, at.Source, assay));
    }
}
