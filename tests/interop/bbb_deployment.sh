#!/usr/bin/env bash
# hallpass beside a BigBlueButton-style media server, built on one machine as the README's
# guide builds it, and used by a browser in a school network:
#
#   server namespace  HAProxy on 443 as bbb-install sets it up (TLS ended there; ALPN h2
#                     and http/1.1, or a first byte that is a letter, to the web server;
#                     ALPN stun.turn or any other first byte to hallpass's TCP listener,
#                     with PROXY protocol v2 so hallpass sees the student's address);
#                     hallpass on UDP 3478, relaying from its own address; Janus (Debian's
#                     janus) with its echo test as the media server, on an address of its
#                     own, the only peer hallpass relays to (peers.allow).
#                     The web server is a second HAProxy frontend (nginx in BigBlueButton,
#                     not among this project's test components): it serves the lesson page
#                     and passes /janus to Janus's HTTP API.
#   school namespace  Chromium (playwright-core) with a fake camera and microphone sends
#                     media to Janus and gets it back, with ICE servers made from the
#                     turn-stun-servers.xml that `hallpass credentials --format bbb` wrote,
#                     the way bbb-web makes them:
#                       only_443  only TCP 443 leaves the school: turns: through HAProxy
#                       udp_3478  UDP 3478 leaves too: the file's turn: over UDP
#                       own_443   only TCP 443 leaves, and TURN is hallpass itself on 443
#                                 of a host of its own (turn.test: bbb-install -c's route)
#                     Each must select a hallpass relay candidate (over TLS, over UDP), and
#                     the inbound-rtp packet counts must grow.
# While the call is up, check-config must stay quiet about hallpass's relay addresses and
# must name janus when a config puts the relay range on the media server's address.
#
#   tests/interop/bbb_deployment.sh PATH/TO/hallpass [SCENARIO...]
#
# Needs root (ip netns, nft), haproxy, janus, node with tests/interop's npm packages and
# /usr/bin/chromium. Addresses are private and exist only inside the namespaces made here
# (10.78.0.0/16); everything is removed at exit, also when a check fails.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HALLPASS="${1:-${HALLPASS:-}}"
shift || true
SCENARIOS=("$@")
((${#SCENARIOS[@]} > 0)) || SCENARIOS=(only_443 udp_3478 own_443)
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

[[ -x "$HALLPASS" ]] || fail "usage: $0 PATH/TO/hallpass [SCENARIO...]"
[[ "$(id -u)" -eq 0 ]] || fail "network namespaces and nftables need root"
for tool in ip nft haproxy janus node openssl curl jq; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)"
done
[[ -x "$CHROMIUM" ]] || fail "chromium not found at $CHROMIUM"
[[ -d "$INTEROP_DIR/node_modules/playwright-core" ]] || fail "playwright-core is missing: run scripts/install-deps.sh"

tag="$$"
SRV="hpbb-srv-$tag" SCH="hpbb-sch-$tag"
# shellcheck source=tests/interop/netns.sh
NETNS_HOSTS=$'10.78.0.1 bbb.test\n10.78.0.4 turn.test'
source "$INTEROP_DIR/netns.sh"

log "namespaces: $SRV (HAProxy, hallpass, Janus), $SCH (school)"
make_ns "$SRV"; make_ns "$SCH"
veth="hpbb${tag}"; veth="${veth:0:12}"
ip link add "${veth}s" type veth peer name "${veth}c"
ip link set "${veth}s" netns "$SRV"; ip link set "${veth}c" netns "$SCH"
ip -n "$SRV" addr add 10.78.1.1/24 dev "${veth}s"; ip -n "$SCH" addr add 10.78.1.2/24 dev "${veth}c"
ip -n "$SRV" link set "${veth}s" up; ip -n "$SCH" link set "${veth}c" up
# The server's three addresses on an interface of their own (Janus gathers no candidates
# on loopback; a veth pair with both ends here, as the dummy module may be missing):
# 10.78.0.1 the public name (HAProxy 443, hallpass UDP 3478), 10.78.0.2 hallpass's relay
# address, 10.78.0.3 the media server's, 10.78.0.4 hallpass's own TLS on 443 (turn.test).
ip -n "$SRV" link add hpbbhost type veth peer name hpbbhost2
for a in 10.78.0.1 10.78.0.2 10.78.0.3 10.78.0.4; do ip -n "$SRV" addr add "$a/32" dev hpbbhost; done
ip -n "$SRV" link set hpbbhost up; ip -n "$SRV" link set hpbbhost2 up
ip -n "$SCH" route add 10.78.0.0/24 via 10.78.1.1

# A certificate for bbb.test (HAProxy's bundle, as bbb-install makes it) and turn.test.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bbb.test" \
  -addext "subjectAltName=DNS:bbb.test,DNS:turn.test" -keyout "$HP_TMP/key.pem" -out "$HP_TMP/cert.pem" 2>/dev/null
cat "$HP_TMP/cert.pem" "$HP_TMP/key.pem" >"$HP_TMP/certbundle.pem"
spki="$(openssl x509 -in "$HP_TMP/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | base64)"

# hallpass as the guide configures it beside the media server: the relay range on its own
# address (its ports are the media server's too: the addresses differ), TURN over
# TCP/TLS only through HAProxy, and the media server as the only peer.
cat >"$HP_TMP/hallpass.yaml" <<YAML
realm: bbb.test
server_name: bbb.test
admin: {listen: "127.0.0.1:0"}
listen:
  udp: ["10.78.0.1:3478"]
  tcp: [{address: "127.0.0.1:3479", proxy_protocol: true, trusted: ["127.0.0.1/32"]}]
  tls: ["10.78.0.4:443"]
tls: {certificate: "$HP_TMP/cert.pem", private_key: "$HP_TMP/key.pem"}
relay:
  ranges: ["10.78.0.2/32"]
  ports: {min: 16384, max: 32767}
auth: {secrets_file: "$HP_TMP/secrets"}
peers: {allow: ["10.78.0.3/32"]}
workers: 2
log: {level: info}
YAML
openssl rand -hex 32 >"$HP_TMP/secrets"
ip netns exec "$SRV" "$HALLPASS" serve --config "$HP_TMP/hallpass.yaml" >"$HP_TMP/hallpass.log" 2>&1 &
track_pid $!
wait_for_log $! "$HP_TMP/hallpass.log" 'hallpass ready' hallpass

# Janus: the echo test and the HTTP API only, candidates on the media address only, RTP
# ports in BigBlueButton's media range.
mkdir -p "$HP_TMP/janus"
cat >"$HP_TMP/janus/janus.jcfg" <<'JCFG'
general: { configs_folder = "CONFIGS" debug_level = 4 }
media: { rtp_port_range = "16384-32768" }
nat: { ice_enforce_list = "10.78.0.3" }
plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_videoroom.so,libjanus_voicemail.so" }
transports: { disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so,libjanus_websockets.so" }
events: { broadcast = false }
JCFG
sed -i "s#CONFIGS#$HP_TMP/janus#" "$HP_TMP/janus/janus.jcfg"
cat >"$HP_TMP/janus/janus.transport.http.jcfg" <<'JCFG'
general: { json = "indented" base_path = "/janus" http = true port = 8088 ip = "127.0.0.1" https = false }
admin: { admin_http = false }
JCFG
printf 'general: { }\n' >"$HP_TMP/janus/janus.plugin.echotest.jcfg"
ip netns exec "$SRV" janus -F "$HP_TMP/janus" -C "$HP_TMP/janus/janus.jcfg" -o >"$HP_TMP/janus.log" 2>&1 &
track_pid $!
JANUS_PID=$!
wait_for_log $! "$HP_TMP/janus.log" 'HTTP webserver started' janus

# HAProxy: bbb-install's frontend, the turn backend given PROXY protocol v2 to hallpass.
for l in {a..z} {A..Z}; do echo "$l nginx"; done >"$HP_TMP/protocolmap"
cat >"$HP_TMP/lesson.html" <<'HTML'
<!doctype html><html><head><meta charset="utf-8"><title>lesson</title></head><body><video id="v" autoplay muted playsinline></video></body></html>
HTML
cat >"$HP_TMP/haproxy.cfg" <<CFG
global
  maxconn 1000
defaults
  mode http
  timeout connect 5s
  timeout client 1m
  timeout server 1m
  timeout tunnel 1h

frontend nginx_or_turn
  bind 10.78.0.1:443 ssl crt $HP_TMP/certbundle.pem ssl-min-ver TLSv1.2 alpn h2,http/1.1,stun.turn
  mode tcp
  tcp-request content capture req.payload(0,1) len 1
  tcp-request inspect-delay 30s
  use_backend nginx-http2 if { ssl_fc_alpn h2 }
  use_backend nginx if { ssl_fc_alpn http/1.1 }
  use_backend turn if { ssl_fc_alpn stun.turn }
  use_backend %[capture.req.hdr(0),map_str($HP_TMP/protocolmap,turn)]
  default_backend turn

backend turn
  mode tcp
  server hallpass 127.0.0.1:3479 send-proxy-v2

backend nginx
  mode tcp
  server web 127.0.0.1:81 send-proxy

backend nginx-http2
  mode tcp
  server web 127.0.0.1:82 send-proxy

# The web server's part (nginx in BigBlueButton): the lesson page, and Janus's API.
frontend web
  bind 127.0.0.1:81 accept-proxy
  bind 127.0.0.1:82 accept-proxy proto h2
  mode http
  http-request return status 200 content-type text/html file $HP_TMP/lesson.html if { path / }
  http-request return status 404 content-type text/plain string "not here" unless { path_beg /janus }
  use_backend janus_api if { path_beg /janus }

backend janus_api
  mode http
  server janus 127.0.0.1:8088
CFG
ip netns exec "$SRV" haproxy -c -f "$HP_TMP/haproxy.cfg" >"$HP_TMP/haproxy-check.log" 2>&1 ||
  { cat "$HP_TMP/haproxy-check.log" >&2; fail "haproxy refused its config"; }
ip netns exec "$SRV" haproxy -db -f "$HP_TMP/haproxy.cfg" >"$HP_TMP/haproxy.log" 2>&1 &
track_pid $!
HAPROXY_PID=$!
for ((i = 0; i < 100; i++)); do
  ip netns exec "$SRV" bash -c '</dev/tcp/10.78.0.1/443' 2>/dev/null && break
  kill -0 "$HAPROXY_PID" 2>/dev/null || { cat "$HP_TMP/haproxy.log" >&2; fail "haproxy exited"; }
  sleep 0.1
done
((i < 100)) || { cat "$HP_TMP/haproxy.log" >&2; fail "haproxy did not listen on 443"; }

# BigBlueButton's file, as the guide makes it: turns: through HAProxy, turn: over UDP.
# The UDP one by address: Chromium looks up a turn:/stun: name with its own DNS client,
# which has no server in this namespace (the hosts file serves the page and turns: only).
"$HALLPASS" credentials --config "$HP_TMP/hallpass.yaml" --format bbb \
  --url "turns:bbb.test:443?transport=tcp" --url "turn:10.78.0.1:3478?transport=udp" >"$HP_TMP/turn-stun-servers.xml"
# And for hallpass on a host of its own, as bbb-install -c writes it (TLS on 443 itself).
"$HALLPASS" credentials --config "$HP_TMP/hallpass.yaml" --format bbb \
  --url "turns:turn.test:443?transport=tcp" >"$HP_TMP/turn-stun-servers-own.xml"

firewall() {
  local rules
  case "$1" in
    only_443) rules="ip daddr 10.78.0.1 tcp dport 443 accept" ;;
    udp_3478) rules="ip daddr 10.78.0.1 tcp dport 443 accept; ip daddr 10.78.0.1 udp dport 3478 accept" ;;
    own_443) rules="ip daddr { 10.78.0.1, 10.78.0.4 } tcp dport 443 accept" ;;
  esac
  ip netns exec "$SCH" nft flush ruleset
  ip netns exec "$SCH" nft -f - <<NFT
table inet school {
  chain out {
    type filter hook output priority 0; policy drop;
    oifname lo accept
    ct state established,related accept
    $rules
  }
  # Nothing starts a connection into the school (a NAT's way): Janus's checks towards the
  # browser's host candidates must not open a direct path.
  chain in {
    type filter hook input priority 0; policy drop;
    iifname lo accept
    ct state established,related accept
  }
}
NFT
}

# check_config_during_call: hallpass's relay address is clear of Janus's sockets; a config
# with the relay range on Janus's address is named as a clash.
check_config_during_call() {
  local out
  out="$(ip netns exec "$SRV" "$HALLPASS" check-config "$HP_TMP/hallpass.yaml" 2>&1)" ||
    fail "check-config refused the deployment's config: $out"
  [[ "$out" != *warning* ]] || fail "check-config warned about the deployment's own config: $out"
  sed 's#ranges: \["10.78.0.2/32"\]#ranges: ["10.78.0.3/32"]#' "$HP_TMP/hallpass.yaml" >"$HP_TMP/clash.yaml"
  out="$(ip netns exec "$SRV" "$HALLPASS" check-config "$HP_TMP/clash.yaml" 2>&1)" ||
    fail "check-config refused the clash config: $out"
  [[ "$out" == *"warning: relay.ranges: janus (pid $JANUS_PID) has "*" UDP socket(s) on 10.78.0.3 in relay.ports 16384-32767"* ]] ||
    { ip netns exec "$SRV" ss -uanp >&2; fail "check-config did not name janus on the media server's address: $out"; }
  log "check-config: quiet on the deployment, names janus on its address"
}

# HAProxy's other routes, from the school with only 443 open: HTTP/1.1 by ALPN and by
# first byte (no ALPN) to the web server, and TURN by ALPN stun.turn (hallpass probe sends
# it; Chromium's turns: sends none and goes by first byte) to hallpass.
check_haproxy_routes() {
  local out
  for alpn in --http1.1 --no-alpn; do
    out="$(ip netns exec "$SCH" curl -sS --http1.1 $alpn --cacert "$HP_TMP/cert.pem" https://bbb.test/ 2>&1)" ||
      fail "curl $alpn through HAProxy: $out"
    [[ "$out" == *"<title>lesson</title>"* ]] || fail "curl $alpn did not get the lesson page: $out"
  done
  out="$(ip netns exec "$SCH" timeout 60 "$HALLPASS" probe bbb.test --udp-port 0 --tcp-port 0 --tls-port 443 \
    --secret "$(head -n 1 "$HP_TMP/secrets")" --ca "$HP_TMP/cert.pem" --seconds 1 --json 2>"$HP_TMP/probe.err")" || true
  [[ "$(jq -r '.measured.transports[] | select(.name == "TLS 443") | .ok' <<<"$out" 2>/dev/null)" == true ]] ||
    fail "hallpass probe (ALPN stun.turn) found no TURN through HAProxy on 443: $out $(cat "$HP_TMP/probe.err")"
  log "HAProxy: HTTP/1.1 by ALPN and by first byte to the web server, ALPN stun.turn to hallpass"
}

for s in "${SCENARIOS[@]}"; do
  log "scenario $s"
  firewall "$s"
  rm -f "$HP_TMP/call-up" "$HP_TMP/call-checked"
  HOME="$HP_TMP/home-$s" ip netns exec "$SCH" timeout 120 node "$INTEROP_DIR/bbb_echo.mjs" \
    --executable "$CHROMIUM" --page https://bbb.test/ --ca-spki "$spki" --turn-xml "$HP_TMP/turn-stun-servers$([[ $s == own_443 ]] && echo -own).xml" \
    --transport "$([[ $s == udp_3478 ]] && echo udp || echo tls)" --relay 10.78.0.2 \
    --call-up "$HP_TMP/call-up" --call-checked "$HP_TMP/call-checked" >"$HP_TMP/$s.json" 2>"$HP_TMP/$s.err" &
  browser=$!
  track_pid "$browser"
  # Until media flows (the browser gives up after its own 30 s per look, 120 s in all).
  for ((i = 0; i < 2400; i++)); do
    [[ -f "$HP_TMP/call-up" ]] && break
    kill -0 "$browser" 2>/dev/null || break
    sleep 0.05
  done
  [[ -f "$HP_TMP/call-up" ]] && check_config_during_call
  touch "$HP_TMP/call-checked"
  rc=0; wait "$browser" || rc=$?
  [[ -f "$HP_TMP/call-up" ]] || ((rc != 0)) || rc=1
  if ((rc != 0)); then
    cat "$HP_TMP/$s.err" "$HP_TMP/$s.json" >&2
    tail -n 30 "$HP_TMP/hallpass.log" "$HP_TMP/janus.log" "$HP_TMP/haproxy.log" >&2
    fail "$s: the browser's call through hallpass failed (status $rc)"
  fi
  log "$s: $(cat "$HP_TMP/$s.json")"
  if [[ "$s" == only_443 ]]; then
    # The browser's allocation came through HAProxy with the school's address (PROXY v2),
    # before anything else here has connected over TCP.
    grep -qE 'allocation created .* client=10\.78\.1\.2:[0-9]+ transport=tcp' "$HP_TMP/hallpass.log" ||
      fail "hallpass never saw the school's address 10.78.1.2 through HAProxy (PROXY protocol v2)"
    check_haproxy_routes
  fi
done

# hallpass's own TLS on 443 carried the own_443 call.
if [[ " ${SCENARIOS[*]} " == *" own_443 "* ]]; then
  grep -qE 'allocation created .* client=10\.78\.1\.2:[0-9]+ transport=tls' "$HP_TMP/hallpass.log" ||
    fail "no allocation over hallpass's own TLS on 443"
fi
log "PASS: Chromium's media reached Janus and came back through hallpass (${SCENARIOS[*]})"
