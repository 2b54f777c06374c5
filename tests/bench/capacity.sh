#!/usr/bin/env bash
# `hallpass-bench capacity` end to end against a server whose limit is known: a hallpass on
# loopback that holds at most 240 allocations (limits.allocations_total), i.e. 4 classrooms
# of 30 students with an audio and a video allocation each. With students over UDP, TCP and
# TLS and the quality limits lifted (a slow machine's loss is not what this checks), the
# search must answer 4 classrooms, name refused allocations as the limit, report
# the server's CPU and memory there, and write a page whose charts Chromium draws with a
# point per measured step. The hallpass started here is stopped by its PID.
set -euo pipefail
bench=$1 hallpass=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/hallpass-capacity.XXXXXX)
pid=""
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

plain=$(port) tls=$(port)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cat >"$work/c.yaml" <<YAML
realm: hallpass.bench
admin: {listen: "127.0.0.1:0"}
listen: {udp: ["127.0.0.1:$plain"], tcp: ["127.0.0.1:$plain"], tls: ["127.0.0.1:$tls"]}
tls: {certificate: $work/cert.pem, private_key: $work/key.pem}
relay: {ranges: ["127.0.0.1/32"], ports: {min: 40000, max: 44999}}
auth: {users: [{name: bench, password: bench}]}
peers: {allow: ["127.0.0.0/8"]}
limits: {allocations_per_user: 0, allocations_total: 240, unauthenticated_rate: 0}
YAML
"$hallpass" serve --config "$work/c.yaml" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "hallpass ready" "$work/log" && break; sleep 0.1; done
grep -q "hallpass ready" "$work/log" || { cat "$work/log"; fail "hallpass did not start"; }

"$bench" capacity --server "127.0.0.1:$plain" --tls-server "127.0.0.1:$tls" --mix udp=50,tcp=25,tls=25 \
  --user bench --password bench --duration 1 --max-classrooms 16 --server-pid "$pid" \
  --max-loss 100 --max-jitter 10000 --max-p99 10000 \
  --html "$work/report.html" --json >"$work/out.json" 2>"$work/progress.txt"
cat "$work/progress.txt"
jq -c '{classrooms, students, limiting_factor, server_cpu_percent, server_rss_bytes}' "$work/out.json"
[[ $(jq .classrooms "$work/out.json") == 4 ]] || fail "answered $(jq .classrooms "$work/out.json") classrooms, expected 4"
[[ $(jq .students "$work/out.json") == 120 ]] || fail "expected 120 students"
[[ $(jq -r .limiting_factor "$work/out.json") == "allocations refused" ]] || fail "limiting factor: $(jq -r .limiting_factor "$work/out.json")"
[[ $(jq '.server_cpu_percent > 0 and .server_rss_bytes > 0' "$work/out.json") == true ]] || fail "no server CPU or memory"
[[ $(jq '[.steps[] | select(.within_limits)] | length' "$work/out.json") == 3 ]] || fail "expected 1, 2 and 4 within limits"
[[ $(grep -c '^capacity: ' "$work/progress.txt") == $(jq '.steps | length' "$work/out.json") ]] || fail "a progress line per step"
echo "ok: 4 classrooms (120 students), limited by refused allocations, in $(jq '.steps | length' "$work/out.json") steps"

# Three bench threads carry three classrooms between them, one each, and the figures add up
# as one thread's would: every stream of all 90 students, at their rate, with (almost) nothing
# lost.
"$bench" classroom --server "127.0.0.1:$plain" --tls-server "127.0.0.1:$tls" --mix udp=50,tcp=25,tls=25 \
  --user bench --password bench --duration 1 --classrooms 3 --threads 3 --json --quiet >"$work/threads.json"
jq -c '{allocations, sent, received, any_stream_lost, streams: [.streams[] | .streams]}' "$work/threads.json"
[[ $(jq -c '[.allocations, [.streams[] | .streams], .sent > 20000, .loss_ratio < 0.05]' "$work/threads.json") == \
   '[180,[90,90,90],true,true]' ]] || fail "--threads 3: $(cat "$work/threads.json")"
echo "ok: three bench threads carry three classrooms"

# The page, as a manager would open it.
(cd "$here/../interop" && node capacity_report.mjs --page "$work/report.html" --measured 3)
