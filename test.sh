#!/usr/bin/env bash
# Runs every NetCds test on a fresh Debian machine with the .NET 10 SDK:
# installs and starts the real dependencies (PostgreSQL, RabbitMQ, Prometheus from Debian packages, on 127.0.0.1;
# Chromium and chromedriver from Debian packages for the browser tests),
# builds with warnings as errors, checks formatting, runs all test projects and prints one summary line.
set -euo pipefail
cd "$(dirname "$0")"

eval "$(deploy/local/postgres.sh up)"
eval "$(deploy/local/rabbitmq.sh up)"
eval "$(deploy/local/prometheus.sh up)"
# docker-compose (Debian's package) checks deploy/compose/ in the tests: `config` needs no Docker engine.
. deploy/local/common.sh
apt_install docker-compose
eval "$(deploy/local/chromium.sh up)"

dotnet build NetCds.sln -c Release -nologo -v quiet
dotnet format NetCds.sln --verify-no-changes --no-restore -v quiet

log=$(mktemp)
status=0
# pipefail (set above) makes the pipeline fail when dotnet test does.
dotnet test --solution NetCds.sln -c Release --no-build 2>&1 | tee "$log" || status=$?

# One closing line CI can read, from the test platform's own run summary over every test project.
count() { grep -E "^\s+$1: [0-9]+" "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0; }
passed=$(count succeeded); failed=$(count failed); skipped=$(count skipped)
rm -f "$log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -eq 0 ] && { [ "$passed" -eq 0 ] || [ "$failed" -ne 0 ]; }; then status=1; fi
exit "$status"
