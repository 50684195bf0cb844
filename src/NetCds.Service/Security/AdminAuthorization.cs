namespace NetCds.Service.Security;

/// <summary>
/// The admin API's authorization: policy <see cref="Policy"/> needs a caller authenticated by the API's bearer-token
/// scheme (<see cref="ApiSecurityExtensions.ApiScheme"/>, named here: there is no default scheme) whose <c>scope</c>
/// claim (space-separated, OAuth 2.0 style) holds <see cref="Scope"/>. Register after <c>AddApiSecurity</c>.
/// </summary>
public static class AdminAuthorization
{
    public const string Policy = "admin";

    public const string Scope = "netcds.admin";

    public static IHostApplicationBuilder AddAdminAuthorization(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(ApiSecurityExtensions.ApiScheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.FindAll("scope").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Contains(Scope)));
        return builder;
    }
}
