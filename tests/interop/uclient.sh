#!/usr/bin/env bash
# Interop: coturn's turnutils_uclient, a TURN client nobody here wrote, relays UDP
# through the server under test to turnutils_peer (an echo server) and back.
# Every variant must lose zero packets and get back every packet it sent.
# The client reaches the server over UDP, TCP (-t) or TLS (-t -S); the relayed side
# is UDP in every case (REQUESTED-TRANSPORT UDP), so the peer is always UDP.
#
#   tests/interop/uclient.sh PATH/TO/hallpass
#   HALLPASS_TEST_SERVER=coturn tests/interop/uclient.sh      # check the harness
#
# Variants (each -m 20 clients, -n 50 packets per client):
#   users-channel   static user (-u/-w), ChannelData (uclient's default)
#   users-send      static user, Send/Data indications (-s)
#   secret-channel  shared secret (-W; uclient builds "<expiry>:interop" itself)
#   secret-send     shared secret, Send/Data indications
# Each may be prefixed with the client transport, tcp- or tls- (none: UDP), e.g.
# tcp-users-channel or tls-secret-send.
# Set UCLIENT_VARIANTS="users-channel tls-secret-send" to run a subset.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

interop_setup "${1:-}"
for tool in turnutils_uclient turnutils_peer; do
  command -v "$tool" >/dev/null || fail "$tool (Debian package coturn) is not installed"
done

CLIENTS=20
PACKETS=50
# uclient's default RTP/RTCP mode asks for EVEN-PORT with the R bit and redeems the
# RESERVATION-TOKEN for its RTCP allocation, so reservations are exercised too.
# UCLIENT_RTCP=0 passes -c (no RTCP allocations) for comparison.
RTCP_FLAGS=()
[[ "${UCLIENT_RTCP:-1}" == 0 ]] && RTCP_FLAGS=(-c)
EXPECTED=$((CLIENTS * PACKETS))

PEER_PORT="$(free_port udp)"
turnutils_peer -L 127.0.0.1 -p "$PEER_PORT" >"$HP_TMP/peer.log" 2>&1 &
PEER_PID=$!
track_pid "$PEER_PID"
log "turnutils_peer on 127.0.0.1:$PEER_PORT (pid $PEER_PID)"

# run_variant NAME TRANSPORT AUTH UCLIENT_FLAGS...  (TRANSPORT: udp|tcp|tls)
run_variant() {
  local name="$1" transport="$2" auth="$3"
  shift 3
  ensure_server "$auth"
  kill -0 "$PEER_PID" 2>/dev/null || fail "turnutils_peer has exited; see $HP_TMP/peer.log"

  # With -S, uclient speaks TLS to the port it is given (no certificate check
  # without -E), so -p points at the TLS listener.
  local port transport_flags=()
  case "$transport" in
    udp) port="$HP_PORT" ;;
    tcp) port="$HP_TCP_PORT" transport_flags=(-t) ;;
    tls) port="$HP_TLS_PORT" transport_flags=(-t -S) ;;
    *) fail "unknown transport '$transport'" ;;
  esac

  local out="$HP_TMP/uclient-$name.log" rc=0
  local cmd=(turnutils_uclient -m "$CLIENTS" -n "$PACKETS" "${RTCP_FLAGS[@]}" "${transport_flags[@]}"
    -e 127.0.0.1 -r "$PEER_PORT" -p "$port" "$@" 127.0.0.1)
  log "$name: ${cmd[*]}"
  timeout 120 "${cmd[@]}" >"$out" 2>&1 || rc=$?

  # The summary lines uclient prints at the end:
  #   start_mclient: tot_send_msgs=1000, tot_recv_msgs=1000
  #   Total lost packets 0 (0.000000%), total send dropped 0 (0.000000%)
  local totals lost sent recv dropped
  totals="$(grep -a 'start_mclient: tot_send_msgs=' "$out" | tail -n1 || true)"
  lost="$(grep -a 'Total lost packets' "$out" | tail -n1 || true)"
  sent="$(sed -nE 's/.*tot_send_msgs=([0-9]+).*/\1/p' <<<"$totals")"
  recv="$(sed -nE 's/.*tot_recv_msgs=([0-9]+).*/\1/p' <<<"$totals")"
  dropped="$(sed -nE 's/.*total send dropped ([0-9]+).*/\1/p' <<<"$lost")"
  lost="$(sed -nE 's/.*Total lost packets ([0-9]+).*/\1/p' <<<"$lost")"

  local problem=""
  if ((rc != 0)); then
    problem="turnutils_uclient exited with status $rc"
  elif [[ -z "$sent" || -z "$recv" || -z "$lost" || -z "$dropped" ]]; then
    problem="no summary in uclient's output"
  elif ((recv == 0)); then
    problem="no packets came back"
  elif ((lost != 0 || dropped != 0)); then
    problem="$lost packets lost, $dropped send-dropped"
  elif ((sent != EXPECTED || recv != EXPECTED)); then
    problem="sent $sent and received $recv packets, expected $EXPECTED each"
  fi
  if [[ -n "$problem" ]]; then
    echo "---- $out (last 40 lines) ----" >&2
    tail -n 40 "$out" >&2
    echo "---- $HP_SERVER_LOG (last 40 lines) ----" >&2
    tail -n 40 "$HP_SERVER_LOG" >&2
    fail "$name: $problem"
  fi
  log "$name: ok (sent $sent, received $recv, lost 0)"
}

variants="${UCLIENT_VARIANTS:-users-channel users-send secret-channel secret-send}"
for v in $variants; do
  case "$v" in
    tcp-* | tls-*) transport="${v%%-*}" base="${v#*-}" ;;
    *) transport=udp base="$v" ;;
  esac
  case "$base" in
    users-channel) run_variant "$v" "$transport" users -u "$HP_USER" -w "$HP_PASSWORD" ;;
    users-send) run_variant "$v" "$transport" users -u "$HP_USER" -w "$HP_PASSWORD" -s ;;
    secret-channel) run_variant "$v" "$transport" secret -W "$HP_SECRET" -u interop ;;
    secret-send) run_variant "$v" "$transport" secret -W "$HP_SECRET" -u interop -s ;;
    *) fail "unknown variant '$v'" ;;
  esac
done
log "PASS: turnutils_uclient ($variants) against $HP_SERVER_KIND"
