#!/usr/bin/env bash
# Builds hallpass_<version>_<arch>.deb with debhelper from a copy of the repository's
# files (so nothing the build makes lands in the work tree), then lints it.
# usage: scripts/build-deb.sh OUT_DIR      (DEB_BUILD_OPTIONS passes through)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
version="$(dpkg-parsechangelog -l "$repo_root/debian/changelog" -S Version)"
src="$out/hallpass-$version"

rm -rf "$src"
mkdir -p "$src"
cd "$repo_root"
# Tracked files and new ones not yet committed, never the build folders (.gitignore).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$src"
else
  tar --exclude='./build*' --exclude='./node_modules' --exclude='./tests/interop/node_modules' -cf - . | tar -xf - -C "$src"
fi

cd "$src"
dpkg-buildpackage -us -uc -b -j"$(nproc)"

deb="$out/hallpass_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).deb"
test -f "$deb"
# Errors fail the build; warnings are printed for the maintainer to read.
lintian --fail-on error --display-info "$deb"
echo "build-deb: $deb"
