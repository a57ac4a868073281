#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, creates the
# state (SoftHSM token, CA key and certificate, HTTPS certificate, first RA
# operator) if there is none, and starts the appliance on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
INKAN_BUILD_DIR="${INKAN_BUILD_DIR:-build-run}" scripts/build.sh -DINKAN_TESTS=OFF -DINKAN_BENCH=OFF
INKAN="${INKAN_BUILD_DIR:-build-run}/appliance/inkan"
STATE="${INKAN_STATE_DIR:-state}"
"$INKAN" --state-dir "$STATE" init --if-needed
exec "$INKAN" --state-dir "$STATE" serve
