#!/usr/bin/env bash
# The bench's arithmetic end to end, on a load whose answer is known: a paced latency run
# through the plain forwarder must send rate × duration packets, get every one back and
# report that rate. Loopback only; the forwarder stops with this script.
set -euo pipefail
bench=$1 forwarder=$2
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$forwarder" --port "$port" --seconds 60 >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
sleep 0.2
out=$("$bench" latency --server "127.0.0.1:$port" --user u --password p --allocations 10 \
      --rate 2000 --duration 3 --payload 100 --json --quiet)
echo "$out"
check() {
  if awk "BEGIN { exit !($1) }"; then echo "ok: $2"; else echo "FAIL: $2"; exit 1; fi
}
sent=$(jq .sent <<<"$out") received=$(jq .received <<<"$out") pps=$(jq .packets_per_second <<<"$out")
check "$sent >= 5880 && $sent <= 6120" "sent $sent packets, expected 2000/s for 3 s (±2 %)"
check "$received == $sent" "every packet came back ($received of $sent)"
check "$pps >= 1960 && $pps <= 2040" "reported rate $pps, expected 2000 (±2 %)"
check "$(jq .loss_ratio <<<"$out") == 0" "no loss reported"
