#!/usr/bin/env bash
# A Debian 12 (bookworm) minbase root file system as a tarball, made by mmdebstrap from the
# Debian mirrors this machine's apt uses (no other registry is reachable here), with apt's
# package lists kept so that the tests can install into it at once. The Debian package test
# installs hallpass into it; the container test imports it as the image's base.
#
#   tests/deploy/debian_root.sh build-deb/debian-root.tar
set -euo pipefail
out="$1"
if [[ "$(id -u)" -ne 0 ]]; then
  sudo -n true 2>/dev/null || { echo "debian_root: needs root (mmdebstrap), or sudo without a password" >&2; exit 1; }
  exec sudo -n "$0" "$out"
fi
command -v mmdebstrap >/dev/null || { echo "debian_root: mmdebstrap is not installed (scripts/install-deps.sh)" >&2; exit 1; }
sources=()
[[ -s /etc/apt/sources.list ]] && sources+=(/etc/apt/sources.list)
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
  [[ -s "$f" ]] && sources+=("$f")
done
((${#sources[@]})) || { echo "debian_root: this machine's apt has no sources" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
mmdebstrap --variant=minbase --format=tar --skip=cleanup/apt/lists bookworm "$out.partial" "${sources[@]}"
mv "$out.partial" "$out"
echo "debian_root: $out"
