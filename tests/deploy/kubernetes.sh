#!/usr/bin/env bash
# deploy/kubernetes/base: `kubectl kustomize` renders it, every object validates against the
# Kubernetes schemas and the Deployment fits hallpass (kubernetes_manifests.mjs); then the
# ConfigMap's own hallpass.yaml, moved onto loopback ports, passes check-config and starts
# the binary under test, whose admin listener must answer the probe paths without the
# admin token (and anything else only with it), and the preStop command must drain it and
# return once it has exited.
# No cluster runs here: the kubelet's part (calling the probes, running the hook) is played
# by this script with the same paths and command.
#
#   tests/deploy/kubernetes.sh build/relay/hallpass .
set -euo pipefail
hallpass="$(realpath "$1")" source="$(realpath "$2")"
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
for tool in kubectl node curl openssl; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)"
done
work="$(mktemp -d /tmp/hallpass-k8s.XXXXXX)"
server_pid=""
cleanup() {
  local rc=$?
  [[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

kubectl kustomize "$source/deploy/kubernetes/base" >"$work/rendered.yaml" 2>"$work/kustomize.err" ||
  { cat "$work/kustomize.err" >&2; fail "kubectl kustomize cannot render deploy/kubernetes/base"; }
node "$source/tests/deploy/kubernetes_manifests.mjs" <"$work/rendered.yaml" >"$work/facts.json" ||
  fail "the rendered manifests (above)"
node -e 'const f = JSON.parse(require("fs").readFileSync(process.argv[1])); process.stdout.write(f.config)' \
  "$work/facts.json" >"$work/configmap.yaml"
echo "ok: $(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).objects.join(", "))' "$work/facts.json") validate"

port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
udp_port() { node -e 'const s = require("dgram").createSocket("udp4"); s.bind(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
turn_udp="$(udp_port)" turn_tcp="$(port)" turns="$(port)" admin="$(port)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=turn.example.org \
  -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
head -c 32 /dev/urandom | base64 >"$work/secrets"
head -c 24 /dev/urandom | base64 >"$work/admin-token"
# The ConfigMap's file with only what ties it to a node moved: addresses, paths, the range.
sed -e "/^  udp:/s#0.0.0.0:3478#127.0.0.1:$turn_udp#" \
    -e "/^  tcp:/s#0.0.0.0:3478#127.0.0.1:$turn_tcp#" \
    -e "s#\"0.0.0.0:443\"#\"127.0.0.1:$turns\"#" \
    -e "s#\"0.0.0.0:9641\"#\"127.0.0.1:$admin\"#" \
    -e "s#/etc/hallpass-secrets/admin-token#$work/admin-token#" \
    -e "s#/etc/hallpass-tls/#$work/#g" -e "s#/etc/hallpass-secrets/secrets#$work/secrets#" \
    -e "s#ranges: \[\"203.0.113.0/26\"\]#ranges: [\"127.0.0.1/32\"]#" \
    "$work/configmap.yaml" >"$work/hallpass.yaml"
grep -v '^ *#' "$work/hallpass.yaml" | grep -q "0.0.0.0\|/etc/hallpass\|203.0.113" && { cat "$work/hallpass.yaml" >&2; fail "the ConfigMap's file was not moved onto loopback"; }
"$hallpass" check-config "$work/hallpass.yaml" >/dev/null || fail "check-config refuses the ConfigMap's hallpass.yaml"

"$hallpass" serve --config "$work/hallpass.yaml" >"$work/hallpass.log" 2>&1 &
server_pid=$!
for ((i = 0; i < 100; i++)); do
  grep -q "hallpass ready" "$work/hallpass.log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/hallpass.log" >&2; fail "hallpass exited at start"; }
  sleep 0.1
done
((i < 100)) || fail "hallpass was not ready within 10 s"
grep -q "watch_files: reloading when" "$work/hallpass.log" || fail "watch_files is not in force"
for path in $(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).probes.join(" "))' "$work/facts.json") /metrics; do
  status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$admin$path")"
  [[ "$status" == 200 ]] || fail "GET $path on the admin listener: $status, not 200"
done
status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$admin/info")"
[[ "$status" == 401 ]] || fail "GET /info without the admin token: $status, not 401"
echo "ok: the probe paths and /metrics answer 200 without the token, /info 401"

# The preStop hook, as the kubelet runs it, with the test's admin port.
mapfile -t hook < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(process.argv[1])).pre_stop) console.log(a)' "$work/facts.json")
[[ "${hook[0]}" == hallpass ]] || fail "preStop runs ${hook[0]}, not hallpass"
hook=("$hallpass" "${hook[@]:1}")
hook=("${hook[@]/http:\/\/127.0.0.1:9641/http://127.0.0.1:$admin}")
hook=("${hook[@]/\/etc\/hallpass-secrets\/admin-token/$work/admin-token}")
timeout 30 "${hook[@]}" >"$work/prestop.log" 2>&1 || { cat "$work/prestop.log" >&2; fail "the preStop command failed"; }
grep -q "drained: hallpass has stopped" "$work/prestop.log" || { cat "$work/prestop.log" >&2; fail "preStop returned before hallpass stopped"; }
rc=0
wait "$server_pid" || rc=$?
server_pid=""
((rc == 0)) || fail "hallpass exited $rc after the drain"
echo "ok: the preStop drain returned once hallpass had stopped"
