namespace NetCds.Service.Ops;

/// <summary>Where the host reads <c>appsettings.json</c> from.</summary>
public static class ContentRoot
{
    /// <summary>
    /// The service's own directory (<see cref="AppContext.BaseDirectory"/>, where the build and <c>dotnet publish</c>
    /// put <c>appsettings.json</c>), or null when a content root is given explicitly (<c>--contentRoot</c>,
    /// <c>DOTNET_CONTENTROOT</c>, <c>ASPNETCORE_CONTENTROOT</c>; WebApplicationFactory passes one as an argument), so
    /// the host's own setting applies. The host's default, the working directory, would start a service launched from
    /// elsewhere (<c>cd /tmp &amp;&amp; dotnet /opt/netcds/NetCds.Service.dll</c>) without its settings.
    /// </summary>
    public static string? Default(string[] args)
    {
        // The same sources, parsed the same way, as the host reads its contentRoot key from.
        var given = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[HostDefaults.ContentRootKey];
        return string.IsNullOrEmpty(given) ? AppContext.BaseDirectory : null;
    }
}
