# Shared helpers for the local dependency scripts. Sourced, not run.
# Credentials are generated on first use and kept outside the repository (never committed).
NETCDS_LOCAL_STATE="${NETCDS_LOCAL_STATE:-/var/lib/netcds-local}"

log() { printf '[deploy/local] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt-get install, refreshing the package lists once if the package is unknown.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    as_root apt-get update -q >&2
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
}

# A random secret, created once per machine and reused.
local_secret() {
  local name="$1" file="$NETCDS_LOCAL_STATE/$1.secret"
  if [ ! -s "$file" ]; then
    as_root mkdir -p "$NETCDS_LOCAL_STATE"
    as_root sh -c "umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > '$file'"
  fi
  as_root cat "$file"
}

wait_for() {
  local what="$1" tries="$2"; shift 2
  for _ in $(seq 1 "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  log "$what did not become ready"; return 1
}

# Runs a command with every inherited file descriptor above 2 closed. A daemon started from a script that runs under
# `flock /tmp/netcds-tests.lock ...` would otherwise keep the lock (its descriptor) for as long as the daemon lives.
without_inherited_fds() {
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd="${fd##*/}"
      if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    "$@"
  )
}
