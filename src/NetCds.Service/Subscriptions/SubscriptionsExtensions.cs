using Hl7.Fhir.Model;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using NetCds.Service.Fhir;
using NetCds.Service.Ops;
using NetCds.Service.Security;

namespace NetCds.Service.Subscriptions;

public static class SubscriptionsExtensions
{
    /// <summary>Name of the resilience pipeline on the subscriptions' FHIR client (one circuit per EHR host).</summary>
    public const string PipelineName = "subscriptions-fhir";

    /// <summary>The service's admin authorization policy (scope <c>netcds.admin</c>), registered with the bus's admin routes; named here, not referenced, as features do not use one another.</summary>
    /// <summary>
    /// Options <c>Subscriptions</c> and <c>SubscriptionFetch</c> (validated at start), the EHR clients, and the
    /// notification consumer. Call before <c>AddMessaging</c>: the bus picks the consumer up from here.
    /// </summary>
    public static IHostApplicationBuilder AddSubscriptions(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SubscriptionsOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            foreach (var item in configuration.GetSection(SubscriptionsOptions.Section).GetChildren().OrderBy(c => int.TryParse(c.Key, out var n) ? n : int.MaxValue))
            {
                options.Items.Add(item.Get<SubscriptionSettings>() ?? new SubscriptionSettings());
            }
        }).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SubscriptionsOptions>, SubscriptionsValidator>();
        services.AddOptions<SubscriptionFetchOptions>().BindConfiguration(SubscriptionFetchOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddHttpClient(EhrFhirClient.HttpClientName, http =>
            {
                http.MaxResponseContentBufferSize = 64L * 1024 * 1024;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("NetCds-Subscriptions/1.0");
            })
            .RemoveAllLoggers()
            .AddResilienceHandler(PipelineName, (pipeline, context) =>
                FhirHttpResilience.Configure(
                    pipeline,
                    context.ServiceProvider.GetRequiredService<IOptions<SubscriptionFetchOptions>>().Value.ToLimits(),
                    context.ServiceProvider.GetRequiredService<TimeProvider>()))
            .SelectPipelineBy(_ => request => request.RequestUri?.GetLeftPart(UriPartial.Authority) ?? "");
        services.AddHttpClient(BackendServicesTokens.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30)).RemoveAllLoggers();
        services.AddSingleton<BackendServicesTokens>();
        services.AddScoped<EhrFhirClient>();
        services.AddScoped<NotificationProcessor>();
        services.AddScoped<SubscriptionManager>();
        services.AddSingleton(new BusConsumerRegistration(bus => bus.AddConsumer<SubscriptionNotificationConsumer, SubscriptionNotificationConsumerDefinition>()));
        return builder;
    }

    /// <summary>
    /// The notification channel (<c>POST /subscriptions/{name}/notifications</c>, authenticated by the channel
    /// header) and the admin routes <c>/admin/subscriptions</c> (list; create, check, delete one on the EHR).
    /// </summary>
    public static IEndpointRouteBuilder MapSubscriptions(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/subscriptions/{name}/notifications", NotificationEndpoint.ReceiveAsync)
            .WithTags("Subscriptions")
            .AllowAnonymous()
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);

        var admin = app.MapGroup("/admin/subscriptions").WithTags("Admin").RequireAuthorization(AdminAuthorization.Policy);
        admin.MapGet("", ListAsync);
        admin.MapPost("/{name}", (string name, SubscriptionManager manager, IOptions<SubscriptionsOptions> options, CancellationToken ct) =>
            RunAsync(name, options, s => manager.CreateAsync(s, ct)));
        admin.MapGet("/{name}", (string name, SubscriptionManager manager, IOptions<SubscriptionsOptions> options, CancellationToken ct) =>
            RunAsync(name, options, s => manager.CheckAsync(s, ct)));
        admin.MapDelete("/{name}", (string name, SubscriptionManager manager, IOptions<SubscriptionsOptions> options, CancellationToken ct) =>
            RunAsync(name, options, s => manager.DeleteAsync(s, ct)));
        return app;
    }

    private static async Task<Ok<List<SubscriptionReport>>> ListAsync(IOptions<SubscriptionsOptions> options, Storage.StoreContext store, CancellationToken cancellationToken)
    {
        var states = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(store.Subscriptions, cancellationToken);
        return TypedResults.Ok(options.Value.Items.Select(s => SubscriptionManager.Report(s, states.FirstOrDefault(x => x.Name == s.Name), null)).ToList());
    }

    private static async Task<Results<Ok<SubscriptionReport>, ContentHttpResult>> RunAsync(string name, IOptions<SubscriptionsOptions> options, Func<SubscriptionSettings, Task<SubscriptionReport>> action)
    {
        if (options.Value.Find(name) is not { } settings)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.NotFound, $"No subscription named '{name}' is configured (Subscriptions:N:Name).", StatusCodes.Status404NotFound);
        }

        try
        {
            return TypedResults.Ok(await action(settings));
        }
        catch (Exception failed) when (failed is EhrReadException or TokenException)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Transient, $"The EHR's FHIR server: {failed.Message}.", StatusCodes.Status502BadGateway);
        }
    }
}
