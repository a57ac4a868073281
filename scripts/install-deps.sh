#!/usr/bin/env bash
# Installs the Debian bookworm packages Inkan needs to build, test and run.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libssl-dev openssl
  libp11-kit-dev p11-kit softhsm2 libsofthsm2 opensc gnutls-bin
  libpistache-dev nlohmann-json3-dev libsqlite3-dev sqlite3 libzip-dev libarchive-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  libnss3-tools libcurl4-openssl-dev unzip
  libgmime-3.0-dev python3-aiosmtpd python3
  clang-format
  nginx-light
  nodejs chromium fonts-ipafont-gothic
  prometheus-cpp-dev libspdlog-dev python3-prometheus-client curl
)
# npm bundles the web pages (web/, npm ci + esbuild at build time). Debian's npm
# package, unless the nodejs in place brings its own npm (NodeSource's does).
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
