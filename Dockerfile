# NetCds service image: multi-stage, `dotnet publish` in the SDK image, run on the chiselled ASP.NET Core runtime
# (no shell, no package manager) as its non-root user. Build from the repository root: docker build -t netcds .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props NetCds.sln ./
COPY src/ src/
COPY seeds/ seeds/
RUN dotnet publish src/NetCds.Service/NetCds.Service.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./
# The chiselled image's non-root user (uid 1654); the root filesystem can be mounted read-only.
USER $APP_UID
ENV ASPNETCORE_ENVIRONMENT=Production \
    Urls=http://0.0.0.0:8080 \
    DOTNET_gcServer=0
EXPOSE 8080
ENTRYPOINT ["dotnet", "NetCds.Service.dll"]
