#!/usr/bin/env bash
# deploy/container/Containerfile, built and run with podman:
#   - the base: no registry is reachable here, so a Debian 12 minbase root made by mmdebstrap
#     from Debian's packages is imported (`podman import`) and given to the build as BASE;
#   - the image: hallpass as its entry point, the account hallpass (998:998), the capability
#     to bind port 443 on the binary (read with getcap: podman also hands --cap-add to a
#     non-root user as an ambient capability, so the run below would bind 443 without it,
#     as Kubernetes would not), no secret baked in;
#   - run as users run it (--cap-drop ALL --cap-add NET_BIND_SERVICE, the config directory
#     mounted read-only) in a network namespace this test makes: hallpass is PID 1 as user
#     hallpass, binds TLS on 443, says which I/O engine it took and why, passes
#     `hallpass probe` from inside, reloads on `podman kill --signal HUP` and exits 0 on
#     `podman stop`.
# This sandbox's limits need two things a normal host does not: runc instead of crun (crun
# refuses this host's cgroup v1/v2 hybrid), and explicit --ulimit values (the runtimes' own
# defaults are above what this sandbox lets a process set). The build uses chroot isolation
# for the same cgroup reason.
#
#   tests/deploy/container.sh build-deb/hallpass_0.1.0_amd64.deb [ROOT.tar]
# ROOT.tar: the base's root from tests/deploy/debian_root.sh; without it, made here.
set -euo pipefail

# Whether the container's log holds TEXT. The log is read whole first: with pipefail,
# `podman logs | grep -q` fails when grep stops at its match and podman gets SIGPIPE.
logs_have() {
  local log
  log=$(podman logs "$tag" 2>&1)
  grep -q -- "$1" <<<"$log"
}

# shellcheck source=tests/deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
deploy_test_start "$@" -- podman runc mmdebstrap ip getcap

tag="hallpass-test-$$"
base="localhost/hallpass-test-base:$$"
image="localhost/$tag:latest"
netns="hallpass-ctr-$$"
work="$(mktemp -d /tmp/hallpass-container.XXXXXX)"
podman=(podman --runtime runc)
limits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
cleanup() {
  local rc=$?
  "${podman[@]}" rm -f -t 0 "$tag" >/dev/null 2>&1 || true
  podman image unmount "$image" >/dev/null 2>&1 || true
  podman image rm -f "$image" "$base" >/dev/null 2>&1 || true
  ip netns del "$netns" 2>/dev/null || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

deploy_root_tar "$work"
podman import "$root_tar" "$base" >/dev/null
log "base image $base from $(basename "$root_tar")"

log "podman build -f deploy/container/Containerfile"
mkdir -p "$work/context"
cp "$deb" "$work/context/"
if ! podman build --pull=never --isolation chroot --network host --build-arg "BASE=$base" \
    --build-arg "HALLPASS_DEB=$(basename "$deb")" -f "$source/deploy/container/Containerfile" -t "$image" \
    "$work/context" >"$work/build.log" 2>&1; then
  tail -n 30 "$work/build.log" >&2
  fail "podman build"
fi
[[ "$(podman image inspect --format '{{.Config.User}}' "$image")" == hallpass:hallpass ]] || fail "the image does not run as hallpass"
[[ "$(podman image inspect --format '{{json .Config.Entrypoint}}' "$image")" == '["/usr/bin/hallpass"]' ]] ||
  fail "the entry point is $(podman image inspect --format '{{json .Config.Entrypoint}}' "$image")"
mount="$(podman image mount "$image")"
getcap "$mount/usr/bin/hallpass" | grep -q "cap_net_bind_service=ep" || fail "the binary lacks cap_net_bind_service"
[[ ! -e "$mount/etc/hallpass/secrets" ]] || fail "the image holds a secret: every container would share it"
grep -q '^hallpass:x:998:998:' "$mount/etc/passwd" || fail "no account hallpass 998:998 in the image"
podman image unmount "$image" >/dev/null
log "image: entry point hallpass, user hallpass (998), cap_net_bind_service, no secret"

# The operator's config directory: TLS on 443, which only the capability lets it bind.
mkdir -p "$work/etc"
head -c 32 /dev/urandom | base64 >"$work/etc/secrets"
cat >"$work/etc/hallpass.yaml" <<YAML
realm: hallpass.test
server_name: localhost
listen:
  udp: ["127.0.0.1:3478"]
  tcp: ["127.0.0.1:3478"]
  tls: ["127.0.0.1:443"]
tls:
  certificate: /var/lib/hallpass/selfsigned/hallpass.crt
  private_key: /var/lib/hallpass/selfsigned/hallpass.key
  self_signed: true
relay: {ranges: ["127.0.0.1/32"], ports: {min: 40000, max: 40999}}
auth: {secrets_file: /etc/hallpass/secrets}
check: {enabled: true}
admin: {listen: "127.0.0.1:9641"}
YAML
chmod -R a+rX "$work/etc"
ip netns add "$netns"
ip -n "$netns" link set lo up
"${podman[@]}" run -d --name "$tag" --network "ns:/run/netns/$netns" --cap-drop ALL --cap-add NET_BIND_SERVICE \
  "${limits[@]}" -v "$work/etc:/etc/hallpass:ro" "$image" >/dev/null || fail "podman run"
for ((i = 0; i < 100; i++)); do
  logs_have "hallpass ready" && break
  [[ "$(podman inspect --format '{{.State.Running}}' "$tag")" == true ]] || { podman logs "$tag" >&2; fail "the container exited"; }
  sleep 0.1
done
((i < 100)) || { podman logs "$tag" >&2; fail "not ready within 10 s"; }
podman logs "$tag" >"$work/run.log" 2>&1
grep -q "listening tls 127.0.0.1:443" "$work/run.log" || fail "no TLS listener on 443"
# The runtime's default seccomp profile refuses io_uring: hallpass must say so and use epoll.
grep -q "io_uring unavailable, using epoll: ." "$work/run.log" ||
  { cat "$work/run.log" >&2; fail "under the default seccomp profile the log does not say why it uses epoll"; }
pid="$(podman inspect --format '{{.State.Pid}}' "$tag")"
[[ "$(awk '/^NSpid:/ {print $NF}' "/proc/$pid/status")" == 1 ]] || fail "hallpass is not PID 1 in the container"
[[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" == 998 ]] || fail "hallpass does not run as uid 998"
[[ "$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")" == 0000000000000400 ]] ||
  fail "effective capabilities $(awk '/^CapEff:/ {print $2}' "/proc/$pid/status"), not NET_BIND_SERVICE alone"
log "running: PID 1, uid 998, CAP_NET_BIND_SERVICE only, TLS on 443; $(grep -o 'io_engine=[a-z_]*' "$work/run.log" | head -1)"

podman exec "$tag" hallpass probe 127.0.0.1 --tls-port 443 --ca /var/lib/hallpass/selfsigned/hallpass.crt \
  --seconds 2 --json >"$work/probe.json" 2>"$work/probe.err" ||
  { cat "$work/probe.err" "$work/probe.json" >&2; fail "hallpass probe in the container says students cannot join"; }
log "hallpass probe inside the container: students can join"

podman kill --signal HUP "$tag" >/dev/null
for ((i = 0; i < 50; i++)); do logs_have "reload: generation 2 applied" && break; sleep 0.1; done
((i < 50)) || { podman logs "$tag" 2>&1 | tail -n 5 >&2; fail "SIGHUP did not reload"; }
podman stop -t 20 "$tag" >/dev/null
[[ "$(podman inspect --format '{{.State.ExitCode}}' "$tag")" == 0 ]] ||
  fail "exit code $(podman inspect --format '{{.State.ExitCode}}' "$tag") on podman stop"
logs_have "hallpass stopped" || fail "no 'hallpass stopped' on podman stop"
# The README's way to let it use io_uring in a container.
"${podman[@]}" rm "$tag" >/dev/null
"${podman[@]}" run -d --name "$tag" --network "ns:/run/netns/$netns" --cap-drop ALL --cap-add NET_BIND_SERVICE \
  --security-opt seccomp=unconfined "${limits[@]}" -v "$work/etc:/etc/hallpass:ro" "$image" >/dev/null
for ((i = 0; i < 100; i++)); do logs_have "hallpass ready" && break; sleep 0.1; done
logs_have "io_engine=io_uring" ||
  { podman logs "$tag" 2>&1 | head -n 5 >&2; fail "with seccomp=unconfined it still does not use io_uring"; }
podman stop -t 20 "$tag" >/dev/null
log "with --security-opt seccomp=unconfined it uses io_uring"
log "PASS: the container image builds, runs as PID 1 with NET_BIND_SERVICE only, reloads and stops cleanly"
