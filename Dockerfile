# NetCds service image: multi-stage, `dotnet publish` in the SDK image, run on the chiselled ASP.NET Core runtime
# (no shell, no package manager) as its non-root user. Build from the repository root: docker build -t netcds .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props NetCds.sln ./
COPY src/ src/
COPY seeds/ seeds/
# ReadyToRun for the image's architecture (BuildKit's TARGETARCH, amd64 or arm64): the assemblies are compiled ahead of
# time, so a start JITs far less (about 40 % less CPU to ready, docs/performance.md "Start to ready"); a RID-specific
# publish also leaves out other platforms' native libraries.
ARG TARGETARCH
RUN dotnet publish src/NetCds.Service/NetCds.Service.csproj -c Release -a "${TARGETARCH:-amd64}" --self-contained false \
    -p:PublishReadyToRun=true -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./
# The chiselled image's non-root user (uid 1654); the root filesystem can be mounted read-only.
USER $APP_UID
# Workstation GC, and no dynamic PGO: with the code compiled ahead of time, PGO's instrumented tier only added memory
# (26 MB less under CDS Hooks load, 20-30 MB less under event load, at the same rate: docs/performance.md, tenth
# session; without ReadyToRun, as `dotnet run` runs it, PGO is worth its memory).
# No heap cap: DOTNET_GCHeapHardLimit=0xC000000 (192 MiB) took 40-90 MB off the peak RSS under event load, but four
# concurrent MDT views of 26,000-resource records then failed with OutOfMemoryException (the view parses the whole
# record). The caches' budgets are shares of whatever heap the GC may use, so a cap set here or by a container's memory
# limit shrinks them with it (docs/performance.md and docs/operations.md, twelfth session).
ENV ASPNETCORE_ENVIRONMENT=Production \
    Urls=http://0.0.0.0:8080 \
    DOTNET_gcServer=0 \
    DOTNET_TieredPGO=0
EXPOSE 8080
ENTRYPOINT ["dotnet", "NetCds.Service.dll"]
