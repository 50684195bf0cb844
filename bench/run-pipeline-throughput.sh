#!/usr/bin/env bash
# Event pipeline load (issue 10): starts the service (Release, loopback, a fresh store) and drives it with
# bench/NetCds.PipelineLoad for SECONDS of sustained load, printing events/s, lag p50/p99 (acceptance -> stored
# report), CPU per event by process, peak RSS, and the bare baselines measured in the same invocation.
#   TRANSPORT=RabbitMq (default: RabbitMQ + PostgreSQL from deploy/local) or InMemory (embedded: SQLite, in-memory bus)
#   HISTORY=N older Observations per patient loaded before the warm-up (records of that size; issue 19 uses
#   PATIENTS=20 HISTORY=10000)
#   MODE=http|bundle|raw (raw: JSON on the netcds-fhir-raw exchange; RabbitMq only)  SECONDS_=60 PATIENTS=200 CONCURRENCY=16
#   WARMUP=60 seconds of load before measuring: on two saturated cores the runtime's tiered JIT (with dynamic PGO) is
#   still recompiling hot methods 40 s in, which doubled the service's CPU per event in 10-15 s warm-ups.
#   WATCH=10 patients whose reports are polled for the lag (0: every patient); the drain "last accepted event -> every
#   watched report" is issue 19's lag target, the acceptance -> report percentiles are each event's own lag
#   DB_DIR=/tmp where the embedded store's file goes (InMemory)  KEEP_DB=1 keeps the run's database or file
#   PG_OPTIONS="SSL Mode=Disable;..." appended to the PostgreSQL connection string (for A/B runs of client settings)
# API authentication is on (as in the issues' measurements): the harness is the authorization server the service
# trusts (its JWKS on 127.0.0.1:AUTH_PORT, default PORT+1) and sends a bearer access token with every request.
# AUTH=0 turns it off (Api__RequireAuth=false, loopback only) to see what the bearer check costs. BUILD=image runs the
# service as the container image does (bench/service-build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-5098}"
transport="${TRANSPORT:-RabbitMq}"
. bench/service-build.sh
dotnet build -c Release -nologo -v quiet bench/NetCds.PipelineLoad
rabbit_args=()
auth_args=()
auth_port="${AUTH_PORT:-$((port + 1))}"
if [ "${AUTH:-1}" = 1 ]; then
  export Api__RequireAuth=true Api__Issuers__0__Issuer="http://127.0.0.1:$auth_port" Api__Issuers__0__JwksUrl="http://127.0.0.1:$auth_port/jwks.json"
  auth_args=(--auth-port "$auth_port")
else
  export Api__RequireAuth=false
fi
if [ "$transport" = RabbitMq ]; then
  eval "$(deploy/local/postgres.sh up)"
  eval "$(deploy/local/rabbitmq.sh up)"
  db="netcds_bench_$(date +%s)"
  PGPASSWORD="$(sed -E "s/.*Password=([^;]*).*/\1/" <<<"$NETCDS_TEST_POSTGRES")" psql -h 127.0.0.1 -U netcds -d postgres -qc "CREATE DATABASE $db"
  export Storage__Provider=PostgreSql ConnectionStrings__Store="${NETCDS_TEST_POSTGRES/Database=postgres/Database=$db}${PG_OPTIONS:+;$PG_OPTIONS}"
  # A vhost of its own, deleted at exit: a run that the service cannot drain (raw mode) must never leave a backlog
  # in the vhost the tests use.
  . deploy/local/common.sh
  vhost="netcds-bench-$(date +%s)"
  as_root rabbitmqctl add_vhost "$vhost" >/dev/null
  as_root rabbitmqctl set_permissions -p "$vhost" netcds '.*' '.*' '.*' >/dev/null
  bench_rabbit="${NETCDS_TEST_RABBITMQ%/*}/$vhost"
  export Messaging__Transport=RabbitMq ConnectionStrings__RabbitMq="$bench_rabbit"
  rabbit_args=(--rabbit "$bench_rabbit")
else
  sqlite_dir=$(mktemp -d -p "${DB_DIR:-/tmp}")
  export ConnectionStrings__Store="Data Source=$sqlite_dir/bench.db"
fi
"${service_launcher[@]}" env "${service_env[@]}" Service__PublicBaseUrl="http://127.0.0.1:$port" CdsHooks__RequireJwt=false Demo__Enabled=false Logging__LogLevel__Default=Warning \
  DOTNET_ENVIRONMENT=Production dotnet "$service_dll" --urls "http://127.0.0.1:$port" >"${SERVICE_LOG:-/dev/null}" 2>&1 &
service=$!
# The run's database is dropped at the end (KEEP_DB=1 keeps it), as bench/run-import.sh does: a leftover database of
# 700,000 rows being vacuumed by autovacuum took CPU from the next run. The embedded store's directory goes too.
cleanup() {
  kill $service 2>/dev/null || true
  wait $service 2>/dev/null || true
  service_cgroup_report
  [ -z "${service_published:-}" ] || rm -rf "$service_published"
  [ -n "${vhost:-}" ] && { as_root rabbitmqctl delete_vhost "$vhost" >/dev/null 2>&1 || true; }
  if [ -n "${KEEP_DB:-}" ]; then return; fi
  if [ -n "${db:-}" ]; then
    PGPASSWORD="$(sed -E "s/.*Password=([^;]*).*/\1/" <<<"$NETCDS_TEST_POSTGRES")" psql -h 127.0.0.1 -U netcds -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  fi
  [ -n "${sqlite_dir:-}" ] && rm -rf "$sqlite_dir"
  return 0
}
trap cleanup EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
echo "transport $transport, commit $(git rev-parse --short HEAD)${BUILD:+, BUILD=$BUILD}${GC_SERVER:+, GC_SERVER=$GC_SERVER}${MEMORY_LIMIT:+, MEMORY_LIMIT=$MEMORY_LIMIT}, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet bench/NetCds.PipelineLoad/bin/Release/net10.0/NetCds.PipelineLoad.dll "http://127.0.0.1:$port" seeds/02-pancreatic-net-g2-progressive.json \
  --mode "${MODE:-http}" --seconds "${SECONDS_:-60}" --warmup "${WARMUP:-60}" --patients "${PATIENTS:-200}" --concurrency "${CONCURRENCY:-16}" --bundle "${BUNDLE:-20}" --history "${HISTORY:-0}" --watch "${WATCH:-10}" \
  --service-pid "$service" "${rabbit_args[@]}" "${auth_args[@]}"
