#!/usr/bin/env bash
# Runs a filter of the service tests N times in a row while stress-ng keeps both cores busy, and stops at the first
# failure: the way to show that a test does not depend on timing.
#
#   tests/repeat-under-load.sh 20 -class 'NetCds.Service.Tests.Mdt.SmartLaunchTests'
#   tests/repeat-under-load.sh 20 -method '*A_500_is_retried' -class '*DeadLetterReplayTests'
#
# The filter options are xunit v3's own runner's (-class, -method, -trait, -filter ...: the test exe's --help). PostgreSQL and
# RabbitMQ are started as ./test.sh starts them; the tests are built once (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: tests/repeat-under-load.sh N <xunit filter options>}"
shift

. deploy/local/common.sh
apt_install stress-ng
eval "$(deploy/local/postgres.sh up)"
eval "$(deploy/local/rabbitmq.sh up)"
dotnet build tests/NetCds.Service.Tests -c Release -nologo -v quiet

stress-ng --cpu "$(nproc)" --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null || true' EXIT

tests=tests/NetCds.Service.Tests/bin/Release/net10.0/NetCds.Service.Tests
started=$SECONDS
for i in $(seq 1 "$runs"); do
  if ! out=$("$tests" "$@" 2>&1); then
    printf '%s\n' "$out"
    echo "run $i of $runs FAILED (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
    exit 1
  fi
  total=$(printf "%s\n" "$out" | grep -Eo "Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+" | tail -1 || true)
  case "$total" in
    ""|"Total: 0,"*|*"Skipped: "[1-9]*) printf '%s\n' "$out" | tail -20; echo "run $i of $runs ran nothing or skipped tests: check the filter and NETCDS_TEST_*"; exit 1 ;;
  esac
  echo "run $i of $runs passed ($total; load average $(cut -d' ' -f1-3 /proc/loadavg))"
done
echo "all $runs runs passed under stress-ng in $((SECONDS - started)) s"
