#!/usr/bin/env bash
# Interop: headless Chromium, given only a draining node in its ICE configuration, ends up
# relayed through the alternate node that the draining one names in 300 Try Alternate.
#
#   tests/interop/browser_drain.sh PATH/TO/hallpass [udp|tcp|tls]
#
# libwebrtc refuses a redirect to a loopback address (Chromium bug 649118), so the test
# builds its own network from two namespaces joined by a veth pair, with private addresses
# that exist only inside them: the servers' side holds 10.77.0.1 (node A) and 10.77.0.2
# (node B), the school's side 10.77.0.10, where Chromium and coturn's client run. Both
# namespaces are deleted on exit, also on failure. Node A has a lesson in progress
# (turnutils_uclient) so that it stays up while it drains, and its `alternates` name B. The
# test passes when Chromium's selected relay candidate is on B. Needs root (ip netns).
# shellcheck source=tests/interop/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TRANSPORT="${2:-udp}"
[[ "$TRANSPORT" =~ ^(udp|tcp|tls)$ ]] || fail "transport must be udp, tcp or tls, not '$TRANSPORT'"
[[ "$HP_SERVER_KIND" == hallpass ]] || fail "this test drives hallpass's drain; it has no coturn form"
[[ $(id -u) == 0 ]] || fail "needs root to make a network namespace (ip netns)"
HALLPASS="${1:-${HALLPASS:-}}"
[[ -d "$INTEROP_DIR/node_modules/playwright-core" ]] || fail "playwright-core is missing: run scripts/install-deps.sh"
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium_bin" ]] || fail "Chromium not found at $chromium_bin"

NS="hallpass-drain-srv-$$"      # the nodes
CLIENT_NS="hallpass-drain-cli-$$"  # the school
ns_cleanup() {
  local rc=$?
  hp_cleanup
  ip netns del "$NS" 2>/dev/null || true
  ip netns del "$CLIENT_NS" 2>/dev/null || true
  exit $rc
}
trap ns_cleanup EXIT
ip netns add "$NS"
ip netns add "$CLIENT_NS"
ip -n "$NS" link set lo up
ip -n "$CLIENT_NS" link set lo up
ip -n "$NS" link add hp-srv type veth peer name hp-cli netns "$CLIENT_NS"
ip -n "$NS" addr add 10.77.0.1/24 dev hp-srv
ip -n "$NS" addr add 10.77.0.2/24 dev hp-srv
ip -n "$CLIENT_NS" addr add 10.77.0.10/24 dev hp-cli
ip -n "$NS" link set hp-srv up
ip -n "$CLIENT_NS" link set hp-cli up
# `ip netns exec` execs the command itself, so $! after it is the command's PID.

# node_config FILE IP [EXTRA]: both nodes alike but for their address.
node_config() {
  cat >"$1" <<YAML
realm: "$HP_REALM"
admin: {listen: "127.0.0.1:0"}
listen: {udp: ["$2:3478"], tcp: ["$2:3478"], tls: ["$2:5349"]}
tls: {certificate: "$HP_TMP/tls/hallpass.crt", private_key: "$HP_TMP/tls/hallpass.key", self_signed: true}
relay: {ranges: ["$2/32"], ports: {min: 40000, max: 40999}}
auth:
  users: [{name: "$HP_USER", password: "$HP_PASSWORD"}]
  secrets: ["$HP_SECRET"]
peers: {allow: ["10.77.0.0/24"]}
io_engine: ${HALLPASS_IO_ENGINE:-auto}
${3:-}
YAML
}
start_node() {  # NAME CONFIG
  ip netns exec "$NS" "$HALLPASS" serve --config "$2" >"$HP_TMP/$1.log" 2>&1 &
  track_pid $!
  wait_for_log $! "$HP_TMP/$1.log" 'hallpass ready' "node $1"
  eval "${1}_pid=$!"
}

node_config "$HP_TMP/b.yaml" 10.77.0.2
start_node b "$HP_TMP/b.yaml"
node_config "$HP_TMP/a.yaml" 10.77.0.1 "alternates:
  udp: [\"10.77.0.2:3478\"]
  tcp: [\"10.77.0.2:3478\"]
  tls: [{address: \"10.77.0.2:5349\", domain: \"10.77.0.2\"}]"
start_node a "$HP_TMP/a.yaml"

# A lesson in progress on A, so that the drained node stays up (with nothing left it exits).
ip netns exec "$CLIENT_NS" turnutils_uclient -y -c -m 1 -n 1200 -z 100 -u "$HP_USER" -w "$HP_PASSWORD" -p 3478 10.77.0.1 \
  >"$HP_TMP/uclient.log" 2>&1 &
track_pid $!
wait_for_log "$a_pid" "$HP_TMP/a.log" 'allocation created' "node A's lesson in progress"
kill -USR1 "$a_pid"
wait_for_log "$a_pid" "$HP_TMP/a.log" 'draining: new allocations go to the alternates' "draining node A"

port=3478
[[ $TRANSPORT == tls ]] && port=5349
rc=0
HOME="$HP_TMP/home" XDG_CONFIG_HOME="$HP_TMP/home/.config" XDG_CACHE_HOME="$HP_TMP/home/.cache" \
  timeout 120 ip netns exec "$CLIENT_NS" node "$INTEROP_DIR/browser_relay.mjs" \
  --host 10.77.0.1 --port "$port" --transport "$TRANSPORT" \
  --secret "$HP_SECRET" --user interop --relay-range 10.77.0.2/32 \
  --timeout 30 --chromium "$chromium_bin" || rc=$?

if ((rc != 0)); then
  for node in a b; do
    echo "---- node $node: $HP_TMP/$node.log (last 30 lines) ----" >&2
    tail -n 30 "$HP_TMP/$node.log" >&2
  done
  fail "Chromium over $TRANSPORT did not follow the draining node to its alternate (status $rc)"
fi
grep -q "reason=draining" "$HP_TMP/a.log" || fail "node A logged no draining refusal"
[[ $(grep -c "allocation created user=$HP_USER " "$HP_TMP/a.log") == $(grep -c "allocation created" "$HP_TMP/a.log") ]] ||
  fail "node A made an allocation for the browser while draining"
grep -q "allocation created user=[0-9]*:interop" "$HP_TMP/b.log" || fail "node B made no allocation for the browser"
log "PASS: Chromium over $TRANSPORT followed the draining node to its alternate"
