#!/usr/bin/env bash
# Backfill load (issue 19, deliverable 8; target >= 10,000 resources/s into PostgreSQL): starts the service (Release,
# loopback, PostgreSQL from deploy/local on a fresh database), writes a $export-like NDJSON set of RESOURCES
# Observations over PATIENTS patients, runs `netcds import` on it as an operator would, and prints resources/s with
# the CPU seconds of the service and of PostgreSQL (window recomputes included).
#   RESOURCES=200000 PATIENTS=200 BATCH=1000 (resources per part) WINDOW=100000 (resources per import window)
#   PARALLEL=2 (the CLI's parts in flight)
#   PG_OPTIONS="..." appended to the PostgreSQL connection string; SERVICE_LOG=file keeps the service's log;
#   KEEP_DB=1 keeps the run's database (dropped at the end otherwise).
#   WARMUP=N imports N Observations into other patients first, not measured (a fresh service's tiered JIT warm-up).
#   POSTGRES="Host=...;Database=postgres;..." another server than deploy/local's (e.g. a private cluster, so other
#   databases' work stays out of the CPU figures); POSTGRES_PID=N its postmaster: PostgreSQL's CPU is then that server's
#   alone (the postmaster, its live children, and the children it reaped: autovacuum workers), not every `postgres`.
# API authentication is on, as in the issue's measurements: bench/NetCds.PipelineLoad is the authorization server the
# service trusts (its JWKS on 127.0.0.1:AUTH_PORT, default PORT+1) and hands the CLI its access token in NETCDS_TOKEN.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-5093}"
auth_port="${AUTH_PORT:-$((port + 1))}"
dotnet build -c Release -nologo -v quiet src/NetCds.Service
dotnet build -c Release -nologo -v quiet src/NetCds.Cli
dotnet build -c Release -nologo -v quiet bench/NetCds.PipelineLoad
if [ -n "${POSTGRES:-}" ]; then NETCDS_TEST_POSTGRES="$POSTGRES"; else eval "$(deploy/local/postgres.sh up)"; fi
db="netcds_import_$(date +%s)"
PGPASSWORD="$(sed -E "s/.*Password=([^;]*).*/\1/" <<<"$NETCDS_TEST_POSTGRES")" psql -h 127.0.0.1 -p "$(sed -nE "s/.*Port=([0-9]+).*/\1/p" <<<"$NETCDS_TEST_POSTGRES")" -U netcds -d postgres -qc "CREATE DATABASE $db"
export Storage__Provider=PostgreSql ConnectionStrings__Store="${NETCDS_TEST_POSTGRES/Database=postgres/Database=$db}${PG_OPTIONS:+;$PG_OPTIONS}"
export Api__RequireAuth=true Api__Issuers__0__Issuer="http://127.0.0.1:$auth_port" Api__Issuers__0__JwksUrl="http://127.0.0.1:$auth_port/jwks.json"
input="$(mktemp -d)"
Service__PublicBaseUrl="http://127.0.0.1:$port" CdsHooks__RequireJwt=false Demo__Enabled=false Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production \
  dotnet src/NetCds.Service/bin/Release/net10.0/NetCds.Service.dll --urls "http://127.0.0.1:$port" >"${SERVICE_LOG:-/dev/null}" 2>&1 &
service=$!
# The database is dropped at the end (KEEP_DB=1 keeps it): a shared server that keeps every run's 250,000 rows
# grows by gigabytes, and autovacuum then works through old runs' tables during later measurements.
drop_db() { [ -n "${KEEP_DB:-}" ] || PGPASSWORD="$(sed -E "s/.*Password=([^;]*).*/\1/" <<<"$NETCDS_TEST_POSTGRES")" psql -h 127.0.0.1 -p "$(sed -nE "s/.*Port=([0-9]+).*/\1/p" <<<"$NETCDS_TEST_POSTGRES")" -U netcds -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; }
trap 'kill $service 2>/dev/null || true; wait $service 2>/dev/null || true; drop_db; rm -rf "$input"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet bench/NetCds.PipelineLoad/bin/Release/net10.0/NetCds.PipelineLoad.dll import "http://127.0.0.1:$port" \
  --cli src/NetCds.Cli/bin/Release/net10.0/netcds.dll --dir "$input" --patients "${PATIENTS:-200}" --resources "${RESOURCES:-200000}" \
  --batch "${BATCH:-1000}" --window "${WINDOW:-100000}" --parallel "${PARALLEL:-2}" --warmup "${WARMUP:-0}" --service-pid "$service" --auth-port "$auth_port" ${POSTGRES_PID:+--postgres-pid "$POSTGRES_PID"}
