using Microsoft.Extensions.Options;
using NetCds.Service.Security;

namespace NetCds.Service.CdsHooks.Security;

/// <summary>
/// Lets a call through only with a valid CDS Hooks JWT; otherwise answers 401 with <c>WWW-Authenticate: Bearer</c>
/// and no body (the reason goes to the log, not to the caller). The audience is <c>{Service:PublicBaseUrl}{path}</c>. On success the <see cref="CdsHooksCaller"/> is set as
/// a request feature.
/// </summary>
internal sealed class CdsHooksJwtFilter(CdsHooksJwtValidator validator, IOptions<CdsHooksSecurityOptions> options, IOptions<ServiceOptions> service) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!options.Value.RequireJwt)
        {
            return await next(context);
        }

        var http = context.HttpContext;
        var request = http.Request;
        // The URL this service is published at (Service:PublicBaseUrl), never the Host header the caller chose.
        var audience = service.Value.UrlOf(request.Path);
        var check = await validator.ValidateAsync(BearerToken(request), audience, http.RequestAborted);
        if (check.Caller is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Unauthorized();
        }

        http.Features.Set(check.Caller);
        return await next(context);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var values = request.Headers.Authorization;
        if (values.Count != 1)
        {
            return null;
        }

        const string Scheme = "Bearer ";
        var value = values[0];
        return value is not null && value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? value[Scheme.Length..].Trim() : null;
    }
}
