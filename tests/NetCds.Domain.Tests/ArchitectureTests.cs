using NetCds.Domain.Engine;

namespace NetCds.Domain.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void Domain_references_no_FHIR_web_or_infrastructure_assembly()
    {
        var references = typeof(EligibilityEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "");

        references.Should().OnlyContain(name => name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard",
            "the clinical core is pure C#: FHIR, ASP.NET, EF Core and messaging live in outer projects");
    }

    [Fact]
    public void There_is_one_rule_file_per_therapy_in_card_order()
    {
        EligibilityEngine.RuleSets.Select(r => r.Therapy).Should().Equal(Enum.GetValues<TherapyId>());
    }
}
