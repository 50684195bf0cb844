using Microsoft.Extensions.Time.Testing;

namespace NetCds.Cli.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netcds-cli").FullName;

    private const string Bundle = """
        {"resourceType":"Bundle","type":"collection","entry":[
          {"resource":{"resourceType":"Patient","id":"cli-1","birthDate":"1960-01-01"}},
          {"resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/cli-1"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"C7A.1"}]}}},
          {"resource":{"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/cli-1"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"C7B.02"}]}}},
          {"resource":{"resourceType":"Observation","id":"o1","status":"preliminary","subject":{"reference":"Patient/cli-1"},"effectiveDateTime":"2026-10-01",
            "code":{"coding":[{"system":"http://loinc.org","code":"29593-1"}]},"valueQuantity":{"value":70,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}}
        ]}
        """;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>What "now" is to the command: a pinned instant, so no test meets the wall clock.</summary>
    private static readonly DateTimeOffset Now = new(2027, 3, 15, 9, 30, 0, TimeSpan.Zero);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CommandLine.Run(args, output, error, new FakeTimeProvider(Now));
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Evaluate_prints_every_therapy_with_its_status_and_reasons()
    {
        var (code, output, _) = Run("evaluate", Write("p.json", Bundle), "--as-of", "2026-11-01");

        code.Should().Be(0);
        output.Should().Contain("Patient/cli-1");
        foreach (var therapy in new[] { "RES", "ABL", "EMB", "SIRT", "LT", "SSA", "INF", "PRRT", "MIBG", "EVE", "SUN", "CHEMO" })
        {
            output.Should().MatchRegex($"(?m)^{therapy}\\s+(eligible|consider|contraindicated|not-indicated|insufficient-data)\\s");
        }

        output.Should().MatchRegex("(?m)^CHEMO\\s+eligible\\s+CHEMO-NEC", "a neuroendocrine carcinoma (C7A.1) is eligible for platinum-etoposide");
        output.Should().MatchRegex("(?m)^LT\\s+contraindicated", "LT-NEC");
    }

    [Fact]
    public void Without_as_of_evaluate_uses_the_clock_it_is_given_and_with_it_the_date_given()
    {
        var (_, now, _) = Run("evaluate", Write("p.json", Bundle), "--json");
        var (_, asOf, _) = Run("evaluate", Write("p.json", Bundle), "--as-of", "2026-11-01", "--json");

        now.Should().Contain("\"evaluatedAt\": \"2027-03-15T09:30:00");
        asOf.Should().Contain("\"evaluatedAt\": \"2026-11-01T00:00:00");
    }

    [Fact]
    public void Evaluate_lists_data_not_used_and_missing_orders()
    {
        var (_, output, _) = Run("evaluate", Write("p.json", Bundle), "--as-of", "2026-11-01");

        output.Should().Contain("DATA NOT USED").And.Contain("Observation/o1").And.Contain("not-usable");
        output.Should().Contain("MISSING").And.Contain("Full blood count");
    }

    [Fact]
    public void Json_option_prints_the_report_document()
    {
        var (code, output, _) = Run("evaluate", Write("p.json", Bundle), "--as-of", "2026-11-01", "--json");

        code.Should().Be(0);
        output.Should().Contain("\"therapy\": \"CHEMO\"").And.Contain("\"status\": \"eligible\"").And.Contain("\"rulesVersion\"");
    }

    [Fact]
    public void Invalid_FHIR_is_an_error_naming_the_element()
    {
        var (code, _, error) = Run("evaluate", Write("bad.json", """{"resourceType":"Observation","status":"bogus","code":{"text":"x"}}"""));

        code.Should().Be(1);
        error.Should().Contain("Observation.status");
    }

    [Fact]
    public void Missing_file_and_bad_usage_have_distinct_exit_codes()
    {
        Run("evaluate", Path.Combine(_directory, "none.json")).Code.Should().Be(1);
        Run("frobnicate").Code.Should().Be(2);
        Run("evaluate", Write("p.json", Bundle), "--as-of").Code.Should().Be(2);
    }

    [Fact]
    public void The_profile_examples_evaluate()
    {
        var examples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.json");
        var entries = string.Join(",", examples.Select(f => $$"""{"resource":{{File.ReadAllText(f)}}}"""));

        var (code, output, error) = Run("evaluate", Write("examples.json", $$"""{"resourceType":"Bundle","type":"collection","entry":[{{entries}}]}"""), "--as-of", "2026-11-01");

        code.Should().Be(0, error);
        output.Should().Contain("Patient/example-net-1").And.NotContain("DATA NOT USED");
    }
}
