#!/usr/bin/env bash
# Interop: each refusal a student's browser can meet leaves its line in hallpass's log —
# a wrong shared secret, an expired REST username, a peer the policy refuses, the per-user
# quota, and a TLS certificate the browser does not trust (browser_refusals.mjs makes the
# browser meet them). One run per browser, each with its own server: the log's per-client
# window would otherwise fold the second browser's lines into the first one's count.
#
#   tests/interop/browser_refusals.sh PATH/TO/hallpass chromium|firefox
#
# Needs node, the npm packages of tests/interop (scripts/install-deps.sh runs `npm ci`
# here), and /usr/bin/chromium or /usr/bin/firefox-esr.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BROWSER="${2:-chromium}"
case "$BROWSER" in
  chromium) executable="${CHROMIUM:-/usr/bin/chromium}"; package=playwright-core ;;
  firefox) executable="${FIREFOX:-/usr/bin/firefox-esr}"; package=puppeteer-core ;;
  *) fail "browser must be chromium or firefox, not '$BROWSER'" ;;
esac
[[ -x "$executable" ]] || fail "$BROWSER not found at $executable"
[[ "$HP_SERVER_KIND" == hallpass ]] || fail "the refusal lines are hallpass's own: HALLPASS_TEST_SERVER=hallpass only"

interop_setup "${1:-}"
[[ -d "$INTEROP_DIR/node_modules/$package" ]] || fail "$package is missing: run scripts/install-deps.sh"

# Loopback peers stay refused (the default deny list), one allocation per user.
cat >"$HP_TMP/hallpass.yaml" <<YAML
realm: "$HP_REALM"
admin: {listen: "127.0.0.1:0"}
listen:
  udp: ["127.0.0.1:$HP_PORT"]
  tls: ["127.0.0.1:$HP_TLS_PORT"]
tls:
  certificate: "$HP_TMP/tls/hallpass.crt"
  private_key: "$HP_TMP/tls/hallpass.key"
  self_signed: true
relay:
  ranges: ["$HP_RELAY_RANGE"]
  ports: {min: $HP_PORT_MIN, max: $HP_PORT_MAX}
auth:
  secrets: ["$HP_SECRET"]
limits:
  allocations_per_user: 1
io_engine: ${HALLPASS_IO_ENGINE:-auto}
log:
  level: info
YAML
start_hallpass "$HP_TMP/hallpass.yaml" "$HP_TMP/hallpass.log"

mkdir -p "$HP_TMP/home"
rc=0
HOME="$HP_TMP/home" XDG_CONFIG_HOME="$HP_TMP/home/.config" XDG_CACHE_HOME="$HP_TMP/home/.cache" \
  timeout 180 node "$INTEROP_DIR/browser_refusals.mjs" --browser "$BROWSER" --executable "$executable" \
  --udp-port "$HP_PORT" --tls-port "$HP_TLS_PORT" --tls-host localhost --secret "$HP_SECRET" \
  >"$HP_TMP/page.jsonl" 2>"$HP_TMP/node.log" || rc=$?
cat "$HP_TMP/page.jsonl" >&2
if ((rc != 0)); then
  tail -n 40 "$HP_TMP/node.log" >&2
  fail "$BROWSER did not run the scenarios (status $rc)"
fi

# What the page saw: no relay candidate where the server said no.
for scenario in wrong_secret expired_username untrusted_cert; do
  line="$(grep "\"scenario\":\"$scenario\"" "$HP_TMP/page.jsonl")" || fail "no report for $scenario"
  [[ "$(jq -r .relayCandidates <<<"$line")" == 0 ]] || fail "$scenario: $BROWSER got a relay candidate"
done

# What the log says, one line per refusal: client, user, transport and reason.
# The client address is the one the browser sends from: Firefox binds its TURN sockets to
# the host's own address even when the server is on 127.0.0.1.
client='client=[0-9.]+:[0-9]+'
user() { echo "user=[0-9]+:$BROWSER-$1"; }
expect_line() {
  local what="$1" pattern="$2"
  grep -qE "$pattern" "$HP_TMP/hallpass.log" ||
    { cat "$HP_TMP/hallpass.log" >&2; fail "$BROWSER, $what: no log line matching '$pattern'"; }
  log "$what: $(grep -m1 -oE "$pattern.*" "$HP_TMP/hallpass.log")"
}
expect_line "wrong secret" "refused $client $(user wrong) transport=udp reason=bad_credentials"
expect_line "expired username" "refused $client $(user expired) transport=udp reason=expired_username"
expect_line "peer refused" "refused $client $(user peer-[ab]) transport=udp reason=peer_forbidden peer=127\.0\.0\.1:[0-9]+"
expect_line "quota" "refused $client $(user quota) transport=udp reason=user_quota"
expect_line "untrusted certificate" "refused $client transport=tls reason=tls_handshake detail=\"[^\"]+\""
log "PASS: $BROWSER's refusals each have their line"
