using System.Globalization;
using NetCds.Domain.Facts;

namespace NetCds.Domain.Engine;

/// <summary>An input a finding used, with the resource it came from and its date, so the card can cite it.</summary>
public sealed record InputReference(FactKind Fact, string Value, string Source, DateTimeOffset Date)
{
    public static InputReference From<T>(FactKind fact, Fact<T> value) =>
        new(fact, Format(value.Value, value.Unit), value.Source, value.Effective);

    public static InputReference From(FactKind fact, PathologyValue value, string unit) =>
        new(fact, Format(value.Value, unit), value.Source, value.Effective);

    public static InputReference From(ChromograninMeasurement value) =>
        new(FactKind.ChromograninA, Format(value.Value, UnitText(value.Unit)), value.Source, value.Effective);

    internal static string UnitText(ChromograninUnit unit) => unit switch
    {
        ChromograninUnit.MassConcentration => "ng/mL",
        ChromograninUnit.SubstanceConcentration => "nmol/L",
        _ => "U/L",
    };

    private static string Format<T>(T value, string? unit)
    {
        var text = value switch
        {
            decimal d => d.ToString("0.###", CultureInfo.InvariantCulture),
            bool b => b ? "yes" : "no",
            DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value?.ToString() ?? "",
        };
        return unit is null ? text : $"{text} {unit}";
    }
}
