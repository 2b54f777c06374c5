# shellcheck shell=bash
# Helpers shared by the interop test scripts; source this file, do not run it.
#
# Every server and peer listens on 127.0.0.1 only. Every process started here is
# recorded by PID and stopped by the EXIT trap; nothing else is touched.
#
# Environment:
#   HALLPASS_TEST_SERVER   hallpass (default) or coturn: which TURN server to test.
#                          coturn runs `turnserver` with equivalent flags; it is how
#                          the harness itself is checked.
#   HALLPASS_IO_ENGINE     io_engine for the hallpass config (default: auto).
#   HALLPASS_KEEP_TMP      1: keep the temporary directory (configs, logs) after the run.
#   HALLPASS_READY_TIMEOUT seconds to wait for a server to be ready (default: 20).

set -euo pipefail

# shellcheck disable=SC2034  # used by the scripts that source this file
INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HP_SERVER_KIND="${HALLPASS_TEST_SERVER:-hallpass}"
HP_TMP="$(mktemp -d "${TMPDIR:-/tmp}/hallpass-interop.XXXXXX")"
HP_PIDS=()

# Test identities, the same for every server under test.
HP_REALM="hallpass.test"
HP_USER="ninefingers"
HP_PASSWORD="youhavetoberealistic"
HP_SECRET="interop-secret"
HP_RELAY_RANGE="127.0.0.1/32"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}

# stop_pid PID: TERM, then KILL after 5 s; reaps it. Only for PIDs started here.
stop_pid() {
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}

hp_cleanup() {
  local rc=$? pid
  for pid in "${HP_PIDS[@]}"; do
    stop_pid "$pid"
  done
  if [[ "${HALLPASS_KEEP_TMP:-0}" == 1 || $rc -ne 0 ]]; then
    log "logs and configs kept in $HP_TMP"
  else
    rm -rf "$HP_TMP"
  fi
}
trap hp_cleanup EXIT
trap 'exit 130' INT TERM

# track_pid PID: stop PID on exit.
track_pid() { HP_PIDS+=("$1"); }

# free_port udp|tcp: prints a port the kernel just handed out on 127.0.0.1.
free_port() {
  local proto="$1"
  case "$proto" in
    udp)
      node -e '
        const s = require("dgram").createSocket("udp4");
        s.bind(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
      ;;
    tcp)
      node -e '
        const s = require("net").createServer();
        s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
      ;;
    *) fail "free_port: unknown protocol '$proto'" ;;
  esac
}

# relay_port_range: prints "MIN MAX", a block of 1000 ports below the ephemeral range
# (which starts at 32768 on Linux), at a random offset.
relay_port_range() {
  local min=$((20000 + (RANDOM % 12) * 1000))
  echo "$min $((min + 999))"
}

# wait_for_log PID LOG PATTERN WHAT: polls LOG until it has a line matching PATTERN
# (grep -E). Fails, showing the log, if PID exits or the time runs out.
wait_for_log() {
  local pid="$1" logfile="$2" pattern="$3" what="$4"
  local timeout="${HALLPASS_READY_TIMEOUT:-20}" i
  for ((i = 0; i < timeout * 20; i++)); do
    if grep -qE "$pattern" "$logfile" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      local rc=0
      wait "$pid" || rc=$?
      echo "---- $logfile ----" >&2
      cat "$logfile" >&2 || true
      fail "$what exited (status $rc) before it was ready"
    fi
    sleep 0.05
  done
  echo "---- $logfile ----" >&2
  cat "$logfile" >&2 || true
  fail "$what was not ready after ${timeout}s (no line matching '$pattern')"
}

# start_hallpass CONFIG LOG: starts `$HALLPASS serve --config CONFIG`, waits for the
# "hallpass ready" line, and sets HP_SERVER_PID.
start_hallpass() {
  local config="$1" logfile="$2"
  [[ -n "${HALLPASS:-}" && -x "$HALLPASS" ]] || fail "HALLPASS is not an executable: '${HALLPASS:-}'"
  "$HALLPASS" serve --config "$config" >"$logfile" 2>&1 &
  HP_SERVER_PID=$!
  track_pid "$HP_SERVER_PID"
  wait_for_log "$HP_SERVER_PID" "$logfile" 'hallpass ready' "hallpass"
  log "hallpass ready (pid $HP_SERVER_PID, log $logfile)"
}

# write_hallpass_config FILE UDP_PORT PORT_MIN PORT_MAX: a config with both a static
# user and a shared secret, relaying on 127.0.0.1 only, loopback peers allowed.
write_hallpass_config() {
  local file="$1" port="$2" pmin="$3" pmax="$4"
  cat >"$file" <<EOF
realm: "$HP_REALM"
software: "hallpass interop test"
listen:
  udp: ["127.0.0.1:$port"]
relay:
  ranges: ["$HP_RELAY_RANGE"]
  ports:
    min: $pmin
    max: $pmax
auth:
  users:
    - name: "$HP_USER"
      password: "$HP_PASSWORD"
  secrets: ["$HP_SECRET"]
peers:
  allow: ["127.0.0.0/8"]
limits:
  allocations_per_user: 200
  allocations_total: 2000
io_engine: ${HALLPASS_IO_ENGINE:-auto}
log:
  level: info
EOF
}

# start_coturn AUTH UDP_PORT PORT_MIN PORT_MAX LOG: coturn with flags equivalent to
# the hallpass config above. coturn takes either static users or a shared secret,
# not both, so AUTH picks one: users|secret. Sets HP_SERVER_PID.
start_coturn() {
  local auth="$1" port="$2" pmin="$3" pmax="$4" logfile="$5"
  local args=(
    -n --no-cli --no-tls --no-dtls --no-tcp --no-tcp-relay
    --listening-ip=127.0.0.1 --listening-port="$port" --relay-ip=127.0.0.1
    --min-port="$pmin" --max-port="$pmax"
    --realm="$HP_REALM" --allow-loopback-peers
    --pidfile="$HP_TMP/turnserver.$port.pid" --log-file=stdout --simple-log
  )
  case "$auth" in
    users) args+=(--lt-cred-mech --user="$HP_USER:$HP_PASSWORD") ;;
    secret) args+=(--use-auth-secret --static-auth-secret="$HP_SECRET") ;;
    *) fail "start_coturn: unknown auth '$auth'" ;;
  esac
  turnserver "${args[@]}" >"$logfile" 2>&1 &
  HP_SERVER_PID=$!
  track_pid "$HP_SERVER_PID"
  wait_for_log "$HP_SERVER_PID" "$logfile" 'Total General servers' "turnserver"
  # The listener opens on its own thread; poll with a STUN Binding until it answers.
  local i
  for ((i = 0; i < 20; i++)); do
    timeout 1 turnutils_stunclient -p "$port" 127.0.0.1 >/dev/null 2>&1 && break
    kill -0 "$HP_SERVER_PID" 2>/dev/null || fail "turnserver exited; see $logfile"
  done
  ((i < 20)) || { cat "$logfile" >&2; fail "turnserver does not answer STUN on port $port"; }
  log "coturn ready ($auth auth; pid $HP_SERVER_PID, log $logfile)"
}

# ensure_server AUTH: a TURN server on 127.0.0.1:$HP_PORT that accepts AUTH
# (users|secret) is running. hallpass serves both with one process; coturn is
# restarted when the auth mode changes. Needs HP_PORT, HP_PORT_MIN, HP_PORT_MAX.
HP_SERVER_PID=""
HP_SERVER_AUTH=""
ensure_server() {
  local auth="$1"
  case "$HP_SERVER_KIND" in
    hallpass)
      if [[ -z "$HP_SERVER_PID" ]] || ! kill -0 "$HP_SERVER_PID" 2>/dev/null; then
        write_hallpass_config "$HP_TMP/hallpass.yaml" "$HP_PORT" "$HP_PORT_MIN" "$HP_PORT_MAX"
        start_hallpass "$HP_TMP/hallpass.yaml" "$HP_TMP/hallpass.log"
      fi
      HP_SERVER_LOG="$HP_TMP/hallpass.log"
      ;;
    coturn)
      if [[ -n "$HP_SERVER_PID" && "$HP_SERVER_AUTH" == "$auth" ]] && kill -0 "$HP_SERVER_PID" 2>/dev/null; then
        return 0
      fi
      if [[ -n "$HP_SERVER_PID" ]]; then
        stop_pid "$HP_SERVER_PID"
        # A fresh port: the old socket may still be around for a moment.
        HP_PORT="$(free_port udp)"
      fi
      HP_SERVER_LOG="$HP_TMP/coturn-$auth.log"
      start_coturn "$auth" "$HP_PORT" "$HP_PORT_MIN" "$HP_PORT_MAX" "$HP_SERVER_LOG"
      HP_SERVER_AUTH="$auth"
      ;;
    *) fail "HALLPASS_TEST_SERVER must be hallpass or coturn, not '$HP_SERVER_KIND'" ;;
  esac
}

# interop_setup HALLPASS_BINARY: common start of every interop script.
interop_setup() {
  HALLPASS="${1:-${HALLPASS:-}}"
  if [[ "$HP_SERVER_KIND" == coturn ]]; then
    command -v turnserver >/dev/null || fail "turnserver (Debian package coturn) is not installed"
  fi
  command -v node >/dev/null || fail "node is not installed (run scripts/install-deps.sh)"
  HP_PORT="$(free_port udp)"
  read -r HP_PORT_MIN HP_PORT_MAX < <(relay_port_range)
  log "server under test: $HP_SERVER_KIND; TURN port $HP_PORT; relay ports $HP_PORT_MIN-$HP_PORT_MAX"
}
