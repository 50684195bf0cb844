using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NetCds.Service.Security;
using NetCds.Service.Storage;

namespace NetCds.Service.Ingestion;

/// <summary>
/// Whether the caller may write these resources. SMART v2 splits writing in two: <c>c</c> creates what is not stored
/// yet, <c>u</c> updates what is (v1 <c>write</c> allows both). A type the caller may both create and update needs no
/// lookup; for one it may only create, or only update, the store says which entries are which. The lookup is a
/// snapshot: a resource another request creates in between is judged as it was when this request was checked.
/// </summary>
internal static class WritePermission
{
    /// <summary>Null when every resource may be written; otherwise the 403 naming the type and the permission missing.</summary>
    public static async Task<ContentHttpResult?> ForbiddenAsync(HttpContext http, IEnumerable<Resource> resources, StoreContext store, CancellationToken cancellationToken)
    {
        foreach (var ofType in resources.GroupBy(r => r.TypeName, StringComparer.Ordinal))
        {
            var type = ofType.Key;
            var mayCreate = http.Forbidden([type], ApiAccess.Create) is null;
            var mayUpdate = http.Forbidden([type], ApiAccess.Update) is null;
            if (mayCreate && mayUpdate)
            {
                continue;
            }

            if (!mayCreate && !mayUpdate)
            {
                return http.Forbidden([type], ApiAccess.Create, ApiAccess.Update);
            }

            var ids = ofType.Select(r => r.Id).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var stored = await store.Resources.AsNoTracking()
                .Where(r => r.ResourceType == type && ids.Contains(r.ResourceId) && !r.Deleted)
                .Select(r => r.ResourceId)
                .ToListAsync(cancellationToken);
            if (!mayUpdate && stored.Count > 0)
            {
                return http.Forbidden([type], ApiAccess.Update);
            }

            if (!mayCreate && (stored.Count < ids.Count || ofType.Any(r => r.Id is null)))
            {
                return http.Forbidden([type], ApiAccess.Create);
            }
        }

        return null;
    }
}
