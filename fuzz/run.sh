#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each one.
#   fuzz/run.sh [SECONDS [RUNS]]   default 60 s per target; a target stops at
#                                  SECONDS or after RUNS executions, whichever is first
#   fuzz/run.sh 1800 10000000      the issue's depth: 10 M executions or 30 min each
# Several targets at once: FUZZ_JOBS=2 fuzz/run.sh ... (a pool: the next target starts
# as soon as one ends). Only some: FUZZ_TARGETS="csr subject_dn" fuzz/run.sh ...
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
all="issue_file:issue renew_file:renew revoke_file:revoke whois_response:whois subject_dn:dn
     csr:csr ocsp_request:ocsp form_body:form"
running=0
for spec in $all; do
  if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" ${spec%%:*} "* ]]; then continue; fi
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_one "${spec%%:*}" "${spec##*:}" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
