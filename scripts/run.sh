#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, creates the
# state (SoftHSM token, CA key and certificate, HTTPS certificate, first RA
# operator, demo institution) if there is none, and starts the appliance on
# 127.0.0.1 behind the TLS front (nginx).
#
# The state folder (INKAN_STATE_DIR, default `state`), the hand-over folder
# (INKAN_HANDOVER_DIR, default `handover`) and INKAN_CONFIG are
# relative to the caller's current directory (the README runs from the
# repository root). INKAN_BINARY=/path/to/inkan uses that binary and skips
# install and build (tests, packaging); INKAN_BUILD_DIR (default build-run) is
# relative to the repository.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -n "${INKAN_BINARY:-}" ]]; then
    INKAN="$INKAN_BINARY"
else
    BUILD_DIR="${INKAN_BUILD_DIR:-build-run}"
    (
        cd "$REPO"
        scripts/install-deps.sh
        INKAN_BUILD_DIR="$BUILD_DIR" scripts/build.sh -DINKAN_TESTS=OFF -DINKAN_BENCH=OFF
    )
    [[ "$BUILD_DIR" = /* ]] || BUILD_DIR="$REPO/$BUILD_DIR"
    INKAN="$BUILD_DIR/appliance/inkan"
fi
STATE="${INKAN_STATE_DIR:-state}"
# The appliance's shape: nginx terminates TLS in front of the application
# (README "TLS front"); INKAN_FRONT=none lets Pistache serve TLS itself.
export INKAN_FRONT="${INKAN_FRONT:-nginx}"
# The first operator's credential is handed over once (README "Operator
# credentials"): its P12 and password go to the hand-over folder beside the
# state (INKAN_HANDOVER_DIR, default `handover`), never into the state.
"$INKAN" --state-dir "$STATE" init --if-needed --handover "${INKAN_HANDOVER_DIR:-handover}"
exec "$INKAN" --state-dir "$STATE" serve
