#!/usr/bin/env bash
# Runs every NetCds test on a fresh Debian machine with the .NET 10 SDK:
# installs and starts the real dependencies (PostgreSQL, RabbitMQ from Debian packages, on 127.0.0.1),
# builds with warnings as errors, checks formatting, runs all test projects and prints one summary line.
set -euo pipefail
cd "$(dirname "$0")"

eval "$(deploy/local/postgres.sh up)"
eval "$(deploy/local/rabbitmq.sh up)"

dotnet build NetCds.sln -c Release -nologo -v quiet
dotnet format NetCds.sln --verify-no-changes --no-restore -v quiet

results=.test-results
rm -rf "$results"
status=0
dotnet test --solution NetCds.sln -c Release --no-build --results-directory "$results" --report-xunit-trx || status=$?

# One closing line CI can read, summed over every test project's TRX report.
read -r passed failed skipped < <(cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' \
  | sed -E 's/.* passed="([0-9]+)" failed="([0-9]+)".* notExecuted="([0-9]+)".*/\1 \2 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -eq 0 ] && { [ "$passed" -eq 0 ] || [ "$failed" -ne 0 ]; }; then status=1; fi
exit "$status"
