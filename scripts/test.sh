#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-image-deps.sh
# The image smoke test (Image.SmokeTest: mmdebstrap, boots the .deb in a root filesystem)
# is part of this suite: it needs the image tools too.
scripts/check-format.sh   # the tree is clang-formatted; fix with scripts/check-format.sh --fix
scripts/build.sh
cd "${INKAN_BUILD_DIR:-build}"
# Tests are mostly I/O and HSM-bound: run more than one per core.
ctest --output-on-failure -j"$(( $(nproc) * 2 ))" --timeout 300
