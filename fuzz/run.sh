#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each one.
#   fuzz/run.sh [SECONDS]     default 60 s per target
# Build dir: build-fuzz/ at the repository root. Findings (crash-*, leak-*) are
# written to build-fuzz/artifacts/; the exit status is non-zero if any target failed.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_PER_TARGET=${1:-60}
BUILD="$ROOT/build-fuzz"
CC=clang CXX=clang++ cmake -S "$ROOT/fuzz" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2
mkdir -p "$BUILD/artifacts"
status=0
for spec in issue_file:issue renew_file:renew revoke_file:revoke whois_response:whois; do
  target="fuzz_${spec%%:*}"
  corpus="$ROOT/fuzz/corpus/${spec##*:}"
  work="$BUILD/corpus-${spec##*:}"
  mkdir -p "$work"
  echo "== $target (${SECONDS_PER_TARGET}s)"
  if ! "$BUILD/$target" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 \
       -rss_limit_mb=2048 -artifact_prefix="$BUILD/artifacts/$target-" "$work" "$corpus" \
       >"$BUILD/$target.log" 2>&1; then
    echo "   FAILED, see $BUILD/$target.log"; status=1
  fi
  tail -n 2 "$BUILD/$target.log" | sed 's/^/   /'
done
exit $status
