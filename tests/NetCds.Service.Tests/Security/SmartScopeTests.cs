using NetCds.Service.Security;

namespace NetCds.Service.Tests.Security;

public sealed class SmartScopeTests
{
    [Theory]
    [InlineData("system/*.read", "Patient", ApiAccess.Read, true)]
    [InlineData("system/*.read", "Patient", ApiAccess.Create, false)]
    [InlineData("system/Observation.write", "Observation", ApiAccess.Delete, true)]
    [InlineData("system/Observation.write", "Condition", ApiAccess.Create, false)]
    [InlineData("system/*.*", "Condition", ApiAccess.Delete, true)]
    [InlineData("system/*.cud", "Condition", ApiAccess.Update, true)]
    [InlineData("system/*.cud", "Condition", ApiAccess.Read, false)]
    [InlineData("system/Patient.rs", "Patient", ApiAccess.Read, true)]
    [InlineData("system/Patient.s", "Patient", ApiAccess.Read, false)]
    [InlineData("system/Patient.dc", "Patient", ApiAccess.Delete, false)]
    [InlineData("system/Patient.rs?category=x", "Patient", ApiAccess.Read, false)]
    [InlineData("patient/*.read", "Patient", ApiAccess.Read, false)]
    [InlineData("user/*.cruds", "Patient", ApiAccess.Read, false)]
    [InlineData("system/Patient", "Patient", ApiAccess.Read, false)]
    public void A_scope_grants_exactly_what_SMART_says(string scope, string type, ApiAccess access, bool granted) =>
        SmartScopes.Grants(scope, type, access).Should().Be(granted);
}
