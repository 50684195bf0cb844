using Microsoft.OpenApi;

namespace NetCds.Service.OpenApi;

/// <summary>One media type of a request body, its JSON Schema type and what it holds.</summary>
public sealed record BodyFormat(string MediaType, JsonSchemaType Type, string Description);

public static class RequestBodies
{
    /// <summary>
    /// Declares, for the OpenAPI document only, the request body of an endpoint that reads it from the
    /// <see cref="HttpContext"/> (the generator sees no body parameter there). Not <c>Accepts()</c>: its metadata also
    /// makes routing refuse any other media type with a bare 415, before the handler's own 415 OperationOutcome (and its
    /// accepted aliases, such as application/json).
    /// </summary>
    public static TBuilder DocumentsBody<TBuilder>(this TBuilder builder, string description, params BodyFormat[] formats)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(formats);
        return builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = description,
                Content = formats.ToDictionary(
                    f => f.MediaType,
                    f => new OpenApiMediaType { Schema = new OpenApiSchema { Type = f.Type, Description = f.Description } }),
            };
            return Task.CompletedTask;
        });
    }
}
