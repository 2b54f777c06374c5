#!/usr/bin/env bash
# scripts/test-all.sh: what `make test` runs, scheduled for CI's two cores and its time limit.
#
#   1. the main build (every core);
#   2. the main suite, while the sanitizer build, the fuzz build, the Debian package and a
#      Debian 12 root are made beside it at nice 19: the suite mostly waits on browsers,
#      timers and packets, so those builds take the idle cores without slowing its tests;
#   3. the benchmarks' tests once the builds are done (they time packets: nothing beside them);
#   4. the unit and integration suites under the sanitizers, with each fuzz target briefly,
#      the package installed and started in the Debian root and the container image built
#      and run beside them at nice 19.
# The package built here is unoptimised (DEB_BUILD_OPTIONS=noopt): its test checks the
# packaging, the scripts and that the installed server works, and the compiler's time on
# CI's two cores is better spent elsewhere; `make deb` builds the optimised one.
# A failed build or suite stops the run with its status; the background jobs are stopped
# with it. The Makefile passes its settings (MAKE, build directories) in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

make_cmd=${MAKE:-make}
build=${BUILD_DIR:-build} sanitize=${SANITIZE_DIR:-build-sanitize} deb_dir=${DEB_DIR:-build-deb}
test_jobs=${TEST_JOBS:-2}
mkdir -p "$deb_dir"
background_log="$deb_dir/background-builds.log" final_log="$deb_dir/final-checks.log"
background=""

stop_background() {
  [[ -n "$background" ]] && kill -- "-$background" 2>/dev/null || true
}
trap stop_background EXIT
# bash runs no EXIT trap when a signal kills it: make CI's cancel an exit, so the
# background jobs (in process groups of their own) are stopped too.
trap 'exit 143' TERM
trap 'exit 130' INT HUP

step() { printf '\n== make test: %s (%s)\n' "$1" "$(date +%T)"; }

step "main build"
"$make_cmd" build

step "sanitizer build, fuzz build, Debian package and root in the background (log: $background_log)"
setsid nice -n 19 "$make_cmd" -j3 --output-sync=target DEB_BUILD_OPTIONS="nocheck noopt" \
  sanitize-build fuzz-build deb debian-root >"$background_log" 2>&1 &
background=$!

step "main suite, without the benchmarks"
ctest --test-dir "$build" --output-on-failure -j"$test_jobs" -LE bench

step "waiting for the background builds"
if ! wait "$background"; then
  background=""
  tail -n 60 "$background_log" >&2
  echo "make test: a background build failed; its whole log is $background_log" >&2
  exit 1
fi
background=""

step "benchmarks' tests"
ctest --test-dir "$build" --output-on-failure -j1 -L bench

step "sanitizer suite, with the fuzz targets, the package and the container beside it (log: $final_log)"
setsid nice -n 19 bash -c '"$1" test-fuzz && "$1" test-installs' _ "$make_cmd" >"$final_log" 2>&1 &
background=$!
ctest --test-dir "$sanitize" --output-on-failure -j"$test_jobs" -L 'unit|integration'

step "waiting for the fuzz targets, the package and the container"
rc=0
wait "$background" || rc=$?
background=""
cat "$final_log"
((rc == 0)) || { echo "make test: the fuzz, package or container checks failed (status $rc)" >&2; exit 1; }
step "all passed"
