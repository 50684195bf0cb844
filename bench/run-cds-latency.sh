#!/usr/bin/env bash
# Measures CDS Hooks patient-view latency: starts the service (Release, loopback, JWT off so the number is the
# service's own work, temporary SQLite store), then drives it with bench/NetCds.LoadTest. Prints one line per run.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-5099}"
db=$(mktemp -d)/bench.db
dotnet build -c Release -nologo -v quiet src/NetCds.Service
dotnet build -c Release -nologo -v quiet bench/NetCds.LoadTest
CdsHooks__RequireJwt=false Demo__Enabled=false ConnectionStrings__Store="Data Source=$db" Logging__LogLevel__Default=Warning \
  dotnet src/NetCds.Service/bin/Release/net10.0/NetCds.Service.dll --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.5; done
seed=seeds/01-ileal-carcinoid-syndrome-unresectable.json
for concurrency in 1 4; do
  dotnet bench/NetCds.LoadTest/bin/Release/net10.0/NetCds.LoadTest.dll "http://127.0.0.1:$port" "$seed" "${REQUESTS:-2000}" "$concurrency"
done
