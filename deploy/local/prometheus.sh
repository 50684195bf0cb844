#!/usr/bin/env bash
# Prometheus from Debian's packages, bound to 127.0.0.1, for the tests and for people.
#   deploy/local/prometheus.sh up      install if needed, start; prints export lines
#   deploy/local/prometheus.sh down    stop it
#   deploy/local/prometheus.sh env     print export lines only (already up)
# Targets are files in $NETCDS_PROMETHEUS_TARGETS (file service discovery, picked up within seconds): a test or a
# person drops e.g. [{"targets":["127.0.0.1:5080"],"labels":{"instance_name":"dev"}}] there as <name>.json.
# The alert rules of deploy/prometheus/alerts.yml are loaded, so they are evaluated against what is scraped.
set -euo pipefail
. "$(dirname "$0")/common.sh"

PORT="${NETCDS_PROMETHEUS_PORT:-9090}"
HOME_DIR="$NETCDS_LOCAL_STATE/prometheus"
RULES="$(cd "$(dirname "$0")/../prometheus" && pwd)/alerts.yml"

env_lines() {
  echo "export NETCDS_TEST_PROMETHEUS='http://127.0.0.1:$PORT'"
  echo "export NETCDS_PROMETHEUS_TARGETS='$HOME_DIR/targets'"
}

ready() { curl -fsS "http://127.0.0.1:$PORT/-/ready" >/dev/null 2>&1; }

up() {
  # The package's own start (no init system here) would listen on every interface with the package's config.
  as_root mkdir -p /usr/sbin
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt_install prometheus curl
  as_root mkdir -p "$HOME_DIR/targets" "$HOME_DIR/data"
  as_root chmod 0777 "$HOME_DIR/targets"
  as_root chown -R prometheus: "$HOME_DIR/data"
  as_root cp "$RULES" "$HOME_DIR/alerts.yml"
  as_root tee "$HOME_DIR/prometheus.yml" >/dev/null <<CONF
global:
  scrape_interval: 2s
  evaluation_interval: 5s
rule_files:
  - $HOME_DIR/alerts.yml
scrape_configs:
  - job_name: netcds
    metrics_path: /metrics
    file_sd_configs:
      - files: ['$HOME_DIR/targets/*.json']
        refresh_interval: 5s
CONF
  if ready; then
    # Already running: reload the configuration and rules.
    curl -fsS -X POST "http://127.0.0.1:$PORT/-/reload" >/dev/null
  else
    log "starting Prometheus on 127.0.0.1:$PORT"
    without_inherited_fds as_root runuser -u prometheus -- setsid prometheus \
      --config.file="$HOME_DIR/prometheus.yml" \
      --storage.tsdb.path="$HOME_DIR/data" \
      --storage.tsdb.retention.time=1d \
      --web.listen-address="127.0.0.1:$PORT" \
      --web.enable-lifecycle \
      >"$HOME_DIR/prometheus.log" 2>&1 </dev/null &
    wait_for "Prometheus" 60 ready
  fi
  env_lines
}

down() {
  ready && curl -fsS -X POST "http://127.0.0.1:$PORT/-/quit" >/dev/null 2>&1 || true
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  env) env_lines ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
