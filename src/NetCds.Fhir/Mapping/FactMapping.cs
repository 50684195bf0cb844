using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping;

/// <summary>The facts read from a set of FHIR resources, and everything that could not be used as given.</summary>
public sealed record FactMapping(PatientFacts Facts, IReadOnlyList<DataProblem> Problems);

/// <summary>A resource with the reference facts cite it by (its type/id, or the bundle entry's fullUrl).</summary>
public sealed record SourcedResource(Hl7.Fhir.Model.Resource Resource, string Reference, string? FullUrl = null);
