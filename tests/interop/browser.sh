#!/usr/bin/env bash
# Interop: headless Chromium opens a data channel between two relay-only peer
# connections through the server under test (see browser_relay.mjs).
#
#   tests/interop/browser.sh PATH/TO/hallpass [udp|tcp|tls]
#   HALLPASS_TEST_SERVER=coturn tests/interop/browser.sh      # check the harness
#
# Needs node, the npm packages of tests/interop (scripts/install-deps.sh runs
# `npm ci` here) and Chromium (/usr/bin/chromium, or $CHROMIUM).
# shellcheck source=tests/interop/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TRANSPORT="${2:-udp}"  # turn:?transport=udp, turn:?transport=tcp, or turns: (tls)
[[ "$TRANSPORT" =~ ^(udp|tcp|tls)$ ]] || fail "transport must be udp, tcp or tls, not '$TRANSPORT'"

interop_setup "${1:-}"
[[ -d "$INTEROP_DIR/node_modules/playwright-core" ]] ||
  fail "playwright-core is missing: run scripts/install-deps.sh"
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium_bin" ]] || fail "Chromium not found at $chromium_bin"

ensure_server secret
case "$TRANSPORT" in
  udp) port="$HP_PORT" ;;
  tcp) port="$HP_TCP_PORT" ;;
  tls) port="$HP_TLS_PORT" ;;
esac

# Chromium writes its crash dumps and caches under HOME and XDG dirs: keep them in
# the temporary directory.
rc=0
HOME="$HP_TMP/home" XDG_CONFIG_HOME="$HP_TMP/home/.config" XDG_CACHE_HOME="$HP_TMP/home/.cache" \
  timeout 120 node "$INTEROP_DIR/browser_relay.mjs" \
  --host 127.0.0.1 --port "$port" --transport "$TRANSPORT" \
  --secret "$HP_SECRET" --user interop --relay-range "$HP_RELAY_RANGE" \
  --timeout 60 --chromium "$chromium_bin" || rc=$?

if ((rc != 0)); then
  echo "---- $HP_SERVER_LOG (last 60 lines) ----" >&2
  tail -n 60 "$HP_SERVER_LOG" >&2
  fail "browser relay test over $TRANSPORT against $HP_SERVER_KIND (status $rc)"
fi
log "PASS: Chromium over $TRANSPORT against $HP_SERVER_KIND"
