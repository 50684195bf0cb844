#!/usr/bin/env bash
# Start to ready (issue 10): the wall time from launching the service's dll to its first 200 on /health/ready, on the
# embedded default (SQLite, in-memory bus, demo seeds on), each run on a fresh temporary SQLite store (so every run
# also creates the schema) at a loopback port. The bare baseline, measured in the same invocation and polled the same
# way: an empty ASP.NET Core app (WebApplication, one route answering 200) built in a temporary directory.
#
#   RUNS=10 bench/run-start-to-ready.sh                 # the Release build (JIT), Production, as `dotnet NetCds.Service.dll`
#   ENVIRONMENT=Development bench/run-start-to-ready.sh   # what `dotnet run` picks (launchSettings.json)
#   BUILD=readytorun DOTNET_gcServer=0 bench/run-start-to-ready.sh   # the Dockerfile's publish (ReadyToRun) and GC setting
#   SERVICE_DIR=/tmp/before bench/run-start-to-ready.sh  # a build already made elsewhere (e.g. before a change, for an A/B)
#
# Every other variable in the environment reaches both processes, so an A/B of a runtime setting is e.g.
# `DOTNET_TieredPGO=0 bench/run-start-to-ready.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-10}"
# Not 5098/5099: the pipeline and CDS latency benches use those, and may run at the same time.
port="${PORT:-5096}"
environment="${ENVIRONMENT:-Production}"
build="${BUILD:-jit}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -n "${SERVICE_DIR:-}" ]; then
  service_dir="$SERVICE_DIR"
  build="given"
elif [ "$build" = readytorun ]; then
  # As the Dockerfile publishes (its TARGETARCH being this machine's architecture).
  service_dir="$work/publish"
  dotnet publish src/NetCds.Service/NetCds.Service.csproj -c Release -a "$(dotnet --info | awk '/RID:/ {sub(/.*-/, "", $2); print $2; exit}')" \
    --self-contained false -p:PublishReadyToRun=true -o "$service_dir" --nologo -v quiet >/dev/null
else
  service_dir="src/NetCds.Service/bin/Release/net10.0"
  dotnet build -c Release -nologo -v quiet src/NetCds.Service >/dev/null
fi
service_dll=$(realpath "$service_dir/NetCds.Service.dll")

# The baseline: nothing but the host, Kestrel and one endpoint; no package, the same shared framework.
mkdir "$work/bare"
cat >"$work/bare/bare.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <InvariantGlobalization>true</InvariantGlobalization>
  </PropertyGroup>
</Project>
EOF
cat >"$work/bare/Program.cs" <<'EOF'
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/health/ready", () => "Healthy");
app.Run();
EOF
dotnet build -c Release -nologo -v quiet "$work/bare" -o "$work/bare/out" >/dev/null

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# CPU time (user + system) the process has used so far, in ms: less disturbed than wall time by other work on the machine.
cpu_ms() { awk -v tck="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%d", ($12 + $13) * 1000 / tck }' "/proc/$1/stat"; }

# Launches "$@" in the background, polls /health/ready every 20 ms (curl's own connect refused answers at once while
# nothing listens), prints the milliseconds from launch to the first 200 and the CPU ms the process had used by then,
# then stops the process.
start_to_ready() {
  local log="$1"; shift
  local started pid code elapsed cpu
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
    echo "something already answers on port $port: set PORT" >&2
    exit 1
  fi
  started=$(now_ms)
  "$@" --urls "http://127.0.0.1:$port" >"$log" 2>&1 &
  pid=$!
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/health/ready" || true)
    if [ "$code" = 200 ]; then
      elapsed=$(( $(now_ms) - started ))
      cpu=$(cpu_ms "$pid")
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the process exited before it was ready; its log:" >&2
      tail -20 "$log" >&2
      exit 1
    fi
    if [ $(( $(now_ms) - started )) -gt 120000 ]; then
      echo "not ready within 120 s; its log:" >&2
      tail -20 "$log" >&2
      kill "$pid"
      exit 1
    fi
    sleep 0.02
  done
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "$elapsed $cpu"
}

# min / median / max of column $1 of stdin, in seconds.
summary() {
  awk -v c="$1" '{ print $c }' | sort -n | awk '{ v[NR] = $1 } END {
    median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "min %.2f s, median %.2f s, max %.2f s", v[1] / 1000, median / 1000, v[NR] / 1000
  }'
}

median() { awk -v c="$1" '{ print $c }' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), .NET runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (src modified)'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "service: $build ($service_dir), environment $environment; runtime settings: $(env | grep -E '^DOTNET_' | grep -vE '^DOTNET_(CLI_|NOLOGO|GENERATE_ASPNET_CERTIFICATE)' | tr '\n' ' ' || true)"

service_times="$work/service.txt"
bare_times="$work/bare.txt"
# Interleaved, so a burst of load from elsewhere on the machine hits both series alike.
for i in $(seq 1 "$runs"); do
  store="$work/run-$i"
  mkdir "$store"
  (cd "$store" && ASPNETCORE_ENVIRONMENT="$environment" DOTNET_ENVIRONMENT="$environment" \
    ConnectionStrings__Store="Data Source=$store/netcds.db" \
    start_to_ready "$store/service.log" dotnet "$service_dll") >>"$service_times"
  (cd "$work" && ASPNETCORE_ENVIRONMENT="$environment" start_to_ready "$work/bare.log" dotnet "$work/bare/out/bare.dll") >>"$bare_times"
done

echo "$runs runs each"
echo "service start to ready: $(summary 1 <"$service_times"); CPU used by then: $(summary 2 <"$service_times")"
echo "bare ASP.NET Core app:  $(summary 1 <"$bare_times"); CPU used by then: $(summary 2 <"$bare_times")"
awk -v s="$(median 1 <"$service_times")" -v b="$(median 1 <"$bare_times")" -v sc="$(median 2 <"$service_times")" -v bc="$(median 2 <"$bare_times")" \
  'BEGIN { printf "median ratio service / bare: %.1f (wall), %.1f (CPU)\n", s / b, sc / bc }'
echo "service runs (wall ms, CPU ms): $(tr '\n' ',' <"$service_times" | sed 's/,$//; s/,/, /g')"
echo "bare runs (wall ms, CPU ms): $(tr '\n' ',' <"$bare_times" | sed 's/,$//; s/,/, /g')"
