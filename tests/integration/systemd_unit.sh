#!/usr/bin/env bash
# deploy/systemd/hallpass.service passes `systemd-analyze verify`, with its paths pointed at
# the binary under test and a config that loads.
set -euo pipefail
binary=$1 source=$2
command -v systemd-analyze >/dev/null || { echo "FAIL: systemd-analyze missing (Debian package systemd)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/hallpass.yaml" <<YAML
realm: hallpass.test
listen: {udp: ["127.0.0.1:3478"]}
relay: {ranges: ["127.0.0.1/32"]}
auth: {users: [{name: a, password: bbbbbbbb}]}
YAML
sed -e "s#/usr/bin/hallpass#$binary#g" -e "s#/etc/hallpass/hallpass.yaml#$dir/hallpass.yaml#g" \
  "$source/deploy/systemd/hallpass.service" >"$dir/hallpass.service"
# --man=no: Documentation= names the man page the Debian package installs, not here.
out=$(systemd-analyze verify --man=no "$dir/hallpass.service" 2>&1) || { echo "$out"; echo "FAIL: systemd-analyze verify"; exit 1; }
# verify exits 0 on some warnings; any line about our unit is a finding.
if grep -F "hallpass.service" <<<"$out"; then echo "FAIL: systemd-analyze has remarks on the unit"; exit 1; fi
for key in "Type=notify" "ExecReload=/bin/kill -HUP \$MAINPID" "AmbientCapabilities=CAP_NET_BIND_SERVICE" \
           "LimitNOFILE=1048576" "Restart=on-failure" "NoNewPrivileges=yes" "ProtectSystem=strict" \
           "ProtectHome=yes" "PrivateTmp=yes" "WatchdogSec="; do
  grep -qF "$key" "$dir/hallpass.service" || { echo "FAIL: the unit lacks $key"; exit 1; }
done
echo "ok: systemd-analyze verify passes"
