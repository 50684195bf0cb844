namespace NetCds.Service.OpenApi;

/// <summary>The OpenAPI document of every route and each result type it declares, at <c>/openapi/v1.json</c>.</summary>
public static class OpenApiExtensions
{
    public static IHostApplicationBuilder AddApiDocument(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>Open to anyone: it describes routes, not data.</summary>
    public static IEndpointRouteBuilder MapApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        return app;
    }
}
