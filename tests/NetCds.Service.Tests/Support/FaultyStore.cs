using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NetCds.Service.Storage;

namespace NetCds.Service.Tests.Support;

/// <summary>
/// Fault injection inside our own boundary: the store, as resolved for a request to one path, first runs
/// <c>fault</c> (throw, or hang until the request is cancelled). Every other use of the store is the real one.
/// </summary>
internal static class FaultyStore
{
    public static void Replace(IServiceCollection services, string path, Action<HttpContext> fault)
    {
        services.AddHttpContextAccessor();
        services.RemoveAll<StoreContext>();
        services.AddScoped<StoreContext>(sp =>
        {
            if (sp.GetRequiredService<IHttpContextAccessor>().HttpContext is { } http && http.Request.Path == path)
            {
                fault(http);
            }

            return sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider switch
            {
                StorageProvider.PostgreSql => sp.GetRequiredService<PostgreSqlStoreContext>(),
                _ => sp.GetRequiredService<SqliteStoreContext>(),
            };
        });
    }
}
