using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using NetCds.Service.Mdt.SmartLaunch;
using NetCds.Service.Security;

namespace NetCds.Service.Mdt;

/// <summary>
/// Who may see a patient on the MDT pages: anyone for a synthetic demo seed (while <c>Demo:Enabled</c>); otherwise an
/// API access token with Patient read scope (the policy of <c>GET /eligibility/{patientId}</c>), or a browser the EHR
/// launched the MDT view in for this very patient (SMART launch session).
/// </summary>
internal static class MdtAccess
{
    /// <summary>Null when allowed; otherwise the 401 or 403 to answer, naming no patient.</summary>
    public static async Task<IResult?> RefusalAsync(HttpContext http, string patientId, bool isSeed)
    {
        if (isSeed)
        {
            return null;
        }

        // The policy's own schemes authenticate the caller (there is no default scheme): this sets http.User.
        var policy = await http.RequestServices.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(ApiSecurityExtensions.ReadPatientPolicy);
        var evaluator = http.RequestServices.GetRequiredService<IPolicyEvaluator>();
        var authenticated = await evaluator.AuthenticateAsync(policy!, http);
        if ((await evaluator.AuthorizeAsync(policy!, authenticated, http, null)).Succeeded
            || await SmartLaunchEndpoints.IsLaunchedForAsync(http, patientId))
        {
            return null;
        }

        return http.User.Identity?.IsAuthenticated == true
            ? Results.Text("The MDT view of this patient needs Patient read scope.", statusCode: StatusCodes.Status403Forbidden)
            : Results.Text("The MDT view of this patient needs an access token, or a launch from the EHR.", statusCode: StatusCodes.Status401Unauthorized);
    }
}
