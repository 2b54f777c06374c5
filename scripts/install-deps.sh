#!/usr/bin/env bash
# Installs what hallpass needs to build and test on Debian 12, and nothing that is
# already there: the second run is a quick no-op.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

packages=(
  build-essential cmake pkg-config
  libboost1.81-dev libboost-json1.81-dev libssl-dev liburing-dev libspdlog-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev
  clang libclang-rt-14-dev
  coturn chromium firefox-esr iproute2 openssl jq util-linux
  prometheus libsystemd-dev systemd libcli11-dev
  nftables squid haproxy janus
  debhelper help2man lintian mmdebstrap dpkg-dev curl podman runc
)
# kubectl (for `kubectl kustomize` in tests/deploy) may come with a cloud SDK; Debian's
# kubernetes-client would conflict with that one's file.
if ! command -v kubectl >/dev/null 2>&1; then
  packages+=(kubernetes-client)
fi
# Node comes from elsewhere on some images; use Debian's only when it is missing.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-deps: not root and no sudo; cannot run: $*" >&2
    exit 1
  fi
}

missing=()
for p in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"

  # Debian's coturn, prometheus, squid, haproxy and janus packages start their services;
  # the tests run their own, on ports and in network namespaces they pick.
  for service in coturn prometheus squid haproxy janus; do
    if [[ " ${missing[*]} " == *" $service "* ]] && command -v systemctl >/dev/null 2>&1 \
        && systemctl is-active --quiet "$service" 2>/dev/null; then
      echo "install-deps: stopping and disabling the $service service"
      as_root systemctl disable --now "$service"
    fi
  done
fi

# npm packages for the browser interop test, pinned by tests/interop/package-lock.json.
interop="$repo_root/tests/interop"
stamp="$interop/node_modules/.hallpass-lock.sha256"
want="$(sha256sum "$interop/package-lock.json" | cut -d' ' -f1)"
if [[ ! -d "$interop/node_modules" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "install-deps: npm ci in tests/interop"
  (cd "$interop" && npm ci --no-audit --no-fund)
  echo "$want" >"$stamp"
fi
