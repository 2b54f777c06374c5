#!/usr/bin/env bash
# The Debian package, installed and started the way an operator's machine would:
#   - its contents, conffile, dependencies and maintainer scripts;
#   - installed with apt into a Debian 12 minbase root that mmdebstrap builds from Debian's
#     packages (tests/deploy/debian_root.sh), so every dependency the package declares, and
#     none it forgot, is there;
#   - the postinst made the hallpass account, the state directory and a secret of its own;
#   - started as the unit starts it (check-config first, then serve as user hallpass with
#     only CAP_NET_BIND_SERVICE), in a network namespace of its own so that it listens on
#     its installed ports without meeting anything else on this machine: it must be ready,
#     say it is loopback-only, answer /readyz and /metrics, make its self-signed pair, pass
#     `hallpass probe` (UDP, TCP, TLS and media through them), reload on SIGHUP and stop on
#     SIGTERM;
#   - reinstalled without touching the secret, then purged without leaving it behind.
# What it cannot do here: run the unit under systemd (no systemd as PID 1 on this machine);
# tests/integration/systemd_unit.sh checks the unit with systemd-analyze instead.
#
#   tests/package/debian_package.sh build-deb/hallpass_0.1.0_amd64.deb [ROOT.tar]
# ROOT.tar: a minbase root from tests/deploy/debian_root.sh to install into (`make test`
# makes it while the package builds); without it, mmdebstrap makes one here.
# Needs root (mmdebstrap, chroot, ip netns) and Debian's packages over apt.
set -euo pipefail

# shellcheck source=tests/deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
deploy_test_start "$@" -- dpkg-deb ip setpriv unshare curl

work="$(mktemp -d /tmp/hallpass-package.XXXXXX)"
root="$work/root"
netns="hallpass-pkg-$$"
server_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  ip netns del "$netns" 2>/dev/null || true
  # Mounts live in the namespaces of the commands that made them; none outlives them, but
  # never delete through one that did.
  if grep -q " $root/" /proc/self/mounts; then
    echo "debian_package: $root still has mounts; left in place" >&2
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT

# in_root CMD...: run in the installed system, with /proc and /dev, in the test's network
# namespace; the mounts end with the command.
# Each step execs the next, so a background in_root's PID is the command's own.
in_root_command=(unshare --mount --propagation private --
  bash -c 'mount -t proc proc "$0/proc" && mount --bind /dev "$0/dev" && exec chroot "$0" "$@"')
in_root() { ip netns exec "$netns" "${in_root_command[@]}" "$root" "$@"; }

# --- 1. what the package holds -------------------------------------------------------
contents="$(dpkg-deb -c "$deb" | awk '{print $1, $2, $6}')"
for want in "-rwxr-xr-x root/root ./usr/bin/hallpass" "-rwxr-xr-x root/root ./usr/bin/hallpass-bench" \
            "-rw-r--r-- root/root ./etc/hallpass/hallpass.yaml" \
            "-rw-r--r-- root/root ./lib/systemd/system/hallpass.service" \
            "./usr/share/man/man1/hallpass.1.gz" "./usr/share/man/man1/hallpass-bench.1.gz" \
            "./usr/share/doc/hallpass/copyright" \
            "./usr/share/doc/hallpass/examples/hallpass.production.example.yaml"; do
  grep -qF -- "$want" <<<"$contents" || fail "the package lacks '$want'"
done
grep -q "secrets" <<<"$contents" && fail "the package ships a secrets file: every install would share it"
ctl="$work/control"
dpkg-deb -e "$deb" "$ctl"
[[ "$(cat "$ctl/conffiles")" == /etc/hallpass/hallpass.yaml ]] || fail "conffiles: $(cat "$ctl/conffiles")"
dpkg-deb -f "$deb" Depends | grep -q adduser || fail "the postinst uses adduser, but Depends lacks it"
for script in postinst postrm prerm; do [[ -x "$ctl/$script" ]] || fail "no $script"; done
grep -q "deb-systemd-helper" "$ctl/postinst" || fail "the postinst does not enable the unit (dh_installsystemd)"
# An upgrade must not stop or restart a running relay: that drops every lesson.
grep -q "deb-systemd-invoke restart\|try-restart" "$ctl/postinst" && fail "the postinst restarts the service on upgrade"
grep -q '"$1" = remove' "$ctl/prerm" || fail "the prerm stops the service on upgrade, not only on remove"
# Every command of `hallpass --help` has a word in the man page.
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/man/man1/hallpass.1.gz | gzip -d | sed 's/\\-/-/g' >"$work/hallpass.1"
for command in serve check-config credentials ctl probe SIGHUP SIGUSR1 /etc/hallpass/secrets; do
  grep -q -- "$command" "$work/hallpass.1" || fail "the man page does not mention $command"
done
log "package contents, conffile, Depends and scripts ok"

# --- 2. a Debian 12 root with the package installed by apt ----------------------------
deploy_root_tar "$work"
log "the bookworm root from $(basename "$root_tar"), then apt-get install ./$(basename "$deb")"
mkdir -p "$root"
tar -xpf "$root_tar" -C "$root"
cp "$deb" "$root/tmp/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
unshare --mount --propagation private -- bash -c \
  'mount -t proc proc "$0/proc" && mount --bind /dev "$0/dev" && exec chroot "$0" "$@"' "$root" \
  env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "/tmp/$(basename "$deb")" \
  >"$work/install.log" 2>&1 || { tail -n 40 "$work/install.log" >&2; fail "apt-get could not install the package"; }
log "installed: $(chroot "$root" dpkg-query -W -f '${Package} ${Version} ${Status}' hallpass)"

# --- 3. what the postinst made ---------------------------------------------------------
chroot "$root" getent passwd hallpass | grep -q ':/var/lib/hallpass:/usr/sbin/nologin$' ||
  fail "no system account hallpass: $(chroot "$root" getent passwd hallpass || true)"
[[ "$(chroot "$root" stat -c '%U:%G %a' /var/lib/hallpass)" == "hallpass:hallpass 750" ]] ||
  fail "/var/lib/hallpass is $(chroot "$root" stat -c '%U:%G %a' /var/lib/hallpass)"
[[ "$(chroot "$root" stat -c '%U:%G %a' /etc/hallpass/secrets)" == "root:hallpass 640" ]] ||
  fail "/etc/hallpass/secrets is $(chroot "$root" stat -c '%U:%G %a' /etc/hallpass/secrets)"
secret="$(grep -v '^#' "$root/etc/hallpass/secrets")"
((${#secret} >= 40)) || fail "the secret made at install is too short: ${#secret} characters"
grep -qF "$secret" "$root/etc/hallpass/hallpass.yaml" && fail "the secret is in the world-readable config"
log "postinst: account, state directory and a ${#secret}-character secret of this install"

# --- 4. started as the unit starts it --------------------------------------------------
ip netns add "$netns"
ip -n "$netns" link set lo up
as_service=(setpriv --reuid=hallpass --regid=hallpass --init-groups
  --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service)
unit="$root/lib/systemd/system/hallpass.service"
pre="$(sed -n 's/^ExecStartPre=//p' "$unit")"
start="$(sed -n 's/^ExecStart=//p' "$unit")"
[[ "$start" == "/usr/bin/hallpass serve --config /etc/hallpass/hallpass.yaml" ]] || fail "ExecStart is '$start'"
# shellcheck disable=SC2086  # the unit's command lines, split as systemd splits them
in_root "${as_service[@]}" $pre >"$work/check-config.log" 2>&1 ||
  { cat "$work/check-config.log" >&2; fail "ExecStartPre ($pre) fails as user hallpass"; }
# shellcheck disable=SC2086
ip netns exec "$netns" "${in_root_command[@]}" "$root" "${as_service[@]}" $start >"$work/hallpass.log" 2>&1 &
server_pid=$!
for ((i = 0; i < 50; i++)); do
  [[ "$(readlink "/proc/$server_pid/exe" 2>/dev/null || true)" == */usr/bin/hallpass ]] && break
  sleep 0.1
done
((i < 50)) ||
  fail "the server's PID $server_pid is not hallpass itself: signals would miss it"
for ((i = 0; i < 100; i++)); do
  grep -q "hallpass ready" "$work/hallpass.log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/hallpass.log" >&2; fail "hallpass exited at start"; }
  sleep 0.1
done
((i < 100)) || { cat "$work/hallpass.log" >&2; fail "hallpass was not ready within 10 s"; }
grep -q "every listener is on loopback" "$work/hallpass.log" || fail "the log does not say it is loopback-only"
grep -q "running as root" "$work/hallpass.log" && fail "it runs as root"
log "hallpass ready as user hallpass, loopback-only, as its log says"

admin() { ip netns exec "$netns" curl -sS --max-time 5 "http://127.0.0.1:9641$1"; }
[[ "$(admin /readyz)" == *ready* ]] || fail "/readyz: $(admin /readyz)"
# The whole answer first: grep -q would stop reading at its match, and curl, still writing,
# would fail the pipeline (pipefail) with 'Failed writing body'.
metrics=$(admin /metrics) || fail "/metrics did not answer"
grep -q '^hallpass_' <<<"$metrics" || fail "/metrics has no hallpass_ series"
[[ "$(chroot "$root" stat -c '%U' /var/lib/hallpass/selfsigned/hallpass.key)" == hallpass ]] ||
  fail "the self-signed pair was not made in /var/lib/hallpass"

# The probe from the package's own binary, with credentials from the check endpoint.
if ! in_root /usr/bin/hallpass probe 127.0.0.1 --tls-port 5349 --ca /var/lib/hallpass/selfsigned/hallpass.crt \
    --seconds 2 --json >"$work/probe.json" 2>"$work/probe.err"; then
  cat "$work/probe.err" "$work/probe.json" >&2
  fail "hallpass probe against the installed server says students cannot join"
fi
# Every path it tries must work: UDP, TCP and TLS, and media through them. Direct UDP to the
# relay address is not tried on a loopback trial: the probe's own address is loopback,
# which the installed config's peer rules refuse to any allocation.
verdicts="$(grep -o '"name":"[^"]*","kind":"[a-z]*","verdict":"[a-z-]*"' "$work/probe.json" | sed 's/"kind":"[a-z]*",//')"
for path in "TURN over UDP 3478" "TURN over TCP 3478" "TURN over TLS 5349" "Video test over UDP 3478" "Video test over TLS 5349"; do
  grep -qF "\"name\":\"$path\",\"verdict\":\"works\"" <<<"$verdicts" || fail "probe: $path does not work: $verdicts"
done
[[ "$(grep -c '"verdict"' <<<"$verdicts")" == "$(grep -c '"verdict":"works"' <<<"$verdicts")" ]] || fail "probe verdicts: $verdicts"
log "hallpass probe: UDP, TCP, TLS and media through UDP and TLS work"

in_root hallpass credentials --config /etc/hallpass/hallpass.yaml --user teacher >"$work/ice.json"
grep -q '"credential"' "$work/ice.json" && grep -q 'turn:localhost:3478' "$work/ice.json" ||
  fail "hallpass credentials --config: $(cat "$work/ice.json")"

kill -HUP "$server_pid"
for ((i = 0; i < 50; i++)); do grep -q "reload: generation [0-9]* applied" "$work/hallpass.log" && break; sleep 0.1; done
grep -q "reload: generation [0-9]* applied" "$work/hallpass.log" ||
  { tail -n 5 "$work/hallpass.log" >&2; fail "SIGHUP did not reload"; }
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=""
((rc == 0)) || { tail -n 20 "$work/hallpass.log" >&2; fail "hallpass exited $rc on SIGTERM"; }
grep -q "hallpass stopped" "$work/hallpass.log" || fail "no 'hallpass stopped' on SIGTERM"
log "SIGHUP reloads, SIGTERM stops cleanly"

# --- 5. reinstall keeps the secret; purge removes what the package made ----------------
cp -f "$deb" "$root/tmp/"
in_root dpkg -i "/tmp/$(basename "$deb")" >"$work/reinstall.log" 2>&1 || { cat "$work/reinstall.log" >&2; fail "reinstall"; }
[[ "$(grep -v '^#' "$root/etc/hallpass/secrets")" == "$secret" ]] || fail "a reinstall changed the secret"
in_root dpkg --purge hallpass >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "purge"; }
for gone in /etc/hallpass /var/lib/hallpass /usr/bin/hallpass; do
  [[ ! -e "$root$gone" ]] || fail "purge left $gone"
done
log "reinstall keeps the secret; purge removes config, secret and state"
log "PASS: the Debian package installs, starts as its unit does, and purges"
