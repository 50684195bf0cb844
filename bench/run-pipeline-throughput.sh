#!/usr/bin/env bash
# Measures the event pipeline: sustained accepted events/s over HTTP and the recompute lag, with the scale-out
# set-up (RabbitMQ + PostgreSQL from deploy/local, a fresh database) or the embedded default (TRANSPORT=InMemory).
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-5098}"
transport="${TRANSPORT:-RabbitMq}"
dotnet build -c Release -nologo -v quiet src/NetCds.Service
dotnet build -c Release -nologo -v quiet bench/NetCds.PipelineLoad
if [ "$transport" = RabbitMq ]; then
  eval "$(deploy/local/postgres.sh up)"
  eval "$(deploy/local/rabbitmq.sh up)"
  db="netcds_bench_$(date +%s)"
  PGPASSWORD="$(sed -E "s/.*Password=([^;]*).*/\1/" <<<"$NETCDS_TEST_POSTGRES")" psql -h 127.0.0.1 -U netcds -d postgres -qc "CREATE DATABASE $db"
  export Storage__Provider=PostgreSql ConnectionStrings__Store="${NETCDS_TEST_POSTGRES/Database=postgres/Database=$db}"
  export Messaging__Transport=RabbitMq ConnectionStrings__RabbitMq="$NETCDS_TEST_RABBITMQ"
else
  export ConnectionStrings__Store="Data Source=$(mktemp -d)/bench.db"
fi
CdsHooks__RequireJwt=false Demo__Enabled=false Logging__LogLevel__Default=Warning \
  dotnet src/NetCds.Service/bin/Release/net10.0/NetCds.Service.dll --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.5; done
echo "transport $transport"
dotnet bench/NetCds.PipelineLoad/bin/Release/net10.0/NetCds.PipelineLoad.dll "http://127.0.0.1:$port" seeds/02-pancreatic-net-g2-progressive.json "${PATIENTS:-20}" "${EVENTS:-2000}" "${CONCURRENCY:-4}"
