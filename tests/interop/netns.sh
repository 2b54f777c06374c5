# Network namespaces for the interop tests that put a firewall between the browser and the
# servers (sourced after lib.sh). make_ns NAME adds one with its loopback up and a hosts
# file of its own: `ip netns exec` puts /etc/netns/NAME/hosts in place of /etc/hosts, so
# the names in NETNS_HOSTS ("ADDRESS NAME" lines) resolve inside the namespaces only.
# At exit the processes started here are stopped first, then the namespaces and their
# /etc/netns folders are removed, also when a check fails.
NAMESPACES=()
NETNS_ETC=()
NETNS_HOSTS="${NETNS_HOSTS:-}"

netns_cleanup() {
  local rc=$? ns dir pid
  for pid in "${HP_PIDS[@]}"; do stop_pid "$pid"; done
  HP_PIDS=()
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  for dir in "${NETNS_ETC[@]}"; do rm -rf "$dir"; done
  (exit "$rc")
  hp_cleanup
}
trap netns_cleanup EXIT

make_ns() {
  ip netns add "$1"
  NAMESPACES+=("$1")
  ip -n "$1" link set lo up
  mkdir -p "/etc/netns/$1"
  NETNS_ETC+=("/etc/netns/$1")
  printf '127.0.0.1 localhost\n%s\n' "$NETNS_HOSTS" >"/etc/netns/$1/hosts"
}
