#!/usr/bin/env bash
# The school network check against real firewalls: hallpass in one network namespace, a
# "school" in another whose way out is cut by nftables rules, and an HTTP CONNECT proxy
# (Debian's squid) in a third. Headless Chromium runs the check page inside the school
# namespace, once per scenario, and so does `hallpass probe --json`; for both, the verdict
# of each path and the blocked list of the IT report must be what that firewall allows:
#
#   open          nothing blocked: every path works, video passes
#   udp_blocked   no UDP out: UDP 3478 and direct UDP blocked; TCP, TLS and video work
#   only_443      only TCP 443 out: everything but TLS blocked (direct UDP too); video
#                 over TLS passes
#   proxy         only the proxy out (CONNECT to 443 only): TLS through the proxy works,
#                 and squid's log shows the page's and the TURN connection's CONNECTs
#   relay_udp     UDP to the relay address blocked, 3478 open: only direct UDP fails
#   proxy_udp     web traffic only through the proxy, UDP open: everything but TCP 3478
#                 works, and the report says web traffic and UDP leave from different
#                 addresses (the proxy's and the school's)
#
# Each finished page is screenshotted; the picture must show the verdict table (coloured
# verdicts, not a blank page). The page must send no request to any host but hallpass.
#
#   tests/interop/check_network.sh PATH/TO/hallpass [SCENARIO...]
#
# Needs root (ip netns, nft), squid, node with tests/interop's npm packages, /usr/bin/chromium.
# Addresses are private and exist only inside the namespaces made here (10.77.0.0/16);
# everything is removed at exit, also when a check fails.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HALLPASS="${1:-${HALLPASS:-}}"
shift || true
SCENARIOS=("$@")
((${#SCENARIOS[@]} > 0)) || SCENARIOS=(open udp_blocked only_443 proxy relay_udp proxy_udp)
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [[ "$(id -u)" != 0 ]]; then
  # Namespaces and nftables need root; install-deps needs root or sudo too.
  sudo -n true 2>/dev/null || fail "network namespaces and nftables need root (or sudo without a password)"
  exec sudo -n --preserve-env=HALLPASS_KEEP_TMP,CHROMIUM "$0" "$HALLPASS" "${SCENARIOS[@]}"
fi
for tool in ip nft squid node openssl jq; do command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)"; done
[[ -x "$CHROMIUM" ]] || fail "chromium not found at $CHROMIUM"
[[ -d "$INTEROP_DIR/node_modules/playwright-core" ]] || fail "playwright-core is missing: run scripts/install-deps.sh"

# Names unique to this run; interface names stay under 16 characters.
tag="$$"
SRV="hpck-srv-$tag" SCH="hpck-sch-$tag" PXY="hpck-pxy-$tag"
# shellcheck source=tests/interop/netns.sh
NETNS_HOSTS="10.77.0.1 turn.test"
source "$INTEROP_DIR/netns.sh"

# link NS_A ADDR_A NS_B ADDR_B: a veth pair between two namespaces, /24 addresses.
link() {
  local a="$1" addr_a="$2" b="$3" addr_b="$4" name="hp$tag${#NAMESPACES[@]}$RANDOM"
  name="${name:0:12}"
  ip link add "${name}a" type veth peer name "${name}b"
  ip link set "${name}a" netns "$a"
  ip link set "${name}b" netns "$b"
  ip -n "$a" addr add "$addr_a/24" dev "${name}a"
  ip -n "$b" addr add "$addr_b/24" dev "${name}b"
  ip -n "$a" link set "${name}a" up
  ip -n "$b" link set "${name}b" up
}

log "namespaces: $SRV (hallpass), $SCH (school), $PXY (proxy)"
make_ns "$SRV"; make_ns "$SCH"; make_ns "$PXY"
link "$SRV" 10.77.1.1 "$SCH" 10.77.1.2
link "$SRV" 10.77.2.1 "$PXY" 10.77.2.2
link "$SCH" 10.77.3.2 "$PXY" 10.77.3.3
# hallpass listens on 10.77.0.1 and relays from 10.77.0.2, both on its loopback: the
# school reaches them directly, the proxy through its own link.
ip -n "$SRV" addr add 10.77.0.1/32 dev lo
ip -n "$SRV" addr add 10.77.0.2/32 dev lo
ip -n "$SCH" route add 10.77.0.0/24 via 10.77.1.1
ip -n "$PXY" route add 10.77.0.0/24 via 10.77.2.1

# A certificate for turn.test; Chromium is told to accept its key (page and turns: alike).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=turn.test" \
  -addext "subjectAltName=DNS:turn.test" -keyout "$HP_TMP/key.pem" -out "$HP_TMP/cert.pem" 2>/dev/null
spki="$(openssl x509 -in "$HP_TMP/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | base64)"

cat >"$HP_TMP/hallpass.yaml" <<YAML
realm: "$HP_REALM"
server_name: turn.test
admin: {listen: "127.0.0.1:0"}
listen:
  udp: ["10.77.0.1:3478"]
  tcp: ["10.77.0.1:3478"]
  tls: ["10.77.0.1:443"]
tls: {certificate: "$HP_TMP/cert.pem", private_key: "$HP_TMP/key.pem"}
relay:
  ranges: ["10.77.0.2/32"]
  ports: {min: 40000, max: 40999}
auth: {secrets: ["$HP_SECRET"]}
# The school's addresses are private; allow them as peers as an operator allows a campus.
peers: {allow: ["10.77.0.0/16"]}
check: {enabled: true, credentials_per_minute: 30}
workers: 2
log: {level: info}
YAML
ip netns exec "$SRV" "$HALLPASS" serve --config "$HP_TMP/hallpass.yaml" >"$HP_TMP/hallpass.log" 2>&1 &
track_pid $!
wait_for_log $! "$HP_TMP/hallpass.log" 'hallpass ready' hallpass

# squid drops to its own user (proxy): its files live where that user may write.
SQUID_DIR="$HP_TMP/squid"
mkdir -p "$SQUID_DIR"
chmod 711 "$HP_TMP"
chown proxy: "$SQUID_DIR" 2>/dev/null || chmod 777 "$SQUID_DIR"
cat >"$HP_TMP/squid.conf" <<SQUID
http_port 10.77.3.3:3128
acl SSL_ports port 443
acl CONNECT method CONNECT
http_access deny !CONNECT
http_access deny CONNECT !SSL_ports
http_access allow all
pid_filename $SQUID_DIR/squid.pid
cache_log stdio:$SQUID_DIR/cache.log
access_log stdio:$SQUID_DIR/access.log
cache deny all
coredump_dir $SQUID_DIR
shutdown_lifetime 1 seconds
SQUID
ip netns exec "$PXY" squid -N -f "$HP_TMP/squid.conf" >"$HP_TMP/squid.log" 2>&1 &
track_pid $!
for ((i = 0; i < 100; i++)); do
  ip netns exec "$PXY" bash -c '</dev/tcp/10.77.3.3/3128' 2>/dev/null && break
  sleep 0.1
done
((i < 100)) || { cat "$HP_TMP/squid.log" "$SQUID_DIR/cache.log" >&2 || true; fail "squid did not start"; }

# firewall SCENARIO: the school's rules on its way out.
firewall() {
  ip netns exec "$SCH" nft flush ruleset
  local rules=""
  case "$1" in
    open) return 0 ;;
    udp_blocked) rules="meta l4proto udp ip daddr 10.77.0.0/24 drop" ;;
    only_443) rules="oifname lo accept; ct state established,related accept; tcp dport 443 accept; drop" ;;
    proxy) rules="oifname lo accept; ct state established,related accept; ip daddr 10.77.3.3 tcp dport 3128 accept; drop" ;;
    relay_udp) rules="meta l4proto udp ip daddr 10.77.0.2 drop" ;;
    proxy_udp) rules="oifname lo accept; ct state established,related accept; ip daddr 10.77.3.3 tcp dport 3128 accept; meta l4proto udp accept; drop" ;;
  esac
  ip netns exec "$SCH" nft -f - <<NFT
table inet school {
  chain out {
    type filter hook output priority 0; policy accept;
    $rules
  }
}
NFT
}

# What each scenario must show: the verdict of each row, and the blocked list.
expected_rows() {
  case "$1" in
    open) echo 'TURN over UDP 3478=works TURN over TCP 3478=works TURN over TLS 443=works Video test over UDP 3478=works Video test over TLS 443=works UDP straight to the relay addresses=works' ;;
    udp_blocked) echo 'TURN over UDP 3478=blocked TURN over TCP 3478=works TURN over TLS 443=works Video test over TCP 3478=works Video test over TLS 443=works UDP straight to the relay addresses=blocked' ;;
    only_443 | proxy) echo 'TURN over UDP 3478=blocked TURN over TCP 3478=blocked TURN over TLS 443=works Video test over TLS 443=works UDP straight to the relay addresses=blocked' ;;
    relay_udp) echo 'TURN over UDP 3478=works TURN over TCP 3478=works TURN over TLS 443=works Video test over UDP 3478=works Video test over TLS 443=works UDP straight to the relay addresses=blocked' ;;
    proxy_udp) echo 'TURN over UDP 3478=works TURN over TCP 3478=blocked TURN over TLS 443=works Video test over UDP 3478=works Video test over TLS 443=works UDP straight to the relay addresses=works' ;;
  esac
}
expected_blocked() {
  case "$1" in
    open) echo '' ;;
    udp_blocked) echo 'UDP to turn.test (10.77.0.1) port 3478|UDP to 10.77.0.2/32 ports 40000-40999' ;;
    only_443 | proxy) echo 'UDP to turn.test (10.77.0.1) port 3478|UDP to 10.77.0.2/32 ports 40000-40999|TCP to turn.test (10.77.0.1) port 3478' ;;
    relay_udp) echo 'UDP to 10.77.0.2/32 ports 40000-40999' ;;
    proxy_udp) echo 'TCP to turn.test (10.77.0.1) port 3478' ;;
  esac
}

# check_probe SCENARIO ROWS BLOCKED: `hallpass probe` from the school says the same.
check_probe() {
  local s="$1" want="$2" want_blocked="$3" out="$HP_TMP/$1-probe.json" rc=0 proxy_args=()
  [[ "$s" == proxy* ]] && proxy_args=(--proxy http://10.77.3.3:3128)
  ip netns exec "$SCH" timeout 90 ${PROBE_WRAPPER:-} "$HALLPASS" probe turn.test --ca "$HP_TMP/cert.pem" --json "${proxy_args[@]}" \
    >"$out" 2>"$HP_TMP/$s-probe.err" || rc=$?
  ((rc == 0)) || { cat "$HP_TMP/$s-probe.err" "$out" >&2; fail "scenario $s: hallpass probe exited $rc, not 0 (students can join)"; }
  local rows blocked
  rows="$(jq -r '[.report.paths[] | "\(.name)=\(.verdict)"] | join(" ")' "$out")"
  [[ "$rows" == "$want" ]] || fail "scenario $s: hallpass probe says
  $rows
but this firewall should give
  $want"
  blocked="$(jq -r '.report.it.blocked | join("|")' "$out")"
  [[ "$blocked" == "$want_blocked" ]] || fail "scenario $s: hallpass probe lists as blocked '$blocked', expected '$want_blocked'"
  if [[ "$s" == proxy* ]]; then
    [[ "$(jq -r .report.proxy "$out")" == true ]] || fail "scenario $s: hallpass probe does not say it went through the proxy"
    jq -r .report.it.text "$out" | grep -q 'through a web proxy' || fail "scenario $s: the probe's IT report does not mention the proxy"
  fi
  [[ "$(jq -r .report.web_address_differs "$out")" == "$([[ "$s" == proxy_udp ]] && echo true || echo false)" ]] ||
    fail "scenario $s: hallpass probe is wrong about web traffic and UDP leaving from different addresses"
  log "scenario $s: hallpass probe agrees"
}

run_scenario() {
  local s="$1" out="$HP_TMP/$1.json" proxy_args=()
  firewall "$s"
  [[ "$s" == proxy* ]] && proxy_args=(--proxy http://10.77.3.3:3128)
  log "scenario $s: Chromium runs the check page in the school namespace, hallpass probe beside it"
  mkdir -p "$HP_TMP/home-$s"
  # Both wait out the same timeouts on blocked paths, so they run side by side.
  local want want_blocked probe_pid probe_rc=0
  want="$(expected_rows "$s")"
  want_blocked="$(expected_blocked "$s")"
  (check_probe "$s" "$want" "$want_blocked") &
  probe_pid=$!
  track_pid "$probe_pid"
  if ! HOME="$HP_TMP/home-$s" ip netns exec "$SCH" timeout 150 node "$INTEROP_DIR/check_page.mjs" \
      --url https://turn.test/ --executable "$CHROMIUM" --ca-spki "$spki" "${proxy_args[@]}" \
      --screenshot "$HP_TMP/$s.png" >"$out" 2>"$HP_TMP/$s-node.log"; then
    tail -n 30 "$HP_TMP/$s-node.log" >&2
    fail "scenario $s: the page did not finish"
  fi
  wait "$probe_pid" || probe_rc=$?
  ((probe_rc == 0)) || fail "scenario $s: hallpass probe disagrees (above)"
  local rows blocked
  rows="$(jq -r '[.rows[] | "\(.name)=\(.verdict)"] | join(" ")' "$out")"
  [[ "$rows" == "$want" ]] || fail "scenario $s: the page shows
  $rows
but this firewall should give
  $want"
  # The JSON the page offers for download says the same as its table.
  [[ "$(jq -r '[.report.paths[] | "\(.name)=\(.verdict)"] | join(" ")' "$out")" == "$want" ]] ||
    fail "scenario $s: the report JSON disagrees with the table"
  blocked="$(jq -r '.report.it.blocked | join("|")' "$out")"
  [[ "$blocked" == "$want_blocked" ]] || fail "scenario $s: the IT report lists as blocked '$blocked', expected '$want_blocked'"
  [[ "$(jq -r .report.can_join "$out")" == true ]] || fail "scenario $s: the page says students cannot join"
  [[ "$(jq -r '.hosts | join(" ")' "$out")" == turn.test ]] ||
    fail "scenario $s: the page sent requests to $(jq -c .hosts "$out"), not only to turn.test"
  local inked
  inked="$(jq -r .screenshot.coloured "$out")"
  [[ "$inked" -ge 4 ]] || fail "scenario $s: the screenshot shows $inked coloured verdicts, not the table"
  if [[ "$s" == only_443 || "$s" == proxy ]]; then
    jq -r .report.advice "$out" | grep -q 'Only the web port (TLS) gets out' ||
      fail "scenario $s: the page's advice does not say that only the web port gets out"
  fi
  local differs=false
  [[ "$s" == proxy_udp ]] && differs=true
  [[ "$(jq -r .report.web_address_differs "$out")" == "$differs" ]] ||
    fail "scenario $s: the page's report should say web_address_differs=$differs"
  if [[ "$s" == proxy* ]]; then
    grep -q 'CONNECT turn.test:443\|CONNECT 10.77.0.1:443' "$SQUID_DIR/access.log" ||
      fail "scenario $s: squid's log shows no CONNECT to hallpass"
  fi
  log "scenario $s: $(jq -r .report.summary "$out") [$rows]"
}

for s in "${SCENARIOS[@]}"; do
  [[ -n "$(expected_rows "$s")" || "$s" == open ]] || fail "unknown scenario '$s'"
  run_scenario "$s"
done
log "every scenario gave the verdicts its firewall allows"
