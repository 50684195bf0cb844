using System.Net;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace NetCds.Service.Security;

/// <summary>Configuration section <c>Service</c>: where callers reach this service, and which proxies stand in front of it.</summary>
public sealed class ServiceOptions
{
    public const string Section = "Service";

    /// <summary>
    /// The URL callers use (scheme, host, port, optional path base; no query). It gives the API audience and the CDS
    /// Hooks <c>aud</c> (<c>{PublicBaseUrl}/cds-services/{id}</c>) and the allowed Host header: the request never does.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>Reverse proxies whose <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are believed; none by default.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Longest time a request may take before it is abandoned with a 504 (RequestTimeouts middleware).</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary><see cref="PublicBaseUrl"/> without a trailing slash.</summary>
    public string BaseUrl => PublicBaseUrl.TrimEnd('/');

    /// <summary>The audience a token for <paramref name="path"/> (e.g. <c>/cds-services/x</c>) must carry.</summary>
    public string UrlOf(string path) => BaseUrl + path;
}

/// <summary><c>Service:PublicBaseUrl</c> must be an absolute http(s) URL with no user-info, query or fragment; proxies must be IP addresses.</summary>
public sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string Key = $"{ServiceOptions.Section}:{nameof(ServiceOptions.PublicBaseUrl)}";
        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            errors.Add($"{Key} is required: the URL callers use to reach this service (it is the token audience).");
        }
        else if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
            || url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            errors.Add($"{Key} must be an absolute http(s) URL without user-info, query or fragment.");
        }

        if (options.RequestTimeoutSeconds is < 1 or > 600)
        {
            errors.Add($"{ServiceOptions.Section}:{nameof(ServiceOptions.RequestTimeoutSeconds)} must be between 1 and 600.");
        }

        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                errors.Add($"{ServiceOptions.Section}:{nameof(ServiceOptions.KnownProxies)}:{i} must be an IP address.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public static class PublicEndpointExtensions
{
    /// <summary>
    /// Binds and checks <c>Service</c> at start; allows only the public URL's host in the Host header (unless
    /// <c>AllowedHosts</c> is configured), and believes forwarded headers from the configured proxies only.
    /// </summary>
    public static IHostApplicationBuilder AddPublicEndpoint(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddServiceOptions(builder.Services);
        builder.Services.AddOptions<HostFilteringOptions>().Configure<IOptions<ServiceOptions>, IConfiguration>((hosts, service, configuration) =>
        {
            if (string.IsNullOrWhiteSpace(configuration["AllowedHosts"])
                && Uri.TryCreate(service.Value.PublicBaseUrl, UriKind.Absolute, out var url))
            {
                hosts.AllowedHosts = [url.Host];
            }
        });
        builder.Services.AddRequestTimeouts();
        builder.Services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<ServiceOptions>>((timeouts, service) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(service.Value.RequestTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
                WriteTimeoutResponse = http => Errors.ErrorResponses.WriteAsync(http, StatusCodes.Status504GatewayTimeout, "The request took too long and was abandoned.", CancellationToken.None),
            });
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ServiceOptions>>((forwarded, service) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in service.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        return builder;
    }

    /// <summary>
    /// Forwarded headers, from the known proxies only (host filtering is already first in every ASP.NET Core
    /// pipeline). The request timeout is applied by <see cref="UseRequestTimeout"/>, once routing has chosen the endpoint.
    /// </summary>
    public static WebApplication UsePublicEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<ServiceOptions>>().Value.KnownProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    /// <summary>Every request gets <c>Service:RequestTimeoutSeconds</c>; past it, its cancellation token fires and the caller gets a 504 with the usual error body.</summary>
    public static WebApplication UseRequestTimeout(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRequestTimeouts();
        return app;
    }

    /// <summary>The <c>Service</c> section, bound and validated at start; safe to call more than once.</summary>
    internal static void AddServiceOptions(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<ServiceOptions>)))
        {
            return;
        }

        services.AddOptions<ServiceOptions>().BindConfiguration(ServiceOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceOptions>, ServiceOptionsValidator>();
    }
}
