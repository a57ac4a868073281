#!/usr/bin/env bash
# Builds the Debian package inkan_<version>_amd64.deb (README "Package and
# image") with CPack and prints its path. Build folder: $INKAN_BUILD_DIR
# (default build-pkg); a folder that is not configured yet is configured
# without tests and benchmarks, an existing one (e.g. `build`) is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${INKAN_BUILD_DIR:-build-pkg}"
# build-essential brings dpkg-dev: dpkg-shlibdeps computes the library Depends.
[[ -n "${INKAN_SKIP_DEPS:-}" ]] || scripts/install-deps.sh
if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" \
        -DINKAN_TESTS=OFF -DINKAN_BENCH=OFF >/dev/null
fi
cmake --build "$BUILD_DIR" -j"$(nproc)" --target inkan >&2
cd "$BUILD_DIR"
cpack -G DEB >&2
version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' CMakeCache.txt)"
deb="$PWD/inkan_${version}_amd64.deb"
[[ -f "$deb" ]] || { echo "package.sh: cpack did not write $deb" >&2; exit 1; }
echo "$deb"
