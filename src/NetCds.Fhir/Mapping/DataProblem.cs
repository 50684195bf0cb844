namespace NetCds.Fhir.Mapping;

public enum DataProblemKind
{
    /// <summary>A unit the service cannot interpret for this fact, or one it must not convert (chromogranin A mass vs U/L).</summary>
    UnknownUnit,

    /// <summary>The value is missing or of the wrong type for the fact.</summary>
    UnusableValue,

    /// <summary>A coded value the terminology map does not know.</summary>
    UnknownValueCode,

    /// <summary>Effective time after the evaluation instant.</summary>
    FutureDate,

    /// <summary>No effective time: a fact without a date cannot be cited or compared.</summary>
    MissingDate,

    /// <summary>The resource is about another patient than the one evaluated.</summary>
    OtherPatient,

    /// <summary>Two different values of one fact at the same instant: neither is used.</summary>
    Conflict,

    /// <summary>Status makes it unusable (preliminary, cancelled, entered-in-error, refuted, resolved ...): reported, not used.</summary>
    NotUsable,

    /// <summary>Not valid FHIR R4 (e.g. an array element written as an object): set aside, the rest of its Bundle used.</summary>
    Invalid,
}

/// <summary>Something in the input that was not used as given, with the resource and element it concerns. Never silent.</summary>
/// <param name="Resource">FHIR reference of the resource, e.g. <c>Observation/123</c>.</param>
/// <param name="Element">FHIRPath-like location of the offending element, e.g. <c>Observation.value.unit</c> (FHIRPath, choice types without their type suffix).</param>
public sealed record DataProblem(string Resource, string? Element, DataProblemKind Kind, string Message);
