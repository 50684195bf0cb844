# Sourced by the bench scripts (from the repository root): builds the service the way BUILD says and sets
# service_dll (what to run) and service_env (environment the run adds).
# BUILD unset: the Release build output, as `dotnet run` gives it (JIT, server GC, the service's default).
# BUILD=image: as the container image runs it (Dockerfile): published ReadyToRun for this machine's architecture,
# workstation GC (GC_SERVER=1: the same publish on the server GC), no dynamic PGO (TIERED_PGO=1: with it); GC_HEAP_LIMIT=0x...
# caps the managed heap (hexadecimal bytes, e.g. 0xC000000 = 192 MiB; the image sets none); R2R=false publishes
# without ReadyToRun (measured: 28 MB less mapped code, 60 MB more anonymous memory). Published into a
# temporary directory.
service_dll=src/NetCds.Service/bin/Release/net10.0/NetCds.Service.dll
service_env=()
if [ "${BUILD:-}" = image ]; then
  service_published=$(mktemp -d)
  dotnet publish src/NetCds.Service/NetCds.Service.csproj -c Release --use-current-runtime --self-contained false \
    -p:PublishReadyToRun="${R2R:-true}" -o "$service_published" -nologo -v quiet
  service_dll="$service_published/NetCds.Service.dll"
  service_env=(DOTNET_gcServer="${GC_SERVER:-0}" DOTNET_TieredPGO="${TIERED_PGO:-0}")
  [ -z "${GC_HEAP_LIMIT:-}" ] || service_env+=(DOTNET_GCHeapHardLimit="$GC_HEAP_LIMIT")
elif [ -n "${BUILD:-}" ]; then
  echo "BUILD=$BUILD: unknown (leave it unset, or BUILD=image)" >&2
  exit 2
else
  dotnet build -c Release -nologo -v quiet src/NetCds.Service
fi
# SERVICE_ENV="DOTNET_X=1 DOTNET_Y=2" adds runtime settings to the service alone (exported ones reach the load
# generator too: a heap limit meant for the service made the generator run out of memory).
if [ -n "${SERVICE_ENV:-}" ]; then
  read -r -a service_extra_env <<<"$SERVICE_ENV"
  service_env+=("${service_extra_env[@]}")
fi
# MEMORY_LIMIT=512M runs the service in a memory cgroup (v1) of that limit, as a container's limit would hold it
# (deploy/kubernetes: 512Mi); the runtime sizes its GC to the limit. Needs root. service_launcher prefixes the start.
service_launcher=()
if [ -n "${MEMORY_LIMIT:-}" ]; then
  service_cgroup=/sys/fs/cgroup/memory/netcds-bench-$$
  mkdir -p "$service_cgroup"
  echo "$MEMORY_LIMIT" >"$service_cgroup/memory.limit_in_bytes"
  # shellcheck disable=SC2016 # $$ and $@ belong to the launcher's own shell
  service_launcher=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$service_cgroup")
fi

# At exit: what the cgroup saw (its peak and the OOM kills in it), then the cgroup goes.
service_cgroup_report() {
  [ -n "${service_cgroup:-}" ] && [ -d "$service_cgroup" ] || return 0
  echo "memory cgroup $MEMORY_LIMIT: peak $(($(cat "$service_cgroup/memory.max_usage_in_bytes") / 1048576)) MiB, OOM kills $(awk '/oom_kill /{print $2}' "$service_cgroup/memory.oom_control")"
  rmdir "$service_cgroup" 2>/dev/null || true
}
