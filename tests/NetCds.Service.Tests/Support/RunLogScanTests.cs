namespace NetCds.Service.Tests.Support;

/// <summary>The end-of-run log scan (<see cref="RunLogScan"/>) finds what it is for, and passes ordinary lines.</summary>
public sealed class RunLogScanTests
{
    [Theory]
    [InlineData("Report for Patient/seed-02 stored")]
    [InlineData("evaluated seed-17")]
    [InlineData("Authorization: Bearer eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJodHRwczovL2VociJ9.c2ln")]
    [InlineData("fetching http://ehr-user:pw-1@ehr.example.org/fhir/metadata")]
    [InlineData("Host=127.0.0.1;Username=netcds;Password=s3cret")]
    public void A_planted_leak_is_found(string line)
    {
        RunLogScan.Leaks([("Planted", line)]).Should().ContainSingle();
    }

    [Theory]
    [InlineData("Executing endpoint 'HTTP: GET /eligibility/{patientId}'")]
    [InlineData("Prefetch key observations unavailable from 127.0.0.1: HTTP 404")]
    [InlineData("CDS Hooks call refused (Replayed); issuer https://ehr.example.org.")]
    [InlineData("Execution attempt. Source: 'FhirServerClient-cds-hooks-fhir/http://127.0.0.1:46307 Patient/Retry'")]
    public void An_ordinary_line_passes(string line)
    {
        RunLogScan.Leaks([("Ordinary", line)]).Should().BeEmpty();
    }
}
