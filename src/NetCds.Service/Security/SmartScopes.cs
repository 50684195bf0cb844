using System.Security.Claims;

namespace NetCds.Service.Security;

/// <summary>What a call does to a resource type, in SMART terms.</summary>
public enum ApiAccess
{
    Read,
    Create,
    Update,
    Delete,
}

/// <summary>
/// SMART Backend Services scopes (<c>scope</c> claim, space-separated, or one claim per scope): v1
/// <c>system/Type.read</c>, <c>.write</c>, <c>.*</c>; v2 <c>system/Type.cruds</c> letters in that order. <c>Type</c>
/// may be <c>*</c>. A v2 scope with a query (<c>?category=...</c>) restricts to a subset this service cannot check,
/// so it grants nothing here.
/// </summary>
public static class SmartScopes
{
    public const string ClaimType = "scope";

    public static bool Permits(ClaimsPrincipal user, string resourceType, ApiAccess access)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindAll(ClaimType)
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(scope => Grants(scope, resourceType, access));
    }

    /// <summary>
    /// For an app launched by a clinician in the EHR (SMART App Launch): a <c>patient/</c> or <c>user/</c> scope allowing
    /// <paramref name="access"/> to <paramref name="resourceType"/>. Such a scope never opens the API: it is only read
    /// for the launch, whose patient comes from the authorization server's token response.
    /// </summary>
    public static bool PermitsLaunch(IEnumerable<string> scopes, string resourceType, ApiAccess access)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        return scopes.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(scope => Grants(scope, resourceType, access, "patient/") || Grants(scope, resourceType, access, "user/"));
    }

    public static bool Grants(string scope, string resourceType, ApiAccess access) => Grants(scope, resourceType, access, "system/");

    private static bool Grants(string scope, string resourceType, ApiAccess access, string context)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!scope.StartsWith(context, StringComparison.Ordinal) || scope.Contains('?', StringComparison.Ordinal))
        {
            return false;
        }

        var dot = scope.LastIndexOf('.');
        if (dot < 0)
        {
            return false;
        }

        var type = scope[context.Length..dot];
        if (type != "*" && type != resourceType)
        {
            return false;
        }

        var permission = scope[(dot + 1)..];
        return permission switch
        {
            "*" => true,
            "read" => access == ApiAccess.Read,
            "write" => access != ApiAccess.Read,
            _ => IsV2(permission) && permission.Contains(Letter(access), StringComparison.Ordinal),
        };
    }

    /// <summary>The SMART v2 letter of <paramref name="access"/> (<c>cruds</c>).</summary>
    public static char Letter(ApiAccess access) => access switch
    {
        ApiAccess.Read => 'r',
        ApiAccess.Create => 'c',
        ApiAccess.Update => 'u',
        _ => 'd',
    };

    /// <summary>v2 permissions: a non-empty subsequence of <c>cruds</c>, in that order.</summary>
    private static bool IsV2(string permission)
    {
        var next = 0;
        foreach (var letter in permission)
        {
            var at = "cruds".IndexOf(letter, next);
            if (at < 0)
            {
                return false;
            }

            next = at + 1;
        }

        return permission.Length > 0;
    }
}
