#!/usr/bin/env bash
# RabbitMQ from Debian's packages, bound to 127.0.0.1, for the tests and for people.
#   deploy/local/rabbitmq.sh up      install if needed, start, create the netcds user and vhost; prints export lines
#   deploy/local/rabbitmq.sh down    stop the broker
#   deploy/local/rabbitmq.sh env     print export lines only (broker already up)
# deploy/rabbitmq/definitions.json (vhost, dead-letter exchange and queue, policies) is imported on every `up`.
set -euo pipefail
. "$(dirname "$0")/common.sh"

PORT="${NETCDS_RABBITMQ_PORT:-5672}"

env_lines() {
  local password; password="$(local_secret rabbitmq)"
  echo "export ConnectionStrings__RabbitMq='amqp://netcds:$password@127.0.0.1:$PORT/netcds'"
  echo "export NETCDS_TEST_RABBITMQ='amqp://netcds:$password@127.0.0.1:$PORT/netcds'"
}

configure() {
  # Loopback only: AMQP, the Erlang port mapper and node distribution.
  as_root mkdir -p /etc/rabbitmq
  as_root tee /etc/rabbitmq/rabbitmq.conf >/dev/null <<CONF
listeners.tcp.default = 127.0.0.1:$PORT
loopback_users.guest = true
CONF
  as_root tee /etc/rabbitmq/rabbitmq-env.conf >/dev/null <<'CONF'
NODENAME=rabbit@localhost
NODE_IP_ADDRESS=127.0.0.1
ERL_EPMD_ADDRESS=127.0.0.1
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CONF
}

running() { as_root rabbitmqctl -n rabbit@localhost -q status >/dev/null 2>&1; }

up() {
  # The package's own start (no init system here) would bind every interface before we configure it.
  as_root mkdir -p /usr/sbin
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  configure
  apt_install rabbitmq-server
  export ERL_EPMD_ADDRESS=127.0.0.1
  if ! running; then
    log "starting RabbitMQ on 127.0.0.1:$PORT"
    without_inherited_fds as_root env ERL_EPMD_ADDRESS=127.0.0.1 rabbitmq-server -detached >&2
  fi
  wait_for "RabbitMQ" 90 as_root rabbitmqctl -n rabbit@localhost -q await_startup
  local password; password="$(local_secret rabbitmq)"
  local ctl="rabbitmqctl -n rabbit@localhost -q"
  as_root $ctl list_users 2>/dev/null | grep -q '^netcds' \
    && as_root $ctl change_password netcds "$password" >&2 \
    || as_root $ctl add_user netcds "$password" >&2
  as_root $ctl list_vhosts 2>/dev/null | grep -qx netcds || as_root $ctl add_vhost netcds >&2
  as_root $ctl set_permissions -p netcds netcds '.*' '.*' '.*' >&2
  # Topology the service does not declare itself: the dead-letter exchange and queue for poison messages, policies.
  as_root $ctl import_definitions "$(cd "$(dirname "$0")/../rabbitmq" && pwd)/definitions.json" >&2
  env_lines
}

down() {
  running && as_root rabbitmqctl -n rabbit@localhost -q stop >&2 || true
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  env) env_lines ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
