#!/usr/bin/env bash
# CDS Hooks patient-view under load (issue 10): starts the service (Release, loopback, temporary SQLite store) with
# JWT on (the harness is the CDS Client: it serves its JWKS on 127.0.0.1:$JWKS_PORT and signs a fresh ES384 JWT per
# call), then drives it with bench/NetCds.LoadTest: sequential, saturated (8 and 32 in flight), and paced at 300/s.
# Each line also gives the bare baseline measured in the same run (Firely parsing the same prefetch). JWT=off skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-5099}"
jwks_port="${JWKS_PORT:-5199}"
db=$(mktemp -d)/bench.db
dotnet build -c Release -nologo -v quiet src/NetCds.Service
dotnet build -c Release -nologo -v quiet bench/NetCds.LoadTest
jwt_args=()
if [ "${JWT:-on}" = on ]; then
  export CdsHooks__Issuers__0__Issuer="http://127.0.0.1:$jwks_port" CdsHooks__Issuers__0__JwksUrl="http://127.0.0.1:$jwks_port/jwks.json"
  jwt_args=(--jwt "$jwks_port")
else
  export CdsHooks__RequireJwt=false
fi
Service__PublicBaseUrl="http://127.0.0.1:$port" Demo__Enabled=false ConnectionStrings__Store="Data Source=$db" Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production \
  dotnet src/NetCds.Service/bin/Release/net10.0/NetCds.Service.dll --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
seed=seeds/01-ileal-carcinoid-syndrome-unresectable.json
run() { dotnet bench/NetCds.LoadTest/bin/Release/net10.0/NetCds.LoadTest.dll "http://127.0.0.1:$port" "$seed" "$@" "${jwt_args[@]}"; }
run "${REQUESTS:-2000}" 1
run "${REQUESTS:-4000}" 8
run "${REQUESTS:-4000}" 32
run "${REQUESTS:-3000}" 1 --rate 300
echo "service peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$service/status)"
