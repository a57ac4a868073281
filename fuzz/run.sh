#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each one.
#   fuzz/run.sh [SECONDS [RUNS]]   default 60 s per target; a target stops at
#                                  SECONDS or after RUNS executions, whichever is first
#   fuzz/run.sh 1800 10000000      the issue's depth: 10 M executions or 30 min each
# Several targets at once: FUZZ_JOBS=2 fuzz/run.sh ... (one core each).
# Build dir: build-fuzz/ at the repository root. Findings (crash-*, leak-*) are
# written to build-fuzz/artifacts/; the exit status is non-zero if any target failed.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_PER_TARGET=${1:-60}
RUNS=${2:--1}
JOBS=${FUZZ_JOBS:-1}
BUILD="$ROOT/build-fuzz"
CC=clang CXX=clang++ cmake -S "$ROOT/fuzz" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2
mkdir -p "$BUILD/artifacts"

# run_one TARGET CORPUS: fuzzes, then prints the executions, executions per second and
# edge coverage from libFuzzer's final statistics (the figures the README reports).
run_one() {
  target="fuzz_$1"; corpus="$ROOT/fuzz/corpus/$2"; work="$BUILD/corpus-$2"
  mkdir -p "$work"
  if "$BUILD/$target" -max_total_time="$SECONDS_PER_TARGET" -runs="$RUNS" -max_len=65536 -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$target-" \
       "$work" "$corpus" >"$BUILD/$target.log" 2>&1; then
    result=ok
  else
    result="FAILED (see $BUILD/$target.log)"
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$BUILD/$target.log" | tail -n 1)
  secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$BUILD/$target.log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$BUILD/$target.log" | tail -n 1)
  echo "$target: $result, ${runs:-?} executions, ${secs:-?} exec/s, ${cov:-cov: ?}"
  [ "$result" = ok ]
}

status=0
set -- issue_file:issue renew_file:renew revoke_file:revoke whois_response:whois subject_dn:dn \
       csr:csr ocsp_request:ocsp form_body:form
pids=""
for spec in "$@"; do
  run_one "${spec%%:*}" "${spec##*:}" &
  pids="$pids $!"
  if [ "$(echo $pids | wc -w)" -ge "$JOBS" ]; then
    for p in $pids; do wait "$p" || status=1; done
    pids=""
  fi
done
for p in $pids; do wait "$p" || status=1; done
exit $status
