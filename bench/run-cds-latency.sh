#!/usr/bin/env bash
# CDS Hooks patient-view under load (issues 10 and 20): starts the service (Release, loopback, temporary SQLite store)
# with JWT on (the harness is the CDS Client: it serves its JWKS on 127.0.0.1:$JWKS_PORT and signs, before each run, one
# JWT per call with a distinct jti: RS384 as issue 20 measured, ALG=ES384 for the other), then drives it with wrk
# (bench/cds-hooks.lua; installed from Debian if missing): sequential (1 connection), saturated (16 connections) and
# about 300 calls/s (32 connections, each waiting a random 100 ms on average before a call: PACE_MS); then paced at
# 300 calls/s, open loop, with bench/NetCds.LoadTest (a .NET process: it shares the cores and adds its own pauses).
# A warm-up of WARMUP_CALLS calls (default 6,000, 8 in flight) comes first, so every figure is of a warmed-up service.
# Each run prints the bare baseline measured in the same run (Firely parsing the same prefetch) and the CPU the service
# and the load generator used. JWT=off skips the tokens. BUILD=image runs the service as the container image does
# (bench/service-build.sh). PREFETCH=distinct makes every call's resources differ from every other call's (the service
# then parses each one: its parse-once-per-content cache never helps); by default every call sends the same resources, as
# an EHR does when a chart is opened again.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-5099}"
jwks_port="${JWKS_PORT:-5199}"
db=$(mktemp -d)/bench.db
. bench/service-build.sh
dotnet build -c Release -nologo -v quiet bench/NetCds.LoadTest
command -v wrk >/dev/null || { . deploy/local/common.sh; apt_install wrk; }
alg="${ALG:-RS384}"
seconds="${SECONDS_:-15}"
jwt_args=()
if [ "${JWT:-on}" = on ]; then
  export CdsHooks__Issuers__0__Issuer="http://127.0.0.1:$jwks_port" CdsHooks__Issuers__0__JwksUrl="http://127.0.0.1:$jwks_port/jwks.json"
  jwt_args=(--jwt "$jwks_port" --alg "$alg")
else
  export CdsHooks__RequireJwt=false
fi
"${service_launcher[@]}" env "${service_env[@]}" Service__PublicBaseUrl="http://127.0.0.1:$port" Demo__Enabled=false ConnectionStrings__Store="Data Source=$db" \
  Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production dotnet "$service_dll" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true; wait $service 2>/dev/null || true; service_cgroup_report; rm -rf "$(dirname "$db")" ${service_published:+"$service_published"}' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
echo "commit $(git rev-parse --short HEAD)${PREFETCH:+, PREFETCH=$PREFETCH}${BUILD:+, BUILD=$BUILD}${GC_SERVER:+, GC_SERVER=$GC_SERVER}${MEMORY_LIMIT:+, MEMORY_LIMIT=$MEMORY_LIMIT}, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
seed=seeds/01-ileal-carcinoid-syndrome-unresectable.json
variant_args=()
[ "${PREFETCH:-same}" = distinct ] && variant_args=(--distinct)
run() { dotnet bench/NetCds.LoadTest/bin/Release/net10.0/NetCds.LoadTest.dll "http://127.0.0.1:$port" "$seed" "$@" "${jwt_args[@]}" "${variant_args[@]}"; }
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick=$(getconf CLK_TCK)
# One wrk run: $1 threads, $2 connections, $3 (optional) each connection's mean delay before a call, in ms (paced).
# Tokens for up to 2,500 calls/s over the run, signed beforehand.
wrk_run() {
  local dir; dir=$(mktemp -d)
  mkfifo "$dir/hold"
  dotnet bench/NetCds.LoadTest/bin/Release/net10.0/NetCds.LoadTest.dll --emit-wrk "$dir" $((2500 * seconds)) "$seed" "http://127.0.0.1:$port" "${jwt_args[@]}" "${variant_args[@]}" <"$dir/hold" &
  local signer=$!
  exec 3>"$dir/hold"
  while [ ! -e "$dir/ready" ]; do sleep 0.2; done
  local before; before=$(cpu "$service")
  WRK_DIR="$dir" WRK_THREADS="$1" WRK_DISTINCT=$([ "${PREFETCH:-same}" = distinct ] && echo 1 || echo 0) WRK_RUN="$(date +%s%N)" env ${3:+WRK_DELAY_MS="$3"} /usr/bin/time -f "wrk used %U s user + %S s system CPU" wrk -t"$1" -c"$2" -d"${seconds}s" --latency -s bench/cds-hooks.lua "http://127.0.0.1:$port/cds-services/net-liver-mets-eligibility" 2>&1 | grep -E "^wrk|Non-2xx|Socket errors" | tr '\n' ' '
  echo "(connections $2${3:+, each waiting ${3} ms on average before a call}); service used $(( ($(cpu "$service") - before) * 1000 / tick )) ms CPU"
  exec 3>&-
  wait "$signer"
  rm -rf "$dir"
}
# Warm-up, not measured: the runtime's tiered JIT keeps recompiling hot methods for about the first 20 s of load
# (dotnet-counters: 2,700 methods compiled per 2 s at the start, under 100 after 25 s; 15-20 % of the service's CPU in
# libclrjit meanwhile), so the runs below would otherwise measure the JIT too. WARMUP_CALLS=0 skips it.
if [ "${WARMUP_CALLS:-6000}" -gt 0 ]; then
  echo "warm-up (not measured): $(run "${WARMUP_CALLS:-6000}" 8 | tail -1 | sed 's/;.*//')"
fi
run "${REQUESTS:-2000}" 1 | tail -1
wrk_run 1 1
wrk_run 2 16
# About 300 calls/s from an independent load: 32 connections, each waiting 100 ms on average (exponential) before a call.
wrk_run 2 32 "${PACE_MS:-100}"
run "${REQUESTS:-3000}" 1 --rate 300
echo "service peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$service/status)"
