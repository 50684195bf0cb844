# Sourced by the bench scripts (from the repository root): builds the service the way BUILD says and sets
# service_dll (what to run) and service_env (environment the run adds).
# BUILD unset: the Release build output, as `dotnet run` gives it (JIT, server GC, the service's default).
# BUILD=image: as the container image runs it (Dockerfile): published ReadyToRun for this machine's architecture,
# workstation GC. Published into a temporary directory.
service_dll=src/NetCds.Service/bin/Release/net10.0/NetCds.Service.dll
service_env=()
if [ "${BUILD:-}" = image ]; then
  service_published=$(mktemp -d)
  dotnet publish src/NetCds.Service/NetCds.Service.csproj -c Release --use-current-runtime --self-contained false \
    -p:PublishReadyToRun=true -o "$service_published" -nologo -v quiet
  service_dll="$service_published/NetCds.Service.dll"
  service_env=(DOTNET_gcServer=0)
elif [ -n "${BUILD:-}" ]; then
  echo "BUILD=$BUILD: unknown (leave it unset, or BUILD=image)" >&2
  exit 2
else
  dotnet build -c Release -nologo -v quiet src/NetCds.Service
fi
