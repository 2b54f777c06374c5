# What the package and container tests share: their arguments (the .deb, and optionally a
# root file system from tests/deploy/debian_root.sh), root (or sudo -n), and their tools.
#   source tests/deploy/lib.sh; deploy_test_start "$@" -- TOOL...
# Sets deb, root_tar, source; defines log and fail; re-executes the script under sudo.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

deploy_test_start() {
  local args=()
  while (($#)) && [[ "$1" != -- ]]; do args+=("$1"); shift; done
  shift || true
  deb="$(realpath "${args[0]:-}")"
  root_tar="${args[1]:+$(realpath "${args[1]}")}"
  source="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  [[ -f "$deb" ]] || fail "no package at ${args[0]:-} (make deb)"
  [[ -z "$root_tar" || -f "$root_tar" ]] || fail "no root file system at ${args[1]} (make debian-root)"
  if [[ "$(id -u)" -ne 0 ]]; then
    sudo -n true 2>/dev/null || fail "needs root (mmdebstrap, chroot, podman, ip netns), or sudo without a password"
    exec sudo -n "$0" "$deb" ${root_tar:+"$root_tar"}
  fi
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)"
  done
}

# deploy_root_tar WORK: root_tar, made into WORK by debian_root.sh when none was given.
deploy_root_tar() {
  [[ -n "$root_tar" ]] && return 0
  log "a bookworm minbase root (tests/deploy/debian_root.sh)"
  "$source/tests/deploy/debian_root.sh" "$1/root.tar" >"$1/debian_root.log" 2>&1 ||
    { tail -n 30 "$1/debian_root.log" >&2; fail "tests/deploy/debian_root.sh"; }
  root_tar="$1/root.tar"
}
