#!/usr/bin/env bash
# Installs the Debian bookworm packages that build and boot the appliance root
# filesystem (images/build-rootfs.sh, images/smoke-test.sh) on top of
# scripts/install-deps.sh. Idempotent: installs only what is missing. Needs root.
set -euo pipefail

PACKAGES=(
  mmdebstrap            # the root filesystem from Debian's archive
  systemd-container     # systemd-nspawn, tried first by the smoke test
  curl openssl          # the smoke test's client outside the root
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-image-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
