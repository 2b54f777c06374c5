#!/usr/bin/env bash
# The bench's guards on where it sends, end to end, all on loopback:
#  - a server off loopback is refused without --remote (exit 1, before any packet);
#  - a server whose peer policy refuses the bench's peers gets a 403 explained as such;
#  - --peer-address puts the peers on the address the policy allows, and the run works.
# The hallpass started here listens on 127.0.0.1 and is stopped by its PID.
set -euo pipefail
bench=$1 hallpass=$2
work=$(mktemp -d /tmp/hallpass-bench-guard.XXXXXX)
pid=""
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 192.0.2.0/24 is TEST-NET-1: nothing would answer, and nothing may be sent there anyway.
set +e
out=$("$bench" burst --server 192.0.2.1:3478 --secret s --allocations 1 --quiet 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] || fail "off-loopback server without --remote: exit $rc, expected 1"
grep -q "is not on loopback" <<<"$out" || fail "no refusal message: $out"
echo "ok: a server off loopback is refused without --remote"

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cat >"$work/c.yaml" <<YAML
realm: hallpass.bench
admin: {listen: "127.0.0.1:0"}
listen: {udp: ["127.0.0.1:$port"]}
relay: {ranges: ["127.0.0.1/32"], ports: {min: 40000, max: 40999}}
auth: {users: [{name: bench, password: bench}]}
peers: {allow: ["127.0.0.2/32"]}
limits: {allocations_per_user: 0}
YAML
"$hallpass" serve --config "$work/c.yaml" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "hallpass ready" "$work/log" && break; sleep 0.1; done
grep -q "hallpass ready" "$work/log" || { cat "$work/log"; fail "hallpass did not start"; }

set +e
out=$("$bench" classroom --server "127.0.0.1:$port" --user bench --password bench --duration 1 --quiet 2>&1); rc=$?
set -e
[[ $rc -eq 2 ]] || fail "peers refused by the policy: exit $rc, expected 2 ($out)"
grep -q "peer policy refused the bench's peer 127.0.0.1 (403 Forbidden)" <<<"$out" || fail "403 not explained: $out"
echo "ok: a 403 from the peer policy is explained"

json=$("$bench" classroom --server "127.0.0.1:$port" --user bench --password bench --duration 1 \
       --peer-address 127.0.0.2 --server-pid "$pid" --json --quiet)
[[ $(jq '.received > 0 and .loss_ratio < 0.05' <<<"$json") == true ]] || fail "the classroom did not pass 127.0.0.2: $json"
[[ $(jq -r '.server_cpu_percent | type' <<<"$json") == number ]] || fail "no server CPU with --server-pid: $json"
[[ $(jq -r '.server_rss_bytes > 0' <<<"$json") == true ]] || fail "no server RSS with --server-pid: $json"
echo "ok: --peer-address 127.0.0.2 carries the classroom; server CPU and memory reported"
