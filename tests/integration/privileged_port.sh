#!/usr/bin/env bash
# Binding port 443 without root or CAP_NET_BIND_SERVICE is a start error that says how to
# fix it. Runs hallpass as `nobody` (via setpriv) on 127.0.0.1:443; skips unless root.
set -euo pipefail
hallpass=$1
if [[ $(id -u) != 0 ]] || ! command -v setpriv >/dev/null; then
  echo "skipped: needs root and setpriv to run hallpass as an unprivileged user"
  exit 0
fi
if [[ $(cat /proc/sys/net/ipv4/ip_unprivileged_port_start) -le 443 ]]; then
  echo "skipped: this host lets unprivileged users bind 443"
  exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
cat >"$dir/hallpass.yaml" <<YAML
realm: hallpass.test
admin: {listen: "127.0.0.1:0"}
listen: {udp: [], tcp: ["127.0.0.1:443"]}
relay: {ranges: ["127.0.0.1/32"]}
auth: {users: [{name: a, password: b}]}
YAML
chmod 644 "$dir/hallpass.yaml"
rc=0
out=$(timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups \
      "$hallpass" serve --config "$dir/hallpass.yaml" 2>&1) || rc=$?
echo "$out"
[[ $rc -ne 0 ]] || { echo "FAIL: hallpass started on 443 without privileges"; exit 1; }
grep -q "cannot listen on tcp 127.0.0.1:443" <<<"$out" || { echo "FAIL: error does not name the listener"; exit 1; }
grep -q "CAP_NET_BIND_SERVICE" <<<"$out" || { echo "FAIL: error does not say how to fix it"; exit 1; }
echo "PASS: unprivileged bind of 443 refused with a clear error"
